import { runResult } from '../helpers/results.js';
import { describe, expect, it } from 'vitest';
import type { Refreshed } from '../../src/follow/refresh.js';
import { withFollowThrough } from '../../src/follow/result.js';
import { followOutputs } from '../../src/report/outputs.js';
import type { WaitSummary } from '../../src/follow/types.js';
import type { Followed } from '../../src/follow/wait.js';
import type { UrlOutcome } from '../../src/base/outcome.js';
import { renderSummary } from '../../src/report/summary.js';
import { refreshText } from '../../src/report/follow-summary.js';
import { failureMessage } from '../../src/report/verdict.js';
import type { RunResult } from '../../src/report/result.js';

const A = 'https://www.example.com/a';
const B = 'https://www.example.com/b';
const C = 'https://www.example.com/c';
const BAD = 'ftp://x';

/** The run's outcomes, fresh for each use: withFollowThrough completes them in place. */
const fresh = (): UrlOutcome[] => [
  { url: A, status: 'submitted', taskId: '11', order: 1 },
  { url: B, status: 'submitted', taskId: '11', order: 2 },
  { url: C, status: 'skipped', skip: 'quota', reason: 'quota', order: 3 },
  { url: BAD, status: 'failed', reason: 'not http', order: 4 },
];

function waitSummary(extra: Partial<WaitSummary> = {}): WaitSummary {
  return {
    completed: 1,
    failed: 1,
    pending: 0,
    ended: 'finished',
    polls: 3,
    calls: 3,
    elapsedMs: 4200,
    tasks: [{ taskId: '11', urls: 2, complete: 1, failed: 1, pending: 0, process: 100, status: 'Failed' }],
    ...extra,
  };
}

const waited: Followed = {
  summary: waitSummary(),
  states: new Map([
    [A, { status: 'Complete', taskId: '11', process: 100 }],
    [B, { status: 'Failed', taskId: '11', process: 100, description: 'Origin Return StatusCode 5XX' }],
  ]),
};

const refreshed: Refreshed = {
  summary: { taskIds: ['7', '8'], requested: 2, refreshed: 1, notRefreshed: 1, urlRemain: 1, calls: 1 },
  urls: new Map([
    [A, { refreshStatus: 'Complete', refreshTaskId: '7' }],
    [
      B,
      {
        refreshStatus: 'NotRefreshed',
        refreshDescription: 'beyond the daily refresh quota (UrlRemain was 1)',
      },
    ],
  ]),
};

/** A run that sent one call, task 11. */
function sentRun(list: UrlOutcome[], extra: Partial<RunResult> = {}): RunResult {
  return runResult(list, { taskIds: ['11'], calls: 1, ...extra });
}

describe('withFollowThrough', () => {
  it('adds taskStatus and description to submitted URLs, the refresh to every URL that was a candidate', () => {
    const { outcomes: decorated, follow } = withFollowThrough(fresh(), refreshed, waited);
    expect(
      decorated.map(({ url, taskStatus, description, refreshStatus, refreshTaskId }) => ({
        url,
        taskStatus,
        description,
        refreshStatus,
        refreshTaskId,
      })),
    ).toEqual([
      {
        url: A,
        taskStatus: 'Complete',
        description: undefined,
        refreshStatus: 'Complete',
        refreshTaskId: '7',
      },
      {
        url: B,
        taskStatus: 'Failed',
        description: 'Origin Return StatusCode 5XX',
        refreshStatus: 'NotRefreshed',
        refreshTaskId: undefined,
      },
      {
        url: C,
        taskStatus: undefined,
        description: undefined,
        refreshStatus: undefined,
        refreshTaskId: undefined,
      },
      {
        url: BAD,
        taskStatus: undefined,
        description: undefined,
        refreshStatus: undefined,
        refreshTaskId: undefined,
      },
    ]);
    expect(follow).toEqual({ refresh: refreshed.summary, wait: waited.summary });
    // Completed in place: the run's own outcomes, never a copy of each of a million.
    const given = fresh();
    const { outcomes: same } = withFollowThrough(given, refreshed, waited);
    expect(same[0]).toBe(given[0]);
    expect(given[0]).toHaveProperty('taskStatus', 'Complete');
  });

  it('changes nothing without refresh and wait', () => {
    const { outcomes: same, follow } = withFollowThrough(fresh(), undefined, undefined);
    expect(same).toEqual(fresh());
    expect(follow).toBeUndefined();
    expect(same[0]).not.toHaveProperty('refreshStatus');
  });
});

describe('followOutputs', () => {
  it('gives the counts with wait, the refresh IDs with refresh', () => {
    const { outcomes: list, follow } = withFollowThrough(fresh(), refreshed, waited);
    expect(followOutputs(sentRun(list, follow ? { follow } : {}))).toEqual({
      'refresh-task-ids': '7,8',
      'completed-count': '1',
      'prefetch-failed-count': '1',
      'pending-count': '0',
    });
  });

  it('leaves all four empty without them (and in a dry run, which has no follow-through)', () => {
    expect(followOutputs(sentRun(fresh()))).toEqual({
      'refresh-task-ids': '',
      'completed-count': '',
      'prefetch-failed-count': '',
      'pending-count': '',
    });
  });
});

