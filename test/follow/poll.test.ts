import { describe, expect, it } from 'vitest';
import { AlibabaError } from '../../src/base/errors.js';
import type { CdnTask } from '../../src/alibaba/operations.js';
import {
  groupTaskIds,
  nextInterval,
  nextPollAt,
  pollTasks,
  taskProgress,
  taskStatusOf,
  type PollOptions,
  type TrackedUrl,
} from '../../src/follow/poll.js';
import { MemoryLogger } from '../helpers/logger.js';

describe('nextInterval', () => {
  it('grows ×1.5 while nothing changes, up to 6× poll-interval, and drops back on a change', () => {
    const base = 10_000;
    const seen: number[] = [];
    let interval = base;
    for (let i = 0; i < 7; i++) {
      interval = nextInterval(interval, base, false);
      seen.push(interval);
    }
    expect(seen).toEqual([15_000, 22_500, 33_750, 50_625, 60_000, 60_000, 60_000]);
    expect(nextInterval(60_000, base, true)).toBe(base);
  });
});

describe('nextPollAt', () => {
  const base = { start: 0, deadline: 30_000, base: 10_000, interval: 10_000 };

  it('puts the first poll one poll-interval after the start, or at the deadline if that is sooner', () => {
    expect(nextPollAt(base)).toBe(10_000);
    expect(nextPollAt({ ...base, deadline: 4_000 })).toBe(4_000);
  });

  it('counts the pause from the end of the previous poll', () => {
    expect(nextPollAt({ ...base, interval: 15_000, lastPollAt: 10_000, lastPollEnd: 12_000 })).toBe(27_000);
  });

  it('makes one last poll at the deadline, never closer than poll-interval to the previous one', () => {
    expect(nextPollAt({ ...base, interval: 22_500, lastPollAt: 10_000, lastPollEnd: 10_100 })).toBe(30_000);
    // The previous poll ended 5 s before the deadline: the last one waits the full poll-interval.
    expect(nextPollAt({ ...base, interval: 15_000, lastPollAt: 24_000, lastPollEnd: 25_000 })).toBe(35_000);
    expect(nextPollAt({ ...base, lastPollAt: 30_000, lastPollEnd: 30_050 })).toBeUndefined();
  });
});

describe('groupTaskIds', () => {
  it('asks about at most 10 IDs a call, in order', () => {
    const ids = Array.from({ length: 23 }, (_, i) => String(100 + i));
    const groups = groupTaskIds(ids);
    expect(groups.map((g) => g.length)).toEqual([10, 10, 3]);
    expect(groups.flat()).toEqual(ids);
    expect(groupTaskIds([])).toEqual([]);
  });
});

describe('taskStatusOf', () => {
  it.each([
    ['Complete', 'Complete'],
    ['complete', 'Complete'],
    ['Failed', 'Failed'],
    ['Refreshing', 'Refreshing'],
    ['Pending', 'Pending'],
    ['', 'Pending'],
    ['Whatever', 'Pending'],
  ] as const)('%s → %s', (raw, status) => expect(taskStatusOf(raw)).toBe(status));
});

/** A fake CDN on a fake clock: each URL finishes (or fails) at a given time. */
function fakeCdn(
  plan: Record<string, { taskId: string; endsAt: number; failure?: string; path?: string }>,
  clock: { now: number },
) {
  const calls: { at: number; ids: string[] }[] = [];
  const lookUp = async (ids: string[]): Promise<CdnTask[]> => {
    calls.push({ at: clock.now, ids });
    return Object.entries(plan)
      .filter(([, task]) => ids.includes(task.taskId))
      .map(([url, task]) => {
        const done = clock.now >= task.endsAt;
        return {
          taskId: task.taskId,
          objectPath: task.path ?? url,
          objectType: 'preload',
          status: done ? (task.failure ? 'Failed' : 'Complete') : clock.now > 0 ? 'Refreshing' : 'Pending',
          process: done ? '100%' : `${Math.floor((clock.now / task.endsAt) * 100)}%`,
          ...(done && task.failure ? { description: task.failure } : {}),
        };
      });
  };
  return { calls, lookUp };
}

function options(
  clock: { now: number },
  lookUp: PollOptions['lookUp'],
  extra: Partial<PollOptions> = {},
): PollOptions & { logger: MemoryLogger } {
  return {
    what: 'Prefetch',
    pollIntervalMs: 1000,
    waitTimeoutMs: 60_000,
    lookUp,
    logger: new MemoryLogger(),
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    ...extra,
  } as PollOptions & { logger: MemoryLogger };
}

