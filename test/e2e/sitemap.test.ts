/**
 * The sitemap user stories through the bundled action (and the CLI) against the emulator: save a
 * baseline before the deploy, then prefetch exactly what the deploy added or changed.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { runAction } from '../../emulator/harness.js';
import { serve } from '../helpers/sitemap.js';

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

const emulators = emulatorPerTest({ credentials: { [AK_ID]: AK_SECRET } });
let emulator: Emulator;

beforeEach(async () => {
  emulator = await emulators.start();
});

/** The action on the deployed sitemap, diffed against the baseline at `previousSitemap`. */
function againstBaseline(previousSitemap: string) {
  return runAction(
    {
      endpoint: emulator.url,
      'poll-interval': '1',
      sitemap: 'public/sitemap.xml',
      'previous-sitemap': previousSitemap,
    },
    { env, files: deployedFiles() },
  );
}

describe('sitemap diff through the bundled action', () => {
  it('prefetches exactly what was added or modified, explicit URLs first, and reports the counts', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        urls: `${SITE}/pinned/\n${SITE}/tag/old-news/`,
        sitemap: 'public/sitemap.xml',
        'previous-sitemap': 'baseline.xml',
        exclude: '/tag/**',
      },
      { env, files: { ...deployedFiles(), 'baseline.xml': urlset(before) } },
    );
    expect(result.exitCode).toBe(0);
    // Explicit entries first, then by priority (0.9, then the default 0.5 by newest lastmod, then 0.1).
    const planned = [
      `${SITE}/pinned/`,
      `${SITE}/blog/new/`,
      `${SITE}/%E5%8D%9A%E5%AE%A2/%E6%96%87%E7%AB%A0/`,
      `${SITE}/about/`,
      `${SITE}/search?q=a&page=2`,
    ];
    expect(result.report?.urls.filter((u) => u.status === 'submitted').map((u) => u.url)).toEqual(planned);
    // What needs no refresh goes at once; /about/, modified in place, once its refresh is Complete.
    expect(emulator.acceptedRefreshes().map((a) => a.url)).toEqual([`${SITE}/about/`]);
    const sent = emulator.acceptedPrefetches().map((a) => a.url);
    expect(sent).toEqual([...planned.filter((url) => !url.endsWith('/about/')), `${SITE}/about/`]);
    const excluded = result.report?.urls.find((u) => u.url === `${SITE}/tag/old-news/`);
    expect(excluded).toMatchObject({ status: 'skipped', reason: 'excluded by /tag/**' });
    expect(result.report?.['sitemap']).toMatchObject({
      counts: { deployed: 7, baseline: 4, added: 3, modified: 1, unchanged: 2, excluded: 1 },
    });
    expect(result.summary).toContain('### Sitemap diff');
    expect(result.summary).toMatch(/\| added \| 3 \|/);
    expect(result.summary).toMatch(/\| not comparable \(no `<lastmod>`\) \| 0 \|/);
    // Why each URL is there: rows from the sitemap say, rows from urls do not.
    const rows = new Map(result.report?.urls.map((u) => [u.url, u as unknown as Record<string, unknown>]));
    expect(rows.get(`${SITE}/about/`)).toMatchObject({
      change: 'modified',
      lastmod: '2026-02-01T00:00:00Z',
      previousLastmod: '2026-01-01T00:00:00Z',
    });
    expect(rows.get(`${SITE}/blog/new/`)).toMatchObject({ change: 'added', lastmod: '2026-03-01T00:00:00Z' });
    expect(rows.get(`${SITE}/blog/new/`)).not.toHaveProperty('previousLastmod');
    expect(rows.get(`${SITE}/pinned/`)).not.toHaveProperty('change');
  });

  it('a redeploy with nothing new says what the sitemap had, and sends nothing', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        sitemap: 'public/sitemap.xml',
        'previous-sitemap': 'baseline.xml',
      },
      { env, files: { ...deployedFiles(), 'baseline.xml': urlset(after) } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(
      '::notice::No URLs to prefetch: the sitemap had 7 URLs, none added or modified since the baseline ' +
        '(6 unchanged, 1 not comparable (no <lastmod>)). Nothing was sent.',
    );
    expect(result.log).not.toContain('every source was empty');
    expect(emulator.calls).toHaveLength(0);
  });

  it('a baseline that answers 503 once is read again, and only what changed is sent', async () => {
    let calls = 0;
    const baseline = await serve((_req, res) => {
      if (++calls === 1) return void res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'application/xml' }).end(urlset(before));
    });
    const result = await againstBaseline(`${baseline.origin}/sitemap.xml`);
    expect(result.exitCode).toBe(0);
    expect(calls).toBe(2);
    expect(emulator.acceptedPrefetches()).toHaveLength(5); // 3 added + 2 modified, not all 7
    expect(result.log).toMatch(/HTTP 503 Service Unavailable; retry 1 in/);
  });

  it('a baseline that cannot be read: a warning, and nothing from the sitemap is sent', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        sitemap: 'public/sitemap.xml',
        'previous-sitemap': 'baseline.xml',
      },
      { env, files: { ...deployedFiles(), 'baseline.xml': urlset(before).slice(0, 300) } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::warning::previous-sitemap: the baseline cannot be read: baseline\.xml: /);
    expect(emulator.calls.filter((c) => c.action === 'PushObjectCache')).toHaveLength(0);
    expect(result.report?.['sitemap']).toMatchObject({
      baselineProblem: 'unreadable',
      counts: { deployed: 7, unknown: 7, added: 0 },
    });
    expect(result.summary).toContain(
      'The baseline could not be read: nothing from the sitemap was selected.',
    );
  });

  it('an HTML page as the baseline is recognised: a warning naming previous-sitemap, and every URL counts as added', async () => {
    const baseline = await serve((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>Blog</title><p>Hi'),
    );
    const result = await againstBaseline(`${baseline.origin}/sitemap.xml`);
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(
      /::warning::previous-sitemap: http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml: is an HTML page.*taken as no baseline/,
    );
    expect(result.log).not.toContain('incorrect syntax');
    expect(emulator.acceptedPrefetches()).toHaveLength(7);
  });

  it('unusable <loc> values are each a failed row, and the counts add up', async () => {
    const result = await runAction(
      { endpoint: emulator.url, 'poll-interval': '1', sitemap: 'public/sitemap.xml' },
      {
        env,
        files: {
          'public/sitemap.xml': urlset([{ path: '/ok/' }]).replace(
            '</urlset>',
            '<url><loc>/relative/</loc></url><url><loc>ftp://example.com/x</loc></url></urlset>',
          ),
        },
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.report?.urls.map((u) => [u.url, u.status])).toEqual([
      [`${SITE}/ok/`, 'submitted'],
      ['/relative/', 'failed'],
      ['ftp://example.com/x', 'failed'],
    ]);
    expect(result.outputs['failed-count']).toBe('2');
    expect(result.report?.['sitemap']).toMatchObject({ counts: { deployed: 1, invalid: 2 } });
  });

  it('a missing sitemap is a configuration error naming sitemap', async () => {
    const result = await runAction(
      { endpoint: emulator.url, 'poll-interval': '1', sitemap: 'public/sitemap.xml' },
      { env, files: { 'other.txt': '' } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(
      /::error::Configuration error: sitemap: public\/sitemap\.xml: no such file; the path resolves to \/.*\/public\/sitemap\.xml: did the build run first\?/,
    );
  });

  it('with include-images, prefetches the images of changed pages right after them', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        'poll-interval': '1',
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
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        sitemap: 'public/sitemap.xml',
        'previous-sitemap': 'missing.xml',
      },
      { env, files: deployedFiles() },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::notice::.*missing\.xml/);
    expect(emulator.acceptedPrefetches()).toHaveLength(7);
  });

  it('fails with the reason, and sends nothing, when the sitemap cannot be parsed', async () => {
    const result = await runAction(
      { endpoint: emulator.url, 'poll-interval': '1', sitemap: 'public/sitemap.xml', urls: `${SITE}/x` },
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
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        sitemap: `${origin}/sitemap.xml`,
        'save-sitemap': 'baseline/saved.xml',
      },
      { env: {} },
    );
    expect(result.exitCode).toBe(0);
    expect(emulator.calls).toHaveLength(0);
    const saved = await readFile(path.join(result.workspace, 'baseline/saved.xml'), 'utf8');
    for (const page of before) expect(saved).toContain(`<loc>${SITE}${page.path}</loc>`);
    expect(saved).toContain('<urlset');
    expect(saved).not.toContain('sitemapindex');
    // What was saved, and nothing about submissions.
    expect(result.summary).toBe(
      `## CDN prefetch\n\nSaved 4 URLs of \`${origin}/sitemap.xml\` to \`baseline/saved.xml\`, a baseline for the ` +
        'next previous-sitemap; nothing was sent.\n',
    );
    expect(result.log).toContain(
      `Done: Saved 4 URLs of ${origin}/sitemap.xml to baseline/saved.xml; nothing was sent.`,
    );
    expect(result.log).not.toMatch(/submitted/);
  });

  it('saves an empty urlset, with a notice, when the site has no sitemap yet', async () => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        sitemap: `${origin}/nothing.xml`,
        'save-sitemap': 'saved.xml',
      },
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
          'poll-interval': '1',
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
      {
        endpoint: emulator.url,
        'poll-interval': '1',
        sitemap: `${SITE}/sitemap.xml`,
        'previous-ref': 'abc123',
      },
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
        '--poll-interval',
        '1',
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
    const rows = (report as unknown as { urls: Record<string, unknown>[] }).urls;
    expect(rows.find((u) => u['url'] === `${SITE}/about/`)).toMatchObject({
      change: 'modified',
      previousLastmod: '2026-01-01T00:00:00Z',
    });
  });

  it('a missing --sitemap is a configuration error: exit 2', async () => {
    const run = await runCliBundle(
      ['--endpoint', emulator.url, '--poll-interval', '1', '--sitemap', 'public/sitemap.xml'],
      { env },
    );
    expect(run.exitCode).toBe(2);
    // Named as a flag, and where the path resolves from the current folder: the CLI has no workspace.
    expect(run.stderr).toContain(
      `Configuration error: --sitemap: public/sitemap.xml: no such file; the path resolves to ${run.cwd}/public/sitemap.xml`,
    );
    expect(run.stderr).not.toContain('workspace');
    expect(emulator.calls).toHaveLength(0);
  });

  it('an unreadable --sitemap (a folder) is a configuration error: exit 2', async () => {
    const run = await runCliBundle(
      ['--endpoint', emulator.url, '--poll-interval', '1', '--sitemap', 'public'],
      {
        env,
        files: { 'public/index.html': '' },
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Configuration error: --sitemap: cannot be used: public: is a directory');
  });

  it('--save-sitemap prints what was saved and nothing else', async () => {
    const run = await runCliBundle(['--sitemap', 'public/sitemap.xml', '--save-sitemap', 'baseline.xml'], {
      files: deployedFiles(),
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('Saved 7 URLs of public/sitemap.xml to baseline.xml; nothing was sent.\n');
  });

  it('--save-sitemap under a file: a configuration error naming save-sitemap and the path, not EEXIST', async () => {
    const run = await runCliBundle(
      ['--sitemap', 'public/sitemap.xml', '--save-sitemap', 'public/sitemap.xml/b.xml'],
      {
        files: deployedFiles(),
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'Configuration error: --save-sitemap: cannot write "public/sitemap.xml/b.xml": a folder on its path is a file',
    );
    expect(run.stderr).not.toContain('EEXIST');
  });

  it('echoes an absolute path as given', async () => {
    const missing = path.join(os.tmpdir(), 'cdn-prefetch-nonexistent', 'baseline.xml');
    const run = await runCliBundle(
      ['--dry-run', '--sitemap', 'public/sitemap.xml', '--previous-sitemap', missing],
      { files: deployedFiles() },
    );
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain(`notice: No baseline: ${missing}: no such file.`);
    expect(run.stderr).not.toContain('../');
  });
});
