/** The follow-through's mark on a run's result: per-URL fields, the outputs, and the pass/fail rule. */
import type { UrlOutcome } from '../report/outcome.js';
import type { RunResult } from '../run.js';
import type { Refreshed } from './refresh.js';
import type { FollowResult } from './types.js';
import type { Followed } from './wait.js';

/**
 * Adds `refreshStatus` / `refreshTaskId` (with `refresh`: on every URL, `NotRefreshed` where it was not
 * refreshed) and `taskStatus` / `description` (with `wait`: on every submitted URL) to the outcomes.
 */
export function withFollowThrough(
  outcomes: readonly UrlOutcome[],
  refreshed: Refreshed | undefined,
  waited: Followed | undefined,
): { outcomes: UrlOutcome[]; follow?: FollowResult } {
  if (!refreshed && !waited) return { outcomes: [...outcomes] };
  const decorated = outcomes.map((outcome) => {
    let next: UrlOutcome = outcome;
    if (refreshed)
      next = { ...next, ...(refreshed.urls.get(outcome.url) ?? { refreshStatus: 'NotRefreshed' }) };
    const state = outcome.status === 'submitted' ? waited?.states.get(outcome.url) : undefined;
    if (state) {
      next = {
        ...next,
        taskStatus: state.status,
        ...(state.description ? { description: state.description } : {}),
      };
    }
    return next;
  });
  return {
    outcomes: decorated,
    follow: {
      ...(refreshed ? { refresh: refreshed.summary } : {}),
      ...(waited ? { wait: waited.summary } : {}),
    },
  };
}

/** The outputs the follow-through adds; empty strings when it was not asked for, and in a dry run. */
export function followOutputs(result: RunResult): Record<string, string> {
  const { refresh, wait } = result.follow ?? {};
  return {
    'refresh-task-ids': refresh ? refresh.taskIds.join(',') : '',
    'completed-count': wait ? String(wait.completed) : '',
    'prefetch-failed-count': wait ? String(wait.failed) : '',
    'pending-count': wait ? String(wait.pending) : '',
  };
}

/** With `wait`, a prefetch task that ended Failed fails the step under `fail-on: error` (pending ones never do). */
export function followFailure(result: RunResult): string | undefined {
  const failed = result.follow?.wait?.failed ?? 0;
  if (failed === 0) return undefined;
  return (
    `${failed} of ${result.counts.submitted} submitted URLs failed at the CDN (prefetch task Failed); ` +
    'see the job summary and the report.'
  );
}
