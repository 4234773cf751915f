/**
 * The sitemap user stories through the bundled action (and the CLI) against the emulator: save a
 * baseline before the deploy, then prefetch exactly what the deploy added or changed.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { runCliBundle } from './cli-harness.js';
import { runAction } from './harness.js';

const AK_ID = 'sitemap-ak-id';
const AK_SECRET = 'sitemap-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const SITE = 'https://www.example.com';

interface Page {
  path: string;
  lastmod?: string;
  priority?: string;
  images?: string[];
}

function urlset(pages: Page[]): string {
  const body = pages
    .map(
      (p) =>
        `  <url>\n    <loc>${SITE}${p.path.replace(/&/g, '&amp;')}</loc>\n` +
        (p.lastmod ? `    <lastmod>${p.lastmod}</lastmod>\n` : '') +
        (p.priority ? `    <priority>${p.priority}</priority>\n` : '') +
        (p.images ?? [])
          .map((img) => `    <image:image><image:loc>${SITE}${img}</image:loc></image:image>\n`)
          .join('') +
        '  </url>\n',
    )
    .join('');
  return (
    '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n' +
    `${body}</urlset>\n`
  );
}

function index(children: string[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
    children.map((c) => `  <sm:sitemap><sm:loc>${SITE}${c}</sm:loc></sm:sitemap>\n`).join('') +
    '</sm:sitemapindex>\n'
  );
}

const before: Page[] = [
  { path: '/', lastmod: '2026-01-05' },
  { path: '/about/', lastmod: '2026-01-01T00:00:00Z' },
  { path: '/blog/old/', lastmod: '2026-01-02' },
  { path: '/tag/news/', lastmod: '2026-01-02' },
];
const after: Page[] = [
  { path: '/', lastmod: '2026-01-05T00:00:00Z' }, // same instant: unchanged
  { path: '/about/', lastmod: '2026-02-01T08:00:00+08:00' }, // modified
  { path: '/blog/old/', lastmod: '2026-01-02' }, // unchanged
  { path: '/tag/news/', lastmod: '2026-03-01' }, // modified, but excluded
  { path: '/blog/new/', lastmod: '2026-03-01', priority: '0.9', images: ['/img/new.png'] }, // added
  { path: '/博客/文章/', lastmod: '2026-03-02' }, // added, non-ASCII
  { path: '/search?q=a&page=2', priority: '0.1' }, // added, entity in loc
];

/** The deployed site as a static build writes it: an index with gzip children. */
function deployedFiles(): Record<string, string | Buffer> {
  return {
    'public/sitemap.xml': index(['/sitemaps/1.xml.gz', '/sitemaps/2.xml.gz']),
    'public/sitemaps/1.xml.gz': gzipSync(urlset(after.slice(0, 4))),
    'public/sitemaps/2.xml.gz': gzipSync(urlset(after.slice(4))),
  };
}

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ credentials: { [AK_ID]: AK_SECRET } });
});
afterEach(async () => {
  await emulator.close();
});

describe('sitemap diff through the bundled action', () => {
  it('prefetches exactly what was added or modified, explicit URLs first, and reports the counts', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        urls: `${SITE}/pinned/\n${SITE}/tag/old-news/`,
        sitemap: 'public/sitemap.xml',
        'previous-sitemap': 'baseline.xml',
        exclude: '/tag/**',
      },
      { env, files: { ...deployedFiles(), 'baseline.xml': urlset(before) } },
    );
    expect(result.exitCode).toBe(0);
    const sent = emulator.acceptedPrefetches().map((a) => a.url);
    // Explicit entries first, then by priority (0.9, then the default 0.5 by newest lastmod, then 0.1).
    expect(sent).toEqual([
      `${SITE}/pinned/`,
      `${SITE}/blog/new/`,
      `${SITE}/%E5%8D%9A%E5%AE%A2/%E6%96%87%E7%AB%A0/`,
      `${SITE}/about/`,
      `${SITE}/search?q=a&page=2`,
    ]);
    const excluded = result.report?.urls.find((u) => u.url === `${SITE}/tag/old-news/`);
    expect(excluded).toMatchObject({ status: 'skipped', reason: 'excluded by /tag/**' });
    expect(result.report?.['sitemap']).toMatchObject({
      counts: { deployed: 7, baseline: 4, added: 3, modified: 1, unchanged: 2, excluded: 1 },
    });
    expect(result.summary).toContain('### Sitemap diff');
    expect(result.summary).toMatch(/\| added \| 3 \|/);
  });

  it('with include-images, prefetches the images of changed pages right after them', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        sitemap: 'public/sitemap.xml',
        'previous-sitemap': 'baseline.xml',
        'include-images': 'true',
      },
      { env, files: { ...deployedFiles(), 'baseline.xml': urlset(before) } },
    );
    expect(result.exitCode).toBe(0);
    const sent = emulator.acceptedPrefetches().map((a) => a.url);
    expect(sent.indexOf(`${SITE}/img/new.png`)).toBe(sent.indexOf(`${SITE}/blog/new/`) + 1);
  });

  it('without a baseline file, takes every URL as new, with a notice', async () => {
    const result = await runAction(
      { endpoint: emulator.url, sitemap: 'public/sitemap.xml', 'previous-sitemap': 'missing.xml' },
      { env, files: deployedFiles() },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::notice::.*missing\.xml/);
    expect(emulator.acceptedPrefetches()).toHaveLength(7);
  });

  it('fails with the reason, and sends nothing, when the sitemap cannot be parsed', async () => {
    const result = await runAction(
      { endpoint: emulator.url, sitemap: 'public/sitemap.xml', urls: `${SITE}/x` },
      { env, files: { 'public/sitemap.xml': '<urlset><url><loc>https://www.example.com/a</loc></url>' } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/::error::.*sitemap/i);
    expect(emulator.calls.filter((c) => c.action === 'PushObjectCache')).toHaveLength(0);
  });
});

