import {
  failedOutcome as failed,
  runResult,
  skippedOutcome as skipped,
  submittedOutcome as submitted,
} from '../helpers/results.js';
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import { renderSummary } from '../../src/report/summary.js';
import { reportJson } from '../../src/report/report.js';
import type { DiffCounts } from '../../src/sitemap/diff.js';

describe('renderSummary', () => {
  it('shows the counts', () => {
    const summary = renderSummary(
      runResult([submitted(), submitted(), failed(), skipped('quota')]),
      '/tmp/report.json',
    );
    expect(summary).toContain('| submitted | 2 |');
    expect(summary).toContain('| failed | 1 |');
    expect(summary).toContain('| skipped | 1 |');
    expect(summary).toContain('/tmp/report.json');
  });

  it('groups identical reasons: one row per reason with its count, its code named once', () => {
    const outage = Array.from({ length: 5000 }, (_, i) =>
      failed(`https://a.com/o/${i}.png`, 'PushObjectCache at cdn.aliyuncs.com: HTTP 503 ServiceUnavailable'),
    );
    const refused = { ...failed('https://a.com/y', 'refused'), code: 'InvalidObjectPath.Malformed' };
    const named = { ...failed('https://a.com/z', 'quota: used up (QuotaExceeded)'), code: 'QuotaExceeded' };
    const summary = renderSummary(
      runResult([submitted(), ...outage, failed('https://a.com/x', 'other'), refused, named]),
      'r.json',
    );
    expect(summary).toContain('### Failed (5003)');
    expect(summary).toContain('| URLs | reason |\n|---:|---|\n');
    expect(summary).toContain(
      '| 5000 | PushObjectCache at cdn.aliyuncs.com: HTTP 503 ServiceUnavailable |\n',
    );
    expect(summary).toContain('| 1 | other |\n');
    expect(summary).toContain('| 1 | refused (InvalidObjectPath.Malformed) |\n');
    // A reason that names its code already: no empty code column, no code twice.
    expect(summary).toContain('| 1 | quota: used up (QuotaExceeded) |\n');
    expect(summary).not.toContain('(QuotaExceeded) (QuotaExceeded)');
  });

  it.each<[number, boolean]>([
    [1, false],
    [50, false],
    [51, true],
    [120, true],
  ])('%i different reasons: lists at most 50, then "…and N more" pointing at the report', (count, more) => {
    const failures = Array.from({ length: count }, (_, i) =>
      failed(`https://a.com/failed-${i}.png`, `reason ${i}`),
    );
    const summary = renderSummary(runResult([submitted(), ...failures]), 'report.json');
    const listed = failures.filter((f) => summary.includes(`\n| 1 | ${f.reason} |\n`)).length;
    expect(listed).toBe(Math.min(count, 50));
    if (more)
      expect(summary).toContain(
        `…and ${count - 50} more ${count === 51 ? 'URL' : 'URLs'} with ${count - 50} more ${count === 51 ? 'reason' : 'reasons'} in the report.`,
      );
    else expect(summary).not.toContain('in the report.');
    expect(summary).toContain(`(${count})`);
    // Every URL is still listed, with its reason, in the collapsed list of failed URLs.
    for (const f of failures) expect(summary).toContain(`| ${f.url} | listed | ${f.reason} |`);
  });

  it('escapes | in URLs and reasons so the table keeps its columns', () => {
    const outcome = failed('https://a.com/a|b?x=1|2', 'urls: line 3 "a|b" is bad\nsecond line');
    const summary = renderSummary(runResult([outcome]), 'report.json');
    const row = summary.split('\n').find((line) => line.includes('a.com/a'));
    expect(row).toBeDefined();
    expect(row).toContain('https://a.com/a\\|b?x=1\\|2');
    expect(row).toContain('"a\\|b"');
    // Three columns (URL, change, reason): four unescaped pipes.
    expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(5);
    expect(summary).not.toContain('is bad\nsecond line');
  });

  it('lists skipped URLs too', () => {
    const summary = renderSummary(runResult([skipped('domains')]), 'report.json');
    expect(summary).toMatch(/Skipped \(1\)/);
    expect(summary).toContain('skipped: domains');
  });

  it('tells failed URLs whose outcome is unknown apart from refused ones, in the summary and the report', () => {
    const unknown: UrlOutcome = {
      ...failed(
        'https://a.com/u',
        'outcome unknown: PushObjectCache: ECONNRESET; …, so it was not sent again',
      ),
      outcomeUnknown: true,
    };
    const run = runResult([submitted(), failed(), unknown]);
    const summary = renderSummary(run, 'report.json');
    expect(summary).toContain('| failed | 2 |');
    expect(summary).toContain('1 of the failed URLs has an unknown outcome');
    expect(renderSummary(runResult([failed()]), 'report.json')).not.toContain('unknown outcome');
    const report = JSON.parse(reportJson(run, (text) => text)) as {
      counts: { failed: number };
      outcomeUnknown: number;
      urls: { url: string; outcomeUnknown?: boolean }[];
    };
    expect([report.counts.failed, report.outcomeUnknown]).toEqual([2, 1]);
    expect(report.urls.filter((u) => u.outcomeUnknown).map((u) => u.url)).toEqual(['https://a.com/u']);
  });

  it('shows a fatal error', () => {
    expect(
      renderSummary(runResult([], { fatal: 'Forbidden.RAM: grant cdn:PushObjectCache' }), 'r.json'),
    ).toContain('Forbidden.RAM: grant cdn:PushObjectCache');
  });
});

