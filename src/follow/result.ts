/** The follow-through's mark on a run's result: per-URL fields, the outputs, and the pass/fail rule. */
import type { UrlOutcome } from '../base/outcome.js';
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
