/**
 * Polling CDN tasks until every URL has finished, or the wait's bound passes. Pure of I/O: the look-up
 * (one DescribeRefreshTaskById call with its retries), the clock and the pause are passed in, so the
 * schedule is tested with a fake clock.
 *
 * The schedule: the first poll one `poll-interval` after the start; never two polls closer than
 * `poll-interval`; the pause grows ×1.5 while no URL changes status, up to 6× `poll-interval`, and drops
 * back at the first change; one last poll at the deadline.
 */
import { MAX_TASK_IDS_PER_LOOKUP, type CdnTask } from '../alibaba/operations.js';
import { sleep as realSleep } from '../runtime/retry.js';
import { normalizeUrl } from '../urls/normalize.js';
import type { Logger } from '../base/logger.js';
import type { TaskStatus } from '../base/outcome.js';
import type { TaskProgress, UrlTaskState, WaitEnd } from './types.js';
import { count } from '../base/text.js';

/** A URL to follow, and the task IDs its call's answer gave (one answer may hold several IDs). */
export interface TrackedUrl {
  url: string;
  taskIds: readonly string[];
}

export interface PollOptions {
  /** `Prefetch` or `Refresh`, for the log lines. */
  what: string;
  pollIntervalMs: number;
  waitTimeoutMs: number;
  /** One look-up of at most 10 task IDs, retries included; throws when it keeps failing. */
  lookUp: (taskIds: string[]) => Promise<CdnTask[]>;
  logger: Logger;
  /** Aborted when the run must stop: the wait ends at once. */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PollOutcome {
  /** URL → its last known state; every tracked URL is here. */
  states: Map<string, UrlTaskState>;
  ended: WaitEnd;
  polls: number;
  /** Look-ups asked for (each one DescribeRefreshTaskById call before retries). */
  lookUps: number;
  elapsedMs: number;
  /** The failure that ended the wait, with `ended: 'poll-failed'`. */
  error?: unknown;
}

/** The pause grows by this factor after a round in which no URL changed status... */
export const BACKOFF_FACTOR = 1.5;
/** ...up to this many times `poll-interval`. */
export const MAX_BACKOFF = 6;

/** The pause before the next poll: back to `base` after a change, otherwise ×1.5 up to 6× `base`. */
export function nextInterval(current: number, base: number, changed: boolean): number {
  return changed ? base : Math.min(current * BACKOFF_FACTOR, base * MAX_BACKOFF);
}

export interface ScheduleState {
  start: number;
  deadline: number;
  /** `poll-interval`, the shortest pause between two polls. */
  base: number;
  /** The current pause, from `nextInterval`. */
  interval: number;
  /** When the previous poll started and ended; undefined before the first. */
  lastPollAt?: number;
  lastPollEnd?: number;
}

/**
 * When the next poll may start, or undefined when the wait is over. The pause counts from the end of
 * the previous poll, so two polls are never closer than `poll-interval`. The last poll is at the
 * deadline — or `poll-interval` after the previous one, if that is later.
 */
export function nextPollAt(state: ScheduleState): number | undefined {
  const { start, deadline, base, interval, lastPollAt, lastPollEnd } = state;
  if (lastPollAt === undefined || lastPollEnd === undefined) return Math.min(start + base, deadline);
  if (lastPollAt >= deadline) return undefined;
  const next = lastPollEnd + interval;
  return next < deadline ? next : Math.max(deadline, lastPollEnd + base);
}

/** Splits IDs into look-ups of at most 10, keeping their order. */
export function groupTaskIds(taskIds: readonly string[], size = MAX_TASK_IDS_PER_LOOKUP): string[][] {
  const groups: string[][] = [];
  for (let start = 0; start < taskIds.length; start += size) groups.push(taskIds.slice(start, start + size));
  return groups;
}

/** Alibaba's status spelling → ours; anything unknown is taken as not finished. */
export function taskStatusOf(raw: string): TaskStatus {
  switch (raw.trim().toLowerCase()) {
    case 'complete':
      return 'Complete';
    case 'failed':
      return 'Failed';
    case 'refreshing':
      return 'Refreshing';
    default:
      return 'Pending';
  }
}

export function isFinished(status: TaskStatus): boolean {
  return status === 'Complete' || status === 'Failed';
}

/** When one URL shows up in several tasks (sent twice), the most hopeful one speaks for it. */
const RANK: Record<TaskStatus, number> = { Complete: 3, Refreshing: 2, Pending: 1, Failed: 0 };

function stateOf(task: CdnTask): UrlTaskState {
  const status = taskStatusOf(task.status);
  const percent = Number.parseInt(task.process ?? '', 10);
  return {
    status,
    taskId: task.taskId,
    process: isFinished(status) ? 100 : Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : 0,
    ...(status === 'Failed' && task.description ? { description: task.description } : {}),
  };
}

/** Finds the tracked URL a task's ObjectPath stands for, by normalized URL (and, failing that, without the scheme). */
class UrlIndex {
  private readonly exact = new Map<string, TrackedUrl>();
  private readonly schemeless = new Map<string, TrackedUrl | null>();