describe('verdict with wait', () => {
  const ok: UrlOutcome[] = [
    { url: A, status: 'submitted', taskId: '11', order: 1 },
    { url: B, status: 'submitted', taskId: '11', order: 2 },
  ];

  it('fails fail-on: error (and skipped) when a prefetch task ended Failed, not fail-on: never', () => {
    const result = sentRun(ok, { follow: { wait: waitSummary() } });
    expect(failureMessage(result, 'error')).toBe(
      '1 of 2 submitted URLs failed at the CDN (prefetch task Failed); see the job summary and the report.',
    );
    expect(failureMessage(result, 'skipped')).toBeDefined();
    expect(failureMessage(result, 'never')).toBeUndefined();
  });

  it('does not fail for URLs still pending at the timeout', () => {
    const result = sentRun(ok, {
      follow: { wait: waitSummary({ completed: 0, failed: 0, pending: 2, ended: 'timeout' }) },
    });
    expect(failureMessage(result, 'error')).toBeUndefined();
  });

  it('keeps failed-count for URLs that were never accepted', () => {
    const { outcomes: list, follow } = withFollowThrough(fresh(), undefined, waited);
    const result = sentRun(list, follow ? { follow } : {});
    expect(result.counts.failed).toBe(1);
    expect(failureMessage(result, 'error')).toMatch(/^1 of 4 URLs failed/);
  });
});

describe('summary with refresh and wait', () => {
  it('shows a table of tasks and the failed URLs with the CDN reason', () => {
    const { outcomes: list, follow } = withFollowThrough(fresh(), refreshed, waited);
    const markdown = renderSummary(sentRun(list, follow ? { follow } : {}), '/tmp/r.json');
    expect(markdown).toContain('### Refresh before the prefetch');
    expect(markdown).toContain(
      '2 URLs needed a refresh: 1 refreshed, 1 not refreshed · 1 RefreshObjectCaches call',
    );
    expect(markdown).toContain(`| ${B} | NotRefreshed | beyond the daily refresh quota (UrlRemain was 1) |`);
    expect(markdown).toContain('### Waiting for the prefetch');
    expect(markdown).toContain('| completed | 1 |');
    expect(markdown).toContain('| failed at the CDN | 1 |');
    expect(markdown).toContain('| task | URLs | status | progress |');
    expect(markdown).toContain('| `11` | 2 | Failed | 100% (1 done, 1 failed, 0 pending) |');
    expect(markdown).toContain('#### Prefetch failed at the CDN (1)');
    expect(markdown).toContain(`| ${B} | Origin Return StatusCode 5XX |`);
    expect(markdown).toContain('every task finished after 4 s');
  });

  it('says when the wait ended at the timeout or because the polls kept failing', () => {
    const timedOut = renderSummary(
      sentRun(fresh(), {
        follow: { wait: waitSummary({ ended: 'timeout', pending: 2, elapsedMs: 900_000 }) },
      }),
      '/r',
    );
    expect(timedOut).toContain('wait-timeout passed after 900 s with 2 URLs pending');
    const failing = renderSummary(
      sentRun(fresh(), {
        follow: {
          wait: waitSummary({ ended: 'poll-failed', error: 'DescribeRefreshTaskById: ServiceUnavailable' }),
        },
      }),
      '/r',
    );
    expect(failing).toContain('the polls kept failing (DescribeRefreshTaskById: ServiceUnavailable)');
  });

  it('shows nothing of it without refresh and wait', () => {
    const markdown = renderSummary(sentRun(fresh()), '/r');
    expect(markdown).not.toContain('Waiting for the prefetch');
    expect(markdown).not.toContain('Refresh before');
  });
});

describe('refreshText', () => {
  const base = { taskIds: [], calls: 1, refreshed: 0, notRefreshed: 0 };
  it.each([
    [{ ...base, requested: 0, notNeeded: { added: 9 } }, 'no URL needed a refresh (9 added)'],
    [
      { ...base, requested: 0, notNeeded: { refreshed: 5, list: 1 } },
      'no URL needed a refresh (5 refreshed by an earlier run, 1 urls / urls-file entries)',
    ],
    [
      {
        ...base,
        requested: 8,
        refreshed: 6,
        notRefreshed: 2,
        heldBack: 3,
        notNeeded: { added: 1 },
        wait: waitSummary({ completed: 5, failed: 1, pending: 0 }),
      },
      '8 URLs needed a refresh: 6 refreshed (5 Complete, 1 failed at the CDN), 2 not refreshed; ' +
        '3 held back from the prefetch until their refresh completes; none needed for 1 added',
    ],
  ])('%j', (summary, text) => {
    expect(refreshText(summary)).toBe(text);
  });
});
