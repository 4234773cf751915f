/** The follow-through's mark on a run's result: per-URL fields, the outputs, and the pass/fail rule. */
import type { UrlOutcome } from '../base/outcome.js';
import type { Candidate } from '../urls/prepare.js';
import type { Refreshed, RefreshSent, UrlRefresh } from './refresh.js';
import type { FollowResult } from './types.js';
import type { Followed } from './wait.js';

/**
 * Adds `refreshStatus`, `refreshTaskId`, `refreshDescription`, `notRefreshed` and `refreshedAt` (with
 * `refresh`: on every URL that was a candidate) and `taskStatus` / `description` (with `wait`: on every
 * submitted URL) to the outcomes.
 */
export function withFollowThrough(
  outcomes: readonly UrlOutcome[],
  refreshed: Refreshed | undefined,
  waited: Followed | undefined,
): { outcomes: UrlOutcome[]; follow?: FollowResult } {
  if (!refreshed && !waited) return { outcomes: [...outcomes] };
  const decorated = outcomes.map((outcome) => {
    let next: UrlOutcome = outcome;
    const refresh = refreshed?.urls.get(outcome.url);
    if (refresh) next = { ...next, ...refresh };
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

/**
 * URLs held back from the prefetch because their refresh was not confirmed Complete: skipped, with
 * why. A prefetch sent now would fill nothing (the old copy is still valid) or be emptied by the
 * refresh when it completes. One whose refresh the CDN refused for itself (a host that is not an
 * accelerated domain, a URL it does not take) failed, with the refusal's code: a prefetch would be
 * refused the same way.
 */
export function heldBackOutcomes(
  items: readonly Candidate[],
  refreshed: Refreshed,
  sent: RefreshSent,
  waitTimeoutMs: number,
): UrlOutcome[] {
  return items.map((item) => {
    const where = { source: item.source, order: item.order };
    const missed = sent.notRefreshed.get(item.url);
    if (missed?.kind === 'refused' && missed.refusal) {
      const { code, errorClass } = missed.refusal;
      const reason = `${missed.reason}; not prefetched, as a prefetch would be refused too`;
      return { url: item.url, status: 'failed', reason, ...(code ? { code } : {}), errorClass, ...where };
    }
    const reason = heldBackReason(refreshed.urls.get(item.url), waitTimeoutMs);
    return { url: item.url, status: 'skipped', reason, skip: 'refresh', ...where };
  });
}

function heldBackReason(refresh: UrlRefresh | undefined, waitTimeoutMs: number): string {
  const held = 'held back from the prefetch';
  switch (refresh?.refreshStatus) {
    case 'Failed':
      return `refresh: ${held}: its refresh failed at the CDN (${refresh.refreshDescription ?? 'no reason given'}), so the old copy stays`;
    case 'Pending':
    case 'Refreshing':
      return (
        `refresh: ${held}: its refresh was not confirmed Complete within wait-timeout (${waitTimeoutMs / 1000} s), ` +
        'and a prefetch before it completes fills nothing; it was refreshed, so a later prefetch needs no new refresh'
      );
    default:
      return `refresh: ${held}: ${refresh?.refreshDescription ?? 'not refreshed'}, so the old copy stays`;
  }
}