  constructor(tracked: readonly TrackedUrl[]) {
    for (const item of tracked) {
      this.exact.set(item.url, item);
      const key = withoutScheme(item.url);
      // null marks a key two URLs share (http:// and https://): no guessing between them.
      this.schemeless.set(key, this.schemeless.has(key) ? null : item);
    }
  }

  find(objectPath: string): TrackedUrl | undefined {
    const normalized = normalizeUrl(objectPath);
    if (!normalized.ok) return undefined;
    return this.exact.get(normalized.url) ?? this.schemeless.get(withoutScheme(normalized.url)) ?? undefined;
  }
}

function withoutScheme(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

/**
 * Polls until every tracked URL is Complete or Failed, `waitTimeoutMs` passes, the signal aborts, or a
 * look-up keeps failing. A URL missing from an answer is pending. Logs one line per round.
 */
export async function pollTasks(tracked: readonly TrackedUrl[], options: PollOptions): Promise<PollOutcome> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? realSleep;
  const { signal, logger } = options;
  const base = options.pollIntervalMs;
  const start = now();
  const deadline = start + options.waitTimeoutMs;
  const states = new Map<string, UrlTaskState>(
    tracked.map((item) => [item.url, { status: 'Pending' as const, process: 0 }]),
  );
  const pollable = tracked.filter((item) => item.taskIds.length > 0);
  const index = new UrlIndex(pollable);
  const schedule: ScheduleState = { start, deadline, base, interval: base };
  let polls = 0;
  let lookUps = 0;
  const finish = (ended: WaitEnd, error?: unknown): PollOutcome => ({
    states,
    ended,
    polls,
    lookUps,
    elapsedMs: now() - start,
    ...(error !== undefined ? { error } : {}),
  });
  const allFinished = (): boolean =>
    pollable.every((item) => isFinished(states.get(item.url)?.status ?? 'Pending'));

  if (allFinished()) return finish('finished');
  for (;;) {
    const at = nextPollAt(schedule);
    if (at === undefined) return finish('timeout');
    if (at > now()) await pause(at - now(), signal);
    if (signal?.aborted) return finish('stopped');
    schedule.lastPollAt = now();
    const active = activeTaskIds(pollable, states);
    const groups = groupTaskIds(active);
    lookUps += groups.length;
    const answers = await Promise.allSettled(groups.map((group) => options.lookUp(group)));
    polls++;
    schedule.lastPollEnd = now();
    const answered = new Set(groups.filter((_, i) => answers[i]?.status === 'fulfilled').flat());
    const tasks = answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []));
    const changed = applyAnswers(pollable, states, index, tasks, answered);
    logger.info(progressLine(options.what, polls, schedule.lastPollEnd - start, tracked, states));
    if (signal?.aborted) return finish('stopped');
    const failure = answers.find((answer) => answer.status === 'rejected');
    if (failure) return finish('poll-failed', failure.reason);
    if (allFinished()) return finish('finished');
    schedule.interval = nextInterval(schedule.interval, base, changed);
  }
}

