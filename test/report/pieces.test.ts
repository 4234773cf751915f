/**
 * The report is written in pieces (a million URLs as one string would double the run's memory at its
 * end): the pieces join to exactly the document JSON.stringify writes, across piece and row-group
 * boundaries, and each piece is redacted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import { countOutcomes } from '../../src/base/outcome.js';
import type { RunResult } from '../../src/report/result.js';
import { reportJson, reportPieces, writeReport } from '../../src/report/report.js';
import { tempDir } from '../helpers/site.js';

function result(outcomes: UrlOutcome[]): RunResult {
  return {
    outcomes,
    counts: countOutcomes(outcomes),
    taskIds: ['t-1'],
    requestIds: [],
    duplicates: 0,
    dryRun: false,
    calls: 1,
    apiCalls: { PushObjectCache: 1 },
    retries: 0,
    confirmedByLookup: 0,
  };
}

function expected(run: RunResult): string {
  const { outcomes } = run;
  const report = {
    dryRun: run.dryRun,
    counts: run.counts,
    taskIds: run.taskIds,
    requestIds: run.requestIds,
    calls: run.calls,
    apiCalls: run.apiCalls,
    retries: run.retries,
    confirmedByLookup: run.confirmedByLookup,
    outcomeUnknown: 0,
    urls: outcomes.map(({ order: _order, ...outcome }) => outcome),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

describe('the report, in pieces', () => {
  it.each([0, 1, 1_999, 2_000, 2_001, 9_000])(
    '%i URLs: the same text as one JSON.stringify',
    async (count) => {
      const outcomes: UrlOutcome[] = Array.from({ length: count }, (_, i) => ({
        url: `https://www.example.com/p/${i}/"quoted" é`,
        status: i % 3 ? 'skipped' : 'submitted',
        ...(i % 3
          ? { reason: 'quota: the daily prefetch quota had 0 URLs left', skip: 'quota' as const }
          : { taskId: '1' }),
        source: `site-dir: p/${i}/index.html`,
        order: i + 1,
        ...(i % 2 ? { change: 'added' as const } : {}),
      }));
      const run = result(outcomes);
      expect(reportJson(run, (text) => text)).toBe(expected(run));
      const file = await writeReport(run, tempDir(), (text) => text);
      expect(readFileSync(file, 'utf8')).toBe(expected(run));
    },
  );

  it('redacts every piece', () => {
    const outcomes: UrlOutcome[] = Array.from({ length: 20_000 }, (_, i) => ({
      url: `https://www.example.com/${i}?token=s3cr3t-value`,
      status: 'failed',
      reason: 'echoed s3cr3t-value',
      order: i + 1,
    }));
    const pieces = [...reportPieces(result(outcomes), (text) => text.replaceAll('s3cr3t-value', '***'))];
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).not.toContain('s3cr3t');
  });
});
