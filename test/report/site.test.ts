/**
 * What the report, the outputs, the job summary and the CLI's closing table say about site-dir and
 * state: the counts, how many URLs were carried in and out, and why a state was not written.
 */
import { describe, expect, it } from 'vitest';
import type { SiteResult } from '../../src/sources/site.js';
import { renderClosing } from '../../src/report/closing.js';
import { SUMMARY_MAX_BYTES } from '../../src/report/listing.js';
import { actionOutputs } from '../../src/report/outputs.js';
import { reportJson } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { runResult } from '../helpers/results.js';

function site(extra: Partial<SiteResult> = {}): SiteResult {
  return {
    siteDir: 'public',
    state: '.cdn-prefetch/state.json',
    stateFound: 'found',
    counts: {
      files: 120,
      added: 3,
      modified: 5,
      unchanged: 110,
      excluded: 2,
      chromeOnly: 2,
      carriedIn: 4,
      carriedAged: 1,
      carriedGone: 2,
      carriedSuperseded: 1,
      carriedExcluded: 0,
      carriedInvalid: 0,
    },
    planned: 12,
    carriedOut: 6,
    leftCold: 0,
    stateWritten: true,
    notes: [
      {
        level: 'notice',
        message: 'state: 1 carried URLs were dropped, first planned more than carry-days (7) days ago',
      },
    ],
    ...extra,
  };
}

describe('site-dir and state in what the run reports', () => {
  it('the report has the site counts, carried in and out; carried-count is what the written state carries', () => {
    const result = runResult([], { site: site() });
    const report = JSON.parse(reportJson(result, (text) => text)) as { site: SiteResult };
    expect(report.site).toMatchObject({
      counts: { files: 120, added: 3, modified: 5, unchanged: 110, excluded: 2, chromeOnly: 2, carriedIn: 4 },
      carriedOut: 6,
      stateWritten: true,
    });
    expect(actionOutputs(result, 'r.json')['carried-count']).toBe('6');
    expect(actionOutputs(runResult([]), 'r.json')['carried-count']).toBe('');
  });

  it('the summary: the files table, the notes, and how many were carried in and out', () => {
    const summary = renderSummary(runResult([], { site: site() }), 'r.json');
    expect(summary).toContain('### Site `public`');
    expect(summary).toContain('Compared with the state `.cdn-prefetch/state.json`.');
    expect(summary).toContain('| of them chrome-only (only the navigation changed) | 2 |');
    expect(summary).toContain('> state: 1 carried URLs were dropped');
    expect(summary).toContain(
      'Carried URLs: 4 carried in (dropped: 1 older than carry-days, 2 whose file is gone), ' +
        '1 changed again (warmed as changes), 6 carried to the next run.',
    );
  });

  it('says why nothing new is carried: a dry run, a state not written, no state', () => {
    const { carriedOut: _out, ...noCarriedOut } = site({ stateWritten: false });
    expect(renderSummary(runResult([], { dryRun: true, site: noCarriedOut }), 'r')).toMatch(
      /, the state was not written \(dry run\)\./,
    );
    expect(renderSummary(runResult([], { site: noCarriedOut }), 'r')).toMatch(
      /, the state was not written, so nothing new is carried\./,
    );
    const { state: _state, stateFound: _found, ...noState } = noCarriedOut;
    expect(renderSummary(runResult([], { site: noState }), 'r')).toContain(
      'No state is kept (set state): every file counts as added, nothing is carried.',
    );
  });

  it('a first run says how many URLs it left cold', () => {
    const first = site({ stateFound: 'missing', carriedOut: 0, leftCold: 900 });
    expect(renderSummary(runResult([], { site: first }), 'r')).toContain(
      '0 carried to the next run (900 left cold: a first run carries nothing)',
    );
  });

  it('state alone: no files table, only the carried line', () => {
    const { siteDir: _dir, ...alone } = site();
    const summary = renderSummary(runResult([], { site: alone }), 'r');
    expect(summary).toContain('### Carried URLs');
    expect(summary).not.toContain('| files |');
    expect(summary).toContain('State `.cdn-prefetch/state.json` alone: no site-dir is read');
  });

  it('the notes stay within the summary budget, however many there are', () => {
    const notes = Array.from({ length: 5000 }, (_, i) => ({
      level: 'warning' as const,
      message: `note ${i} ${'x'.repeat(900)}`,
    }));
    const summary = renderSummary(runResult([], { site: site({ notes }) }), 'r');
    expect(Buffer.byteLength(summary)).toBeLessThan(SUMMARY_MAX_BYTES);
    expect(summary).toContain('Carried URLs: 4 carried in');
  });

  it('the closing table of the CLI', () => {
    const closing = renderClosing(runResult([], { site: site() }));
    expect(closing).toContain('Site public: compared with the state .cdn-prefetch/state.json\n');
    expect(closing).toContain(
      '  120 files · 3 added · 5 modified (2 chrome-only) · 110 unchanged · 2 excluded',
    );
    expect(closing).toMatch(/ {2}carried: 4 carried in .*, 6 carried to the next run/);
  });
});
