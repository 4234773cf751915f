/** The verdict is data: the reason, and whether the failed URLs are listed; each adapter words the pointer. */
import { runResult } from '../helpers/results.js';
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import type { RunResult } from '../../src/report/result.js';
import { verdict, verdictOf } from '../../src/report/verdict.js';

const failed: UrlOutcome = { url: 'https://a.com/x', status: 'failed', reason: 'refused', order: 1 };
const submitted: UrlOutcome = { url: 'https://a.com/y', status: 'submitted', taskId: '1', order: 2 };
const quota: UrlOutcome = {
  url: 'https://a.com/z',
  status: 'skipped',
  skip: 'quota',
  reason: 'quota',
  order: 3,
};

describe('verdictOf', () => {
  it('failed URLs: a reason, and listed (in the summary and the report)', () => {
    expect(verdictOf(runResult([failed, submitted]), 'error')).toEqual({
      reason: '1 of 2 URLs failed',
      listed: true,
    });
    expect(verdict(runResult([failed, submitted]), 'error')).toBe(
      '1 of 2 URLs failed; see the job summary and the report.',
    );
  });

  it('a fatal error and a quota skip are not lists: the message is the reason itself', () => {
    expect(verdictOf(runResult([], { fatal: 'credentials refused' }), 'never')).toEqual({
      reason: 'credentials refused',
      listed: false,
    });
    expect(verdictOf(runResult([quota]), 'skipped')).toEqual({
      reason: '1 URLs were skipped for lack of quota (fail-on: skipped).',
      listed: false,
    });
    expect(verdict(runResult([quota]), 'skipped')).toBe(
      '1 URLs were skipped for lack of quota (fail-on: skipped).',
    );
  });

  it('with wait, tasks that ended Failed at the CDN are listed too', () => {
    const run = runResult([submitted], {
      follow: { wait: { failed: 1 } } as NonNullable<RunResult['follow']>,
    });
    expect(verdictOf(run, 'error')).toEqual({
      reason: '1 of 1 submitted URLs failed at the CDN (prefetch task Failed)',
      listed: true,
    });
  });

  it('success is undefined', () => {
    expect(verdictOf(runResult([submitted]), 'error')).toBeUndefined();
    expect(verdictOf(runResult([failed]), 'never')).toBeUndefined();
  });
});
