/** The verdict is data: the reason, and whether the failed URLs are listed; each adapter words the pointer. */
import { failedOutcome, runResult, skippedOutcome, submittedOutcome } from '../helpers/results.js';
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import type { RunResult } from '../../src/report/result.js';
import { failureMessage, verdict, type FailOn } from '../../src/report/verdict.js';

const failed: UrlOutcome = { url: 'https://a.com/x', status: 'failed', reason: 'refused', order: 1 };
const submitted: UrlOutcome = { url: 'https://a.com/y', status: 'submitted', taskId: '1', order: 2 };
const quota: UrlOutcome = {
  url: 'https://a.com/z',
  status: 'skipped',
  skip: 'quota',
  reason: 'quota',
  order: 3,
};

describe('verdict', () => {
  it('failed URLs: a reason, and listed (in the summary and the report)', () => {
    expect(verdict(runResult([failed, submitted]), 'error')).toEqual({
      reason: '1 of 2 URLs failed',
      listed: true,
    });
    expect(failureMessage(runResult([failed, submitted]), 'error')).toBe(
      '1 of 2 URLs failed; see the job summary and the report.',
    );
  });

  it('a fatal error and a quota skip are not lists: the message is the reason itself', () => {
    expect(verdict(runResult([], { fatal: 'credentials refused' }), 'never')).toEqual({
      reason: 'credentials refused',
      listed: false,
    });
    expect(verdict(runResult([quota]), 'skipped')).toEqual({
      reason: '1 URL was skipped for lack of quota (fail-on: skipped).',
      listed: false,
    });
    expect(failureMessage(runResult([quota]), 'skipped')).toBe(
      '1 URL was skipped for lack of quota (fail-on: skipped).',
    );
  });

  it('fail-on: skipped also fails on URLs held back for their refresh; error does not', () => {
    const heldBack: UrlOutcome = { ...quota, url: 'https://a.com/h', skip: 'refresh', order: 4 };
    expect(verdict(runResult([heldBack]), 'error')).toBeUndefined();
    expect(verdict(runResult([quota, heldBack]), 'skipped')).toEqual({
      reason:
        '1 URL was skipped for lack of quota; 1 URL was held back because its refresh did not complete (fail-on: skipped).',
      listed: false,
    });
  });

  it('with wait, tasks that ended Failed at the CDN are listed too', () => {
    const run = runResult([submitted], {
      follow: { wait: { failed: 1 } } as NonNullable<RunResult['follow']>,
    });
    expect(verdict(run, 'error')).toEqual({
      reason: '1 of 1 submitted URL failed at the CDN (prefetch task Failed)',
      listed: true,
    });
  });

  it('success is undefined', () => {
    expect(verdict(runResult([submitted]), 'error')).toBeUndefined();
    expect(verdict(runResult([failed]), 'never')).toBeUndefined();
  });
});

describe("failureMessage: the action's wording", () => {
  const submitted = submittedOutcome;
  const failed = failedOutcome;
  const skipped = skippedOutcome;
  const fatal = 'PushObjectCache: Forbidden.RAM. Grant cdn:PushObjectCache';
  it.each<[string, RunResult, Record<FailOn, boolean>]>([
    ['all submitted', runResult([submitted(), submitted()]), { error: false, skipped: false, never: false }],
    ['nothing at all', runResult([]), { error: false, skipped: false, never: false }],
    ['a failed URL', runResult([submitted(), failed()]), { error: true, skipped: true, never: false }],
    [
      'a quota skip',
      runResult([submitted(), skipped('quota')]),
      { error: false, skipped: true, never: false },
    ],
    [
      'a domains skip',
      runResult([submitted(), skipped('domains')]),
      { error: false, skipped: false, never: false },
    ],
    [
      'only domains skips',
      runResult([skipped('domains'), skipped('domains')]),
      { error: false, skipped: false, never: false },
    ],
    [
      'quota and domains skips',
      runResult([skipped('domains'), skipped('quota')]),
      { error: false, skipped: true, never: false },
    ],
    ['fatal, nothing else', runResult([], { fatal }), { error: true, skipped: true, never: true }],
    [
      'fatal with submitted URLs',
      runResult([submitted()], { fatal }),
      { error: true, skipped: true, never: true },
    ],
  ])('%s', (_name, run, fails) => {
    for (const failOn of ['error', 'skipped', 'never'] as const) {
      const message = failureMessage(run, failOn);
      expect(message !== undefined, `fail-on: ${failOn}`).toBe(fails[failOn]);
      if (message !== undefined) expect(message.length).toBeGreaterThan(0);
    }
  });

  it('a fatal error is the message', () => {
    expect(failureMessage(runResult([], { fatal }), 'never')).toBe(fatal);
  });

  it('the failure message counts the failed URLs', () => {
    expect(failureMessage(runResult([submitted(), failed(), failed()]), 'error')).toMatch(/\b2\b/);
  });
});