/** The IDs, in order of first appearance, under which some URL has not finished. */
function activeTaskIds(pollable: readonly TrackedUrl[], states: Map<string, UrlTaskState>): string[] {
  const ids = new Set<string>();
  for (const item of pollable) {
    if (isFinished(states.get(item.url)?.status ?? 'Pending')) continue;
    for (const id of item.taskIds) ids.add(id);
  }
  return [...ids];
}

/**
 * Records what the answers say; returns whether any URL changed status. A finished URL stays finished.
 * An unfinished URL whose task IDs were all answered but which no answer lists is pending.
 */
function applyAnswers(
  pollable: readonly TrackedUrl[],
  states: Map<string, UrlTaskState>,
  index: UrlIndex,
  tasks: readonly CdnTask[],
  answered: ReadonlySet<string>,
): boolean {
  const seen = new Map<string, UrlTaskState>();
  for (const task of tasks) {
    const item = index.find(task.objectPath);
    if (!item || !item.taskIds.includes(task.taskId)) continue;
    const state = stateOf(task);
    const before = seen.get(item.url);
    if (!before || RANK[state.status] > RANK[before.status]) seen.set(item.url, state);
  }
  let changed = false;
  for (const item of pollable) {
    const previous = states.get(item.url);
    if (previous && isFinished(previous.status)) continue;
    const found = seen.get(item.url);
    const next =
      found ??
      (item.taskIds.every((id) => answered.has(id)) ? { status: 'Pending' as const, process: 0 } : previous);
    if (!next) continue;
    if (next.status !== previous?.status) changed = true;
    states.set(item.url, next);
  }
  return changed;
}

/** Counts of the URLs' last known states. */
export function countStates(states: ReadonlyMap<string, UrlTaskState>): {
  completed: number;
  failed: number;
  pending: number;
} {
  let completed = 0;
  let failed = 0;
  for (const state of states.values()) {
    if (state.status === 'Complete') completed++;
    else if (state.status === 'Failed') failed++;
  }
  return { completed, failed, pending: states.size - completed - failed };
}

function progressLine(
  what: string,
  poll: number,
  elapsedMs: number,
  tracked: readonly TrackedUrl[],
  states: ReadonlyMap<string, UrlTaskState>,
): string {
  const { completed, failed, pending } = countStates(states);
  return (
    `${what} tasks, poll ${poll} at ${Math.round(elapsedMs / 1000)} s: ` +
    `${completed} done, ${failed} failed, ${pending} pending (of ${count(tracked.length, 'URL')})`
  );
}

/** One row per task ID, in order of first appearance; a URL not found under any ID counts under its first. */
export function taskProgress(
  tracked: readonly TrackedUrl[],
  states: ReadonlyMap<string, UrlTaskState>,
): TaskProgress[] {
  const rows = new Map<string, TaskProgress & { processSum: number; refreshing: number }>();
  for (const item of tracked) {
    const state = states.get(item.url) ?? { status: 'Pending' as const, process: 0 };
    const id = state.taskId ?? item.taskIds[0];
    if (id === undefined) continue;
    let row = rows.get(id);
    if (!row) {
      row = {
        taskId: id,
        urls: 0,
        complete: 0,
        failed: 0,
        pending: 0,
        process: 0,
        status: 'Pending',
        processSum: 0,
        refreshing: 0,
      };
      rows.set(id, row);
    }
    row.urls++;
    row.processSum += state.process;
    if (state.status === 'Complete') row.complete++;
    else if (state.status === 'Failed') row.failed++;
    else row.pending++;
    if (state.status === 'Refreshing') row.refreshing++;
  }
  return [...rows.values()].map(({ processSum, refreshing, ...row }) => ({
    ...row,
    process: Math.floor(processSum / row.urls),
    status:
      row.pending === 0
        ? row.failed > 0
          ? 'Failed'
          : 'Complete'
        : refreshing > 0 || row.complete + row.failed > 0
          ? 'Refreshing'
          : 'Pending',
  }));
}