describe('a remote sitemap and save-sitemap', () => {
  let server: Server;
  let origin: string;
  beforeEach(async () => {
    const files: Record<string, Buffer> = {
      '/sitemap.xml': Buffer.from(
        index(['/sitemaps/1.xml.gz', '/sitemaps/2.xml.gz']).replaceAll(SITE, '__ORIGIN__'),
      ),
      '/sitemaps/1.xml.gz': gzipSync(urlset(before.slice(0, 2))),
      '/sitemaps/2.xml.gz': gzipSync(urlset(before.slice(2))),
    };
    server = createServer((req, res) => {
      const body = files[req.url ?? ''];
      if (!body) return void res.writeHead(404).end('not found');
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(body.toString('latin1').replaceAll('__ORIGIN__', origin), 'latin1');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('saves the live sitemap, children followed, as one flat baseline, and sends nothing', async () => {
    const result = await runAction(
      { endpoint: emulator.url, sitemap: `${origin}/sitemap.xml`, 'save-sitemap': 'baseline/saved.xml' },
      { env: {} },
    );
    expect(result.exitCode).toBe(0);
    expect(emulator.calls).toHaveLength(0);
    const saved = await readFile(path.join(result.workspace, 'baseline/saved.xml'), 'utf8');
    for (const page of before) expect(saved).toContain(`<loc>${SITE}${page.path}</loc>`);
    expect(saved).toContain('<urlset');
    expect(saved).not.toContain('sitemapindex');
  });

  it('saves an empty urlset, with a notice, when the site has no sitemap yet', async () => {
    const result = await runAction(
      { endpoint: emulator.url, sitemap: `${origin}/nothing.xml`, 'save-sitemap': 'saved.xml' },
      { env: {} },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('::notice::');
    const saved = await readFile(path.join(result.workspace, 'saved.xml'), 'utf8');
    expect(saved).toMatch(/<urlset[^>]*\/?>/);
    expect(saved).not.toContain('<loc>');
  });
});

describe('previous-ref through a stub of the GitHub contents API', () => {
  it('reads the baseline at the ref, with the token, and diffs against it', async () => {
    const seen: { url: string; auth: string | undefined; accept: string | undefined }[] = [];
    const github = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, accept: req.headers.accept });
      if (req.url?.startsWith('/repos/acme/site/contents/public/sitemap.xml?ref=abc123')) {
        return void res.writeHead(200).end(index(['/sitemaps/1.xml.gz']));
      }
      if (req.url?.startsWith('/repos/acme/site/contents/public/sitemaps/1.xml.gz?ref=abc123')) {
        return void res.writeHead(200).end(gzipSync(urlset(before)));
      }
      res.writeHead(404).end('{"message":"Not Found"}');
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const address = github.address();
    const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const result = await runAction(
        {
          endpoint: emulator.url,
          sitemap: 'public/sitemap.xml',
          'previous-ref': 'abc123',
          'github-token': 'ghs_stubtoken123',
        },
        { env: { ...env, GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: 'acme/site' }, files: deployedFiles() },
      );
      expect(result.exitCode).toBe(0);
      expect(seen[0]?.auth).toBe('Bearer ghs_stubtoken123');
      expect(seen[0]?.accept).toContain('application/vnd.github.raw');
      expect(emulator.acceptedPrefetches()).toHaveLength(5); // 3 added + 2 modified (nothing excluded)
      expect(result.log).toContain('::add-mask::ghs_stubtoken123');
    } finally {
      await new Promise((resolve) => github.close(resolve));
    }
  });

  it('is a configuration error with a URL sitemap', async () => {
    const result = await runAction(
      { endpoint: emulator.url, sitemap: `${SITE}/sitemap.xml`, 'previous-ref': 'abc123' },
      { env: { ...env, GITHUB_REPOSITORY: 'acme/site' } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/previous-ref .*sitemap must be a workspace path/);
  });
});

describe('the CLI', () => {
  it('diffs --sitemap against --previous-sitemap', async () => {
    const run = await runCliBundle(
      [
        '--endpoint',
        emulator.url,
        '--sitemap',
        'public/sitemap.xml',
        '--previous-sitemap',
        'baseline.xml',
        '--json',
      ],
      { env, files: { ...deployedFiles(), 'baseline.xml': urlset(before) } },
    );
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as { counts: { submitted: number } };
    expect(report.counts.submitted).toBe(5);
    expect(emulator.acceptedPrefetches()).toHaveLength(5);
  });
});
