/**
 * When the sitemap diff's answer cannot be trusted, it says so: lastmods that appear, URLs that
 * cannot be compared, build stamps, a baseline that fails (retried, then nothing selected) or is an
 * HTML page, and unusable `<loc>` values that become failed rows.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { MemoryLogger } from '../helpers/logger.js';
import { DEFAULT_RETRY_POLICY } from '../../src/runtime/retry.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { saveSitemapBaseline } from '../../src/sitemap/save.js';
import { sitemapChanges, type SitemapSourceOptions } from '../../src/sitemap/changes.js';
import { limits, serve, tempDir, urlset, writeFiles, type UrlSpec } from '../helpers/sitemap.js';

const SITE = 'https://www.example.com';
const FAST_RETRY = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/sitemaps');

function pages(count: number, spec: (i: number) => Partial<UrlSpec> = () => ({})): UrlSpec[] {
  return Array.from({ length: count }, (_, i) => ({ loc: `${SITE}/p/${i}`, ...spec(i) }));
}

async function diff(
  before: string,
  after: string,
  extra: Partial<SitemapSourceOptions> = {},
): Promise<{ result: Awaited<ReturnType<typeof sitemapChanges>>; logger: MemoryLogger }> {
  const dir = tempDir();
  writeFiles(dir, { 'before.xml': before, 'public/sitemap.xml': after });
  const logger = new MemoryLogger();
  const result = await sitemapChanges(
    {
      workspace: dir,
      sitemap: 'public/sitemap.xml',
      previousSitemap: 'before.xml',
      changes: parseChanges('added,modified'),
      includeImages: false,
      limits: limits(),
      retryPolicy: FAST_RETRY,
      ...extra,
    },
    logger,
  );
  return { result, logger };
}

const stampWarning = (logger: MemoryLogger): string | undefined =>
  logger.messages('warning').find((w) => w.includes('look like build stamps'));
const comparableWarning = (logger: MemoryLogger): string | undefined =>
  logger.messages('warning').find((w) => w.includes('not comparable'));

describe('lastmods that appear and disappear', () => {
  it('a lastmod that appears counts as modified; one that disappears does not', async () => {
    const { result } = await diff(
      urlset([{ loc: `${SITE}/appears` }, { loc: `${SITE}/disappears`, lastmod: '2026-01-01' }]),
      urlset([{ loc: `${SITE}/appears`, lastmod: '2026-02-01' }, { loc: `${SITE}/disappears` }]),
    );
    expect(result.urls).toEqual([`${SITE}/appears`]);
    expect(result.changes).toEqual([
      { change: 'modified', lastmod: Date.UTC(2026, 1, 1), previousLastmod: NaN },
    ]);
    expect(result.counts).toMatchObject({ modified: 1, unchanged: 0, notComparable: 1 });
  });
});

describe('not comparable', () => {
  it('URLs without a lastmod on either side are counted apart, and a majority is a warning naming site-dir + state', async () => {
    const site = pages(10, (i) => (i < 4 ? { lastmod: '2026-01-01' } : {}));
    const { result, logger } = await diff(urlset(site), urlset(site));
    expect(result.counts).toMatchObject({ deployed: 10, unchanged: 4, notComparable: 6, modified: 0 });
    expect(comparableWarning(logger)).toBe(
      '6 of the 10 deployed URLs are not comparable: they are in the baseline but the deployed sitemap ' +
        'gives them no <lastmod>, so an edit to them cannot be seen from this sitemap (only added URLs can). ' +
        'To prefetch what a deploy changed, set site-dir and state to compare the built files instead of lastmods.',
    );
    expect(result.notes).toContainEqual({ level: 'warning', message: comparableWarning(logger) });
  });

  it('half or fewer: counted, no warning', async () => {
    const site = pages(10, (i) => (i < 5 ? { lastmod: '2026-01-01' } : {}));
    const { result, logger } = await diff(urlset(site), urlset(site));
    expect(result.counts.notComparable).toBe(5);
    expect(comparableWarning(logger)).toBeUndefined();
  });

  it('no baseline: nothing to compare, so no warning', async () => {
    const { result, logger } = await diff('', urlset(pages(4)), { previousSitemap: undefined });
    expect(result.counts).toMatchObject({ added: 4, notComparable: 0 });
    expect(comparableWarning(logger)).toBeUndefined();
  });
});

describe('build stamps', () => {
  it('most modified URLs sharing one instant (more than half, at least 10): a warning naming site-dir + state and changes: added', async () => {
    const before = pages(20, (i) => ({ lastmod: `2026-01-${String(i + 1).padStart(2, '0')}` }));
    // 12 of 13 modified URLs get the build time; one was really edited the day before.
    const after = pages(20, (i) => ({
      lastmod:
        i < 12
          ? '2026-03-05T03:56:46Z'
          : i === 12
            ? '2026-03-04'
            : `2026-01-${String(i + 1).padStart(2, '0')}`,
    }));
    const { result, logger } = await diff(urlset(before), urlset(after));
    expect(result.counts).toMatchObject({ modified: 13, unchanged: 7 });
    expect(stampWarning(logger)).toBe(
      "The sitemap's <lastmod> values look like build stamps: 12 of the 13 modified URLs share the lastmod " +
        '2026-03-05T03:56:46Z. The generator appears to write the build time, so every URL counts as modified ' +
        'and the quota is spent on pages that did not change. To prefetch only what changed, set site-dir and ' +
        'state to compare the built files instead of lastmods, or set changes: added to take only new URLs.',
    );
  });

  it('all modified URLs sharing one instant, even a few', async () => {
    const before = pages(3, () => ({ lastmod: '2026-01-01' }));
    const after = pages(3, () => ({ lastmod: '2026-01-02T10:00:00+08:00' }));
    const { logger } = await diff(urlset(before), urlset(after));
    expect(stampWarning(logger)).toContain('3 of the 3 modified URLs share the lastmod 2026-01-02T02:00:00Z');
  });

  it('every lastmod moved to the same day (file times of a fresh checkout)', async () => {
    const before = pages(6, (i) => ({ lastmod: `2026-01-0${i + 1}` }));
    const after = pages(6, (i) => ({ lastmod: `2026-03-05T10:00:0${i}Z` }));
    const { logger } = await diff(urlset(before), urlset(after));
    expect(stampWarning(logger)).toContain(
      'every <lastmod> of the 6 modified URLs moved to the same day, 2026-03-05, and none stayed as it was',
    );
  });

  it('nothing but lastmods differ, and most moved', async () => {
    const before = pages(6, (i) => ({ lastmod: `2026-01-0${i + 1}` }));
    const after = pages(6, (i) => ({ lastmod: i < 4 ? `2026-02-0${i + 1}` : `2026-01-0${i + 1}` }));
    const { logger } = await diff(urlset(before), urlset(after));
    expect(stampWarning(logger)).toContain(
      'the baseline and the deployed sitemap differ only in lastmods (no URL added or removed), and 4 of their 6 URLs moved',
    );
  });

  it.each([
    ['one real edit', 1, 0],
    ['two edits on different days among 20 pages', 2, 0],
    ['edits on different days next to a new page', 4, 1],
  ])('%s: no warning', async (_, edits, added) => {
    const before = pages(20, (i) => ({ lastmod: `2026-01-${String(i + 1).padStart(2, '0')}` }));
    const after = [
      ...pages(20, (i) => ({
        lastmod:
          i < edits
            ? `2026-02-${String(i + 1).padStart(2, '0')}`
            : `2026-01-${String(i + 1).padStart(2, '0')}`,
      })),
      ...Array.from({ length: added }, (_, i) => ({ loc: `${SITE}/new/${i}`, lastmod: '2026-02-10' })),
    ];
    const { result, logger } = await diff(urlset(before), urlset(after));
    expect(result.counts.modified).toBe(edits);
    expect(stampWarning(logger)).toBeUndefined();
  });

  it("next-sitemap's build time on every URL (a real sitemap, redeployed a day later)", async () => {
    const deployed = readFileSync(path.join(FIXTURES, 'next-sitemap-2001y-sitemap-0.xml'), 'utf8');
    const stamp = /<lastmod>([^<]+)<\/lastmod>/.exec(deployed)![1]!;
    const earlier = new Date(Date.parse(stamp) - 86_400_000).toISOString();
    const { result, logger } = await diff(deployed.replaceAll(stamp, earlier), deployed);
    expect(result.counts.modified).toBe(396);
    expect(stampWarning(logger)).toMatch(/: 396 of the 396 modified URLs share the lastmod /);
  });
});

describe('a baseline that fails', () => {
  const before = urlset(pages(3, () => ({ lastmod: '2026-01-01' })));
  const after = urlset([
    ...pages(3, (i) => ({ lastmod: i === 0 ? '2026-02-01' : '2026-01-01' })),
    { loc: `${SITE}/new`, lastmod: '2026-02-01' },
  ]);

  async function remote(handler: Parameters<typeof serve>[0], extra: Partial<SitemapSourceOptions> = {}) {
    const { origin, requests } = await serve(handler);
    const { result, logger } = await diff('', after, { previousSitemap: `${origin}/before.xml`, ...extra });
    return { result, logger, requests };
  }

  it('answering 503 once is retried, and the diff is exact', async () => {
    let calls = 0;
    const { result, requests, logger } = await remote((_req, res) => {
      if (++calls === 1) return void res.writeHead(503).end('busy');
      res.end(before);
    });
    expect(requests).toHaveLength(2);
    expect(result.urls).toEqual([`${SITE}/p/0`, `${SITE}/new`]);
    expect(result.counts).toMatchObject({ added: 1, modified: 1, unchanged: 2 });
    expect(logger.messages('info')).toContainEqual(
      expect.stringMatching(/before\.xml: HTTP 503 Service Unavailable; retry 1 in 0\.0 s$/),
    );
    expect(logger.messages('warning')).toEqual([]);
  });

  it('a connection reset half-way and a stalled body are retried too', async () => {
    let calls = 0;
    const { result, requests } = await remote(
      (_req, res) => {
        calls++;
        if (calls === 1) {
          res.writeHead(200);
          res.write(before.slice(0, 200));
          setTimeout(() => res.socket?.destroy(), 10);
        } else if (calls === 2) {
          res.writeHead(200);
          res.write(before.slice(0, 200)); // then stalls past the request's time limit
        } else res.end(before);
      },
      { limits: limits({ timeoutMs: 300 }) },
    );
    expect(requests).toHaveLength(3);
    expect(result.counts).toMatchObject({ added: 1, modified: 1, unchanged: 2, unknown: 0 });
  });

  it('still failing after the retries: a warning, and nothing from the sitemap is selected', async () => {
    const { result, requests, logger } = await remote((_req, res) => void res.writeHead(503).end());
    expect(requests).toHaveLength(FAST_RETRY.maxAttempts);
    expect(result.urls).toEqual([]);
    expect(result.baselineProblem).toBe('unreadable');
    expect(result.counts).toMatchObject({
      deployed: 4,
      added: 0,
      modified: 0,
      unknown: 4,
      baseline: undefined,
    });
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^previous-sitemap: the baseline cannot be read: http:\/\/127\.0\.0\.1:\d+\/before\.xml: HTTP 503 Service Unavailable \(4 attempts\)\. Nothing from the sitemap is selected, so that the day's quota is not spent on a guess; run again once it can be read, or set changes: all to prefetch every URL of the sitemap\.$/,
      ),
    ]);
  });

  it('changes: all reads no baseline, so it takes every URL', async () => {
    const { result, requests } = await remote((_req, res) => void res.writeHead(503).end(), {
      changes: parseChanges('all'),
    });
    expect(requests).toHaveLength(0);
    expect(result.urls).toHaveLength(4);
  });

  it('a refusal (403) is not retried, and is unreadable, not missing', async () => {
    const { result, requests } = await remote((_req, res) => void res.writeHead(403).end());
    expect(requests).toHaveLength(1);
    expect(result.urls).toEqual([]);
    expect(result.counts.unknown).toBe(4);
  });

  it('missing (404) is not retried: no baseline, every URL counts as added', async () => {
    const { result, requests } = await remote((_req, res) => void res.writeHead(404).end());
    expect(requests).toHaveLength(1);
    expect(result.baselineProblem).toBe('missing');
    expect(result.counts).toMatchObject({ added: 4, unknown: 0 });
  });

  it('a text/html answer that is not a sitemap is an HTML page: taken as missing, with a warning naming the input', async () => {
    const page =
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Home</title></head><body></body></html>';
    const sloppy = '<HTML><BODY><P>Welcome<BR></BODY></HTML>';
    for (const body of [page, sloppy, '<p>Not here</p>']) {
      const { result, logger } = await remote((_req, res) =>
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body),
      );
      expect(result.baselineProblem, body).toBe('html');
      expect(result.counts.added, body).toBe(4);
      expect(logger.messages('warning'), body).toEqual([
        expect.stringMatching(/^previous-sitemap: .*before\.xml: is an HTML page.*taken as no baseline/),
      ]);
    }
  });

  it('an HTML page is given up at its first chunk without leaving its download timer behind', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const { origin } = await serve((_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!DOCTYPE html><html><head><title>Home</title>'),
    );
    const before = timers();
    const { result } = await diff('', after, {
      previousSitemap: `${origin}/before.xml`,
      limits: limits({ timeoutMs: 20_000 }),
    });
    expect(result.baselineProblem).toBe('html');
    // The request's 20 s timer would keep the process alive that long after the run was over.
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('a sitemap served as text/html is still a sitemap', async () => {
    const { result } = await remote((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(before),
    );
    expect(result.counts).toMatchObject({ added: 1, modified: 1, unchanged: 2 });
  });

  it('the stop signal ends the pause between tries at once', async () => {
    const controller = new AbortController();
    const slow = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 30_000, maxDelayMs: 30_000 };
    const started = Date.now();
    const promise = remote(
      (_req, res) => {
        res.writeHead(503).end();
        setTimeout(() => controller.abort(new Error('cancelled')), 50);
      },
      { retryPolicy: slow, signal: controller.signal },
    );
    await expect(promise).rejects.toThrow(/503/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('unusable <loc> values', () => {
  it('over 1,024 characters, relative without base-url, not http(s): each kept with its reason', async () => {
    const long = `${SITE}/${'a'.repeat(1100)}`;
    const { result } = await diff(
      '',
      urlset([{ loc: `${SITE}/ok` }, { loc: long }, { loc: '/about/' }, { loc: 'mailto:me@example.com' }]),
      { previousSitemap: undefined },
    );
    expect(result.urls).toEqual([`${SITE}/ok`]);
    expect(result.counts).toMatchObject({ deployed: 1, invalid: 3 });
    expect(result.invalid.map((i) => [i.value, i.reason])).toEqual([
      [long, 'is 1124 characters once encoded; the CDN accepts at most 1024'],
      ['/about/', 'is a path: set base-url so that it can be resolved'],
      ['mailto:me@example.com', 'is not an http(s) URL'],
    ]);
  });
});

describe('save-sitemap', () => {
  it('to a path under an existing file: a configuration error naming save-sitemap and the path', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'public/sitemap.xml': urlset(pages(2)), 'out/baseline.xml': 'a file' });
    const promise = saveSitemapBaseline(
      {
        workspace: dir,
        sitemap: 'public/sitemap.xml',
        saveSitemap: 'out/baseline.xml/saved.xml',
        limits: limits(),
      },
      new MemoryLogger(),
    );
    await expect(promise).rejects.toThrow(ConfigError);
    await expect(promise).rejects.toThrow(
      'save-sitemap: cannot write "out/baseline.xml/saved.xml": a folder on its path is a file; choose a path whose folders are folders',
    );
  });

  it('to a folder: a configuration error', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'public/sitemap.xml': urlset(pages(2)), 'out/keep': '' });
    await expect(
      saveSitemapBaseline(
        { workspace: dir, sitemap: 'public/sitemap.xml', saveSitemap: 'out', limits: limits() },
        new MemoryLogger(),
      ),
    ).rejects.toThrow('save-sitemap: cannot write "out": it is a folder; name a file');
  });

  it('an HTML page where the sitemap should be: an empty baseline, with a warning naming sitemap', async () => {
    const { origin } = await serve((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Soon</body></html>'),
    );
    const dir = tempDir();
    const logger = new MemoryLogger();
    const saved = await saveSitemapBaseline(
      { workspace: dir, sitemap: `${origin}/sitemap.xml`, saveSitemap: 'baseline.xml', limits: limits() },
      logger,
    );
    expect(saved.urls).toBe(0);
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^sitemap: http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml: is an HTML page.*baseline\.xml is an empty urlset/,
      ),
    ]);
  });
});
