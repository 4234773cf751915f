/**
 * The sitemap diff through a whole run (a dry run: nothing is sent): why each report row is there,
 * unusable `<loc>`s as failed rows, and what a run with nothing new says.
 */
import { describe, expect, it } from 'vitest';
import { configFrom } from '../helpers/inputs.js';
import { MemoryLogger } from '../helpers/logger.js';
import { countOutcomes } from '../../src/base/outcome.js';
import { runPrefetch } from '../../src/run.js';
import { tempDir, urlset, writeFiles } from '../helpers/sitemap.js';

const SITE = 'https://www.example.com';

async function run(files: Record<string, string>, inputs: Record<string, string>) {
  const dir = tempDir();
  writeFiles(dir, files);
  const values: Record<string, string> = { 'dry-run': 'true', 'daily-quota': '1000', ...inputs };
  const config = configFrom(values, { GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir }, {});
  const logger = new MemoryLogger();
  const result = await runPrefetch(config, { logger });
  return { result, logger };
}

const before = urlset([
  { loc: `${SITE}/same`, lastmod: '2026-01-01' },
  { loc: `${SITE}/edited`, lastmod: '2026-01-01' },
  { loc: `${SITE}/dated-now` },
  { loc: `${SITE}/undated` },
]);
const after = urlset([
  { loc: `${SITE}/same`, lastmod: '2026-01-01' },
  { loc: `${SITE}/edited`, lastmod: '2026-02-01T10:00:00+08:00' },
  { loc: `${SITE}/dated-now`, lastmod: '2026-02-02' },
  { loc: `${SITE}/undated` },
  { loc: `${SITE}/new`, lastmod: '2026-02-03' },
  { loc: '/relative/only' },
  { loc: `${SITE}/${'x'.repeat(1100)}` },
]);

describe('a run with a sitemap', () => {
  it('each row from the sitemap carries change and lastmods; urls rows carry none; unusable <loc>s are failed rows', async () => {
    const { result, logger } = await run(
      { 'public/sitemap.xml': after, 'baseline.xml': before },
      { urls: `${SITE}/pinned`, sitemap: 'public/sitemap.xml', 'previous-sitemap': 'baseline.xml' },
    );
    const rows = Object.fromEntries(result.outcomes.map((o) => [o.url.slice(0, 40), o]));
    expect(rows[`${SITE}/pinned`]).toEqual({
      url: `${SITE}/pinned`,
      status: 'planned',
      source: 'urls: line 1',
      order: 1,
    });
    expect(rows[`${SITE}/new`]).toMatchObject({
      status: 'planned',
      change: 'added',
      lastmod: '2026-02-03T00:00:00Z',
    });
    expect(rows[`${SITE}/new`]).not.toHaveProperty('previousLastmod');
    expect(rows[`${SITE}/edited`]).toMatchObject({
      change: 'modified',
      lastmod: '2026-02-01T02:00:00Z',
      previousLastmod: '2026-01-01T00:00:00Z',
    });
    // The lastmod appeared: modified, with no previous one.
    expect(rows[`${SITE}/dated-now`]).toMatchObject({ change: 'modified', lastmod: '2026-02-02T00:00:00Z' });
    expect(rows[`${SITE}/dated-now`]).not.toHaveProperty('previousLastmod');
    expect(rows['/relative/only']).toMatchObject({
      status: 'failed',
      source: 'sitemap public/sitemap.xml',
      reason:
        'sitemap public/sitemap.xml "/relative/only" is a path: set base-url so that it can be resolved',
    });
    const long = result.outcomes.find((o) => o.url.length > 1000);
    expect(long).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/is 1124 characters once encoded/),
    });
    expect(result.sitemap?.counts).toMatchObject({
      deployed: 5,
      added: 1,
      modified: 2,
      unchanged: 1,
      notComparable: 1,
      invalid: 2,
    });
    // Counts add up: one row per distinct entry, the failed ones included.
    expect(result.counts).toEqual(countOutcomes(result.outcomes));
    expect(result.counts).toMatchObject({ planned: 4, failed: 2, total: 6 });
    // One log line per reason, not one per URL.
    expect(logger.messages('warning').filter((w) => w.includes('failed, each'))).toEqual([
      expect.stringMatching(
        /^1 entry failed, each is a path: set base-url so that it can be resolved — sitemap public\/sitemap\.xml "\/relative\/only"$/,
      ),
      expect.stringMatching(/^1 entry failed, each is 1124 characters once encoded/),
    ]);
  });

  it('logs one line per kind of invalid entry, with a count, not one per entry', async () => {
    const bad = Array.from({ length: 300 }, (_, i) => `ftp://example.com/${i}`);
    const { result, logger } = await run({}, { urls: bad.join('\n') });
    expect(result.counts.failed).toBe(300);
    expect(logger.messages('warning')).toEqual([
      '300 entries failed, each is not an http(s) URL — urls: line 1 "ftp://example.com/0"; ' +
        'urls: line 2 "ftp://example.com/1"; urls: line 3 "ftp://example.com/2"; …and 297 more',
    ]);
  });

  it('a redeploy with nothing new says what the sitemap had, not that every source was empty', async () => {
    const site = urlset([
      ...Array.from({ length: 20 }, (_, i) => ({ loc: `${SITE}/p/${i}`, lastmod: '2026-01-01' })),
      ...Array.from({ length: 4 }, (_, i) => ({ loc: `${SITE}/u/${i}` })),
    ]);
    const { result, logger } = await run(
      { 'public/sitemap.xml': site, 'baseline.xml': site },
      { sitemap: 'public/sitemap.xml', 'previous-sitemap': 'baseline.xml' },
    );
    expect(result.counts.total).toBe(0);
    expect(logger.messages('warning')).toEqual([]);
    expect(logger.messages('notice')).toEqual([
      'No URLs to prefetch: the sitemap had 24 URLs, none added or modified since the baseline ' +
        '(20 unchanged, 4 not comparable (no <lastmod>)). Nothing was sent.',
    ]);
  });

  it('an empty configuration still says every source was empty, with their counts', async () => {
    const { logger } = await run({}, { urls: '# nothing yet' });
    expect(logger.messages('warning')).toEqual([
      'No URLs to prefetch: every source was empty (urls had 0 entries). Nothing was sent.',
    ]);
  });

  it('with an unreadable baseline, says why nothing was selected', async () => {
    const { logger } = await run(
      { 'public/sitemap.xml': before, 'baseline.xml': '<urlset' },
      { sitemap: 'public/sitemap.xml', 'previous-sitemap': 'baseline.xml' },
    );
    expect(logger.messages('notice')).toEqual([
      'No URLs to prefetch: the sitemap had 4 URLs, none selected because the baseline could not be read. Nothing was sent.',
    ]);
  });
});
