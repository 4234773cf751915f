/**
 * `wait`: after submission, follow every submitted URL's prefetch task until it is Complete or Failed, or
 * `wait-timeout` passes. Also the shared machinery the refresh uses to wait for its own tasks.
 */
import type { AlibabaClient } from '../alibaba/client.js';
import { fatalText } from '../alibaba/errors.js';
import type { Wording } from '../base/wording.js';
import { AlibabaError, errorMessage, isFatal } from '../base/errors.js';
import { describeRefreshTaskById, splitTaskIds } from '../alibaba/operations.js';
import type { FollowOptions } from './options.js';
import type { UrlOutcome } from '../base/outcome.js';
import { withRetries, type RetryPolicy } from '../runtime/retry.js';
import type { RunStop } from '../runtime/stop.js';
import type { Logger } from '../base/logger.js';
import { countStates, pollTasks, taskProgress, type TrackedUrl } from './poll.js';
import type { UrlTaskState, WaitSummary } from './types.js';
import type { LookupPolicy } from '../submit/confirm.js';
import { count } from '../base/text.js';

/** What the follow-through phases need from the run. */
export interface FollowContext {
  client: AlibabaClient;
  options: FollowOptions;
  logger: Logger;
  retryPolicy: RetryPolicy;
  /** How a refresh call whose outcome is unknown is looked up. */
  lookup: LookupPolicy;
  stop: RunStop;
  /** How advice names what to change: inputs in the action, flags in the CLI. */
  wording?: Wording;
}

export interface Followed {
  summary: WaitSummary;
  /** URL → last known state of its task. */
  states: Map<string, UrlTaskState>;
}

/** How many failed URLs are named one by one in the log; the rest are in the summary and the report. */
const LOGGED_FAILURES = 10;

/**
 * Polls the tasks of `tracked` (DescribeRefreshTaskById, ≤ 10 IDs a call, retried like any call) until
 * they finish or `wait-timeout` passes, and says how the wait ended. Never throws for a failing poll:
 * the wait then ends with a warning and the states as last known.
 */
export async function followTasks(
  ctx: FollowContext,
  what: 'Prefetch' | 'Refresh',
  tracked: readonly TrackedUrl[],
): Promise<Followed> {
  const { logger, options, stop } = ctx;
  const waitEnds = Date.now() + options.waitTimeoutMs;
  let calls = 0;
  const lookUp = (taskIds: string[]) => {
    // Retries stop at the wait's deadline (but a poll at the deadline still gets one interval of them).
    const policy = {
      ...ctx.retryPolicy,
      maxElapsedMs: Math.min(
        ctx.retryPolicy.maxElapsedMs,
        Math.max(options.pollIntervalMs, waitEnds - Date.now()),
      ),
    };
    return withRetries(
      () => {
        calls++;
        return describeRefreshTaskById(ctx.client, taskIds);
      },
      policy,
      {
        signal: stop.sendSignal,
        onRetry: (error, delay, attempt) =>
          logger.info(
            `  DescribeRefreshTaskById: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`,
          ),
      },
    );
  };
  const outcome = await pollTasks(tracked, {
    what,
    pollIntervalMs: options.pollIntervalMs,
    waitTimeoutMs: options.waitTimeoutMs,
    lookUp,
    logger,
    signal: stop.sendSignal,
  });
  const summary: WaitSummary = {
    ...countStates(outcome.states),
    ended: outcome.ended,
    polls: outcome.polls,
    calls,
    elapsedMs: outcome.elapsedMs,
    tasks: taskProgress(tracked, outcome.states),
    ...(outcome.error !== undefined ? { error: pollError(outcome.error, ctx.wording) } : {}),
  };
  return { summary, states: outcome.states };
}

function pollError(error: unknown, wording: Wording | undefined): string {
  if (error instanceof AlibabaError && isFatal(error.errorClass)) return fatalText(error, wording);
  return errorMessage(error);
}

/** Says how a wait ended: a notice when all finished, a warning otherwise. */
export function reportWaitEnd(logger: Logger, what: string, summary: WaitSummary, timeoutMs: number): void {
  const counts = `${summary.completed} done, ${summary.failed} failed, ${summary.pending} pending`;
  const seconds = Math.round(summary.elapsedMs / 1000);
  switch (summary.ended) {
    case 'finished':
      logger.info(`${what} tasks finished after ${seconds} s: ${counts}.`);
      return;
    case 'timeout':
      logger.warning(
        `${what}: ${count(summary.pending, 'URL')} still pending when wait-timeout (${timeoutMs / 1000} s) passed ` +
          `(${counts}). The CDN carries on with ${summary.pending === 1 ? 'it' : 'them'}; raise wait-timeout to wait longer.`,
      );
      return;
    case 'stopped':
      logger.warning(
        `${what}: stopped waiting after ${seconds} s, the run is stopping (${counts} as last known).`,
      );
      return;
    case 'poll-failed':
      logger.warning(
        `${what}: stopped waiting after ${seconds} s, DescribeRefreshTaskById kept failing ` +
          `(${summary.error ?? 'unknown error'}); counts as last known: ${counts}.`,
      );
  }
}

/** Names failed URLs with the CDN's reason, a few in the log; all of them are in the summary and the report. */
export function warnFailures(logger: Logger, what: string, states: ReadonlyMap<string, UrlTaskState>): void {
  const failed = [...states].filter(([, state]) => state.status === 'Failed');
  for (const [url, state] of failed.slice(0, LOGGED_FAILURES)) {
    logger.warning(`${what} failed at the CDN: ${url} (${state.description ?? 'no reason given'})`);
  }
  if (failed.length > LOGGED_FAILURES) {
    logger.warning(
      `…and ${failed.length - LOGGED_FAILURES} more ${what.toLowerCase()} failures; see the job summary.`,
    );
  }
}

/** `wait`: follows the submitted URLs' prefetch tasks. Undefined when `wait` is off. */
export async function waitForPrefetch(
  ctx: FollowContext,
  outcomes: readonly UrlOutcome[],
): Promise<Followed | undefined> {
  if (!ctx.options.wait) return undefined;
  const { logger, options } = ctx;
  const tracked = outcomes
    .filter((outcome) => outcome.status === 'submitted')
    .map((outcome) => ({ url: outcome.url, taskIds: splitTaskIds(outcome.taskId ?? '') }));
  const untracked = tracked.filter((item) => item.taskIds.length === 0).length;
  if (untracked > 0) {
    logger.warning(
      untracked === 1
        ? '1 submitted URL has no task ID to follow: it counts as pending.'
        : `${untracked} submitted URLs have no task ID to follow: they count as pending.`,
    );
  }
  const ids = new Set(tracked.flatMap((item) => item.taskIds)).size;
  if (tracked.length > 0) {
    logger.info(
      `Waiting for ${count(tracked.length, 'prefetched URL')} in ${count(ids, 'task')} (up to ${options.waitTimeoutMs / 1000} s, ` +
        `polling every ${options.pollIntervalMs / 1000} s or more).`,
    );
  }
  const followed = await followTasks(ctx, 'Prefetch', tracked);
  if (tracked.length > 0) reportWaitEnd(logger, 'Prefetch', followed.summary, options.waitTimeoutMs);
  warnFailures(logger, 'Prefetch', followed.states);
  return followed;
}