describe('the sitemap diff in the summary and the report', () => {
  const counts: DiffCounts = {
    deployed: 24,
    baseline: 24,
    added: 1,
    modified: 2,
    unchanged: 6,
    notComparable: 14,
    unknown: 0,
    excluded: 1,
    invalid: 2,
    images: 0,
    imagesExcluded: 0,
  };
  const rows: UrlOutcome[] = [
    {
      url: 'https://a.com/new',
      status: 'submitted',
      taskId: '9',
      source: 'sitemap',
      change: 'added',
      lastmod: '2026-02-01T00:00:00Z',
      order: 1,
    },
    {
      url: 'https://a.com/edited',
      status: 'submitted',
      taskId: '9',
      source: 'sitemap',
      change: 'modified',
      lastmod: '2026-02-01T00:00:00Z',
      previousLastmod: '2026-01-01T00:00:00Z',
      order: 2,
    },
    { url: 'https://a.com/pinned', status: 'submitted', taskId: '9', source: 'urls: line 1', order: 3 },
  ];
  const run = runResult(rows, {
    sitemap: {
      counts,
      baseline: 'baseline.xml',
      notes: [
        {
          level: 'warning',
          message: '14 of the 24 deployed URLs are not comparable: … set site-dir and state',
        },
      ],
    },
  });

  it('the summary counts not comparable and unusable URLs apart, and shows the warnings', () => {
    const summary = renderSummary(run, 'r.json');
    expect(summary).toContain('Compared with baseline.xml.');
    expect(summary).toContain('| not comparable (no `<lastmod>`) | 14 |');
    expect(summary).toContain('| unchanged | 6 |');
    expect(summary).toContain('| unusable `<loc>` (failed) | 2 |');
    expect(summary).not.toContain('unknown (baseline unreadable)');
    expect(summary).toContain('> [!WARNING]\n> 14 of the 24 deployed URLs are not comparable');
  });

  it('says when the baseline could not be read', () => {
    const summary = renderSummary(
      runResult([], {
        sitemap: {
          counts: {
            ...counts,
            baseline: undefined,
            added: 0,
            modified: 0,
            unchanged: 0,
            notComparable: 0,
            unknown: 23,
          },
          baseline: undefined,
          baselineProblem: 'unreadable',
          notes: [],
        },
      }),
      'r.json',
    );
    expect(summary).toContain('The baseline could not be read: nothing from the sitemap was selected.');
    expect(summary).toContain('| unknown (baseline unreadable) | 23 |');
  });

  it('the report has the counts, and each row from the sitemap says why it is there', () => {
    const report = JSON.parse(reportJson(run, (text) => text)) as {
      sitemap: { counts: DiffCounts };
      urls: Record<string, unknown>[];
    };
    expect(report.sitemap.counts).toEqual(counts);
    expect(report.urls).toEqual([
      expect.objectContaining({ url: 'https://a.com/new', change: 'added', lastmod: '2026-02-01T00:00:00Z' }),
      expect.objectContaining({
        change: 'modified',
        lastmod: '2026-02-01T00:00:00Z',
        previousLastmod: '2026-01-01T00:00:00Z',
      }),
      expect.not.objectContaining({ change: expect.anything() }),
    ]);
  });

  it('after save-sitemap, the summary says what was saved and nothing else', () => {
    const summary = renderSummary(
      runResult([], {
        savedSitemap: { file: 'baseline.xml', sitemap: 'https://a.com/sitemap.xml', urls: 24 },
      }),
      'r.json',
    );
    expect(summary).toBe(
      '## CDN prefetch\n\nSaved 24 URLs of `https://a.com/sitemap.xml` to `baseline.xml`, a baseline for the next ' +
        'previous-sitemap; nothing was sent.\n',
    );
  });
});