const A = 'https://www.example.com/a';
const B = 'https://www.example.com/b';
const C = 'https://cdn.example.com/c';

describe('pollTasks', () => {
  it('polls until every URL is Complete or Failed, one log line per round', async () => {
    const clock = { now: 0 };
    const cdn = fakeCdn(
      {
        [A]: { taskId: '1', endsAt: 2000 },
        [B]: { taskId: '1', endsAt: 3000, failure: 'Origin Timeout' },
        [C]: { taskId: '2', endsAt: 2000 },
      },
      clock,
    );
    const tracked: TrackedUrl[] = [
      { url: A, taskIds: ['1'] },
      { url: B, taskIds: ['1'] },
      { url: C, taskIds: ['2'] },
    ];
    const opts = options(clock, cdn.lookUp);
    const outcome = await pollTasks(tracked, opts);
    expect(outcome.ended).toBe('finished');
    expect(outcome.states.get(A)).toMatchObject({ status: 'Complete', taskId: '1', process: 100 });
    expect(outcome.states.get(B)).toEqual({
      status: 'Failed',
      taskId: '1',
      process: 100,
      description: 'Origin Timeout',
    });
    expect(outcome.states.get(C)).toMatchObject({ status: 'Complete', taskId: '2' });
    // Once task 2 has finished it is no longer asked about.
    expect(cdn.calls.map((c) => c.ids)).toEqual([['1', '2'], ['1', '2'], ['1']]);
    expect(opts.logger.messages('info')).toEqual([
      'Prefetch tasks, poll 1 at 1 s: 0 done, 0 failed, 3 pending (of 3 URLs)',
      'Prefetch tasks, poll 2 at 2 s: 2 done, 0 failed, 1 pending (of 3 URLs)',
      'Prefetch tasks, poll 3 at 3 s: 2 done, 1 failed, 0 pending (of 3 URLs)',
    ]);
    expect(taskProgress(tracked, outcome.states)).toEqual([
      { taskId: '1', urls: 2, complete: 1, failed: 1, pending: 0, process: 100, status: 'Failed' },
      { taskId: '2', urls: 1, complete: 1, failed: 0, pending: 0, process: 100, status: 'Complete' },
    ]);
  });

  it('backs off ×1.5 while nothing changes, up to 6×, and never polls sooner than poll-interval', async () => {
    const clock = { now: 0 };
    // Nothing changes after the first poll (Pending → Refreshing) until the task completes at 40 s.
    const cdn = fakeCdn({ [A]: { taskId: '1', endsAt: 40_000 } }, clock);
    const outcome = await pollTasks(
      [{ url: A, taskIds: ['1'] }],
      options(clock, cdn.lookUp, { pollIntervalMs: 2000 }),
    );
    expect(outcome.ended).toBe('finished');
    const times = cdn.calls.map((c) => c.at);
    // 2 s, then +2 (a change: Pending → Refreshing), then +3, +4.5, +6.75, +10.125, +12 (the 6× cap), ...
    expect(times).toEqual([2000, 4000, 7000, 11_500, 18_250, 28_375, 40_375]);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(12_000);
  });

  it('ends at wait-timeout with one last poll at the deadline, the unfinished URLs pending', async () => {
    const clock = { now: 0 };
    const cdn = fakeCdn(
      { [A]: { taskId: '1', endsAt: 3000 }, [B]: { taskId: '1', endsAt: 3_600_000 } },
      clock,
    );
    const outcome = await pollTasks(
      [
        { url: A, taskIds: ['1'] },
        { url: B, taskIds: ['1'] },
      ],
      options(clock, cdn.lookUp, { pollIntervalMs: 1000, waitTimeoutMs: 10_000 }),
    );
    expect(outcome.ended).toBe('timeout');
    expect(outcome.states.get(A)?.status).toBe('Complete');
    expect(outcome.states.get(B)?.status).toBe('Refreshing');
    expect(cdn.calls.at(-1)?.at).toBe(10_000);
    expect(cdn.calls.every((c) => c.at <= 10_000)).toBe(true);
  });

  it('matches answers by normalized ObjectPath; a URL missing from the answer is pending', async () => {
    const clock = { now: 0 };
    const tracked: TrackedUrl[] = [
      { url: 'https://www.example.com/%C3%BCber', taskIds: ['7'] },
      { url: 'https://www.example.com/missing', taskIds: ['7'] },
    ];
    const lookUp = async (): Promise<CdnTask[]> => [
      // Alibaba's spellings: upper-case host, raw UTF-8, default port; and a task of another URL.
      {
        taskId: '7',
        objectPath: 'HTTPS://WWW.EXAMPLE.COM:443/über',
        objectType: 'preload',
        status: 'Complete',
      },
      { taskId: '7', objectPath: 'https://www.example.com/other', objectType: 'preload', status: 'Complete' },
    ];
    const outcome = await pollTasks(tracked, options(clock, lookUp, { waitTimeoutMs: 3000 }));
    expect(outcome.states.get('https://www.example.com/%C3%BCber')?.status).toBe('Complete');
    expect(outcome.states.get('https://www.example.com/missing')).toEqual({ status: 'Pending', process: 0 });
    expect(outcome.ended).toBe('timeout');
  });

  it('keeps a URL that a scheme-less answer names', async () => {
    const clock = { now: 0 };
    const lookUp = async (): Promise<CdnTask[]> => [
      { taskId: '3', objectPath: 'www.example.com/a', objectType: 'preload', status: 'Complete' },
    ];
    const outcome = await pollTasks(
      [{ url: 'http://www.example.com/a', taskIds: ['3'] }],
      options(clock, lookUp),
    );
    expect(outcome.states.get('http://www.example.com/a')?.status).toBe('Complete');
  });

  it('ignores a task of the same URL under an ID it was not sent with', async () => {
    const clock = { now: 0 };
    const lookUp = async (): Promise<CdnTask[]> => [
      { taskId: '9', objectPath: A, objectType: 'preload', status: 'Complete' },
    ];
    const outcome = await pollTasks(
      [{ url: A, taskIds: ['1'] }],
      options(clock, lookUp, { waitTimeoutMs: 1000 }),
    );
    expect(outcome.states.get(A)?.status).toBe('Pending');
  });

  it('ends with the states as last known when a look-up keeps failing', async () => {
    const clock = { now: 0 };
    const cdn = fakeCdn({ [A]: { taskId: '1', endsAt: 500 }, [B]: { taskId: '2', endsAt: 50_000 } }, clock);
    let round = 0;
    const lookUp = async (ids: string[]): Promise<CdnTask[]> => {
      if (++round > 1)
        throw new AlibabaError('DescribeRefreshTaskById: ServiceUnavailable', {
          action: 'DescribeRefreshTaskById',
          errorClass: 'transient',
          code: 'ServiceUnavailable',
        });
      return cdn.lookUp(ids);
    };
    const outcome = await pollTasks(
      [
        { url: A, taskIds: ['1'] },
        { url: B, taskIds: ['2'] },
      ],
      options(clock, lookUp),
    );
    expect(outcome.ended).toBe('poll-failed');
    expect(String(outcome.error)).toContain('ServiceUnavailable');
    expect(outcome.states.get(A)?.status).toBe('Complete');
    expect(outcome.states.get(B)?.status).toBe('Refreshing');
    expect(outcome.polls).toBe(2);
  });

  it('splits many task IDs into look-ups of at most 10', async () => {
    const clock = { now: 0 };
    const tracked = Array.from({ length: 25 }, (_, i) => ({ url: `${A}${i}`, taskIds: [String(i)] }));
    const plan = Object.fromEntries(
      tracked.map((t) => [t.url, { taskId: t.taskIds[0] ?? '', endsAt: 1000 }]),
    );
    const cdn = fakeCdn(plan, clock);
    const outcome = await pollTasks(tracked, options(clock, cdn.lookUp));
    expect(outcome.ended).toBe('finished');
    expect(cdn.calls.map((c) => c.ids.length)).toEqual([10, 10, 5]);
    expect(outcome.lookUps).toBe(3);
  });

  it('stops at once when the run is stopping', async () => {
    const clock = { now: 0 };
    const controller = new AbortController();
    const cdn = fakeCdn({ [A]: { taskId: '1', endsAt: 100_000 } }, clock);
    const lookUp = async (ids: string[]) => {
      const tasks = await cdn.lookUp(ids);
      if (cdn.calls.length === 2) controller.abort();
      return tasks;
    };
    const outcome = await pollTasks(
      [{ url: A, taskIds: ['1'] }],
      options(clock, lookUp, { signal: controller.signal }),
    );
    expect(outcome.ended).toBe('stopped');
    expect(cdn.calls).toHaveLength(2);
  });

  it('does not poll for URLs without a task ID, and counts them pending', async () => {
    const clock = { now: 0 };
    const cdn = fakeCdn({}, clock);
    const outcome = await pollTasks([{ url: A, taskIds: [] }], options(clock, cdn.lookUp));
    expect(outcome.ended).toBe('finished');
    expect(cdn.calls).toEqual([]);
    expect(outcome.states.get(A)?.status).toBe('Pending');
  });
});
