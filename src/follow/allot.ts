/**
 * The day's prefetch quota allotted over the plan in its order, around the refresh: a URL that needs no
 * refresh may be prefetched at once; one whose refresh was accepted keeps its slot until the refresh is
 * confirmed Complete, so that a higher-ranked modified URL is not starved by lower-ranked added ones
 * sent first; one whose refresh was not accepted takes none. After the refresh wait, the slots of
 * refreshes that did not complete go to the next URLs that may be prefetched. Pure.
 */
import type { Candidate } from '../urls/prepare.js';
import { neededUrls, type RefreshNeed } from './fresh.js';
import type { Refreshed, RefreshSent, UrlRefresh } from './refresh.js';

/** Where a URL stands for the prefetch: it may go now, after its refresh completes, or not in this run. */
export type Readiness = 'ready' | 'waiting' | 'held';

export interface Allotted<T> {
  /** Given a slot, and may be prefetched now. */
  ready: T[];
  /** Given a slot, kept until their refresh is confirmed Complete. */
  waiting: T[];
  /** No slot: beyond the quota, or held (in the order given). */
  left: T[];
}

/**
 * The quota (`slots`; undefined: no cap) allotted over `items` in the order given (the plan's): each
 * ready or waiting item takes a slot while slots remain; a held one takes none. After the refresh
 * wait, the slots of the waiting items whose refresh did not complete are allotted again, the same way,
 * over what is left.
 */
export function allot<T>(
  items: readonly T[],
  readiness: (item: T) => Readiness,
  slots: number | undefined,
): Allotted<T> {
  const result: Allotted<T> = { ready: [], waiting: [], left: [] };
  let free = slots === undefined ? Infinity : Math.max(0, slots);
  for (const item of items) {
    const where = readiness(item);
    if (where === 'held' || free === 0) {
      result.left.push(item);
      continue;
    }
    result[where].push(item);
    free--;
  }
  return result;
}

/** The first allotment, before the refresh wait; without `sent` (a dry run) every URL is ready. */
export function allotBeforeRefresh(
  candidates: readonly Candidate[],
  needs: ReadonlyMap<string, RefreshNeed>,
  sent: RefreshSent | undefined,
  quota: number | undefined,
): Allotted<Candidate> {
  const ordered = [...candidates].sort((a, b) => a.order - b.order);
  const needed = neededUrls(needs);
  return allot(
    ordered,
    (item) => {
      if (sent === undefined || !needed.has(item.url)) return 'ready';
      return sent.accepted.has(item.url) ? 'waiting' : 'held';
    },
    quota,
  );
}

/** What became of the URLs that had no slot before the refresh wait, or were waiting for their refresh. */
export interface AfterRefresh {
  /** Prefetched now: their refresh is Complete (or they need none), within the slots kept for them. */
  ready: Candidate[];
  /** Not prefetched: their refresh was not confirmed Complete. */
  heldBack: Candidate[];
  /** Not prefetched: beyond the quota. */
  overQuota: Candidate[];
}

/**
 * After the refresh wait: the slots kept for refreshed URLs go, in plan order, to those whose refresh
 * is Complete, then to the next URLs that may be prefetched. A URL whose refresh was refused, failed,
 * or (when the refreshes were `awaited`) did not complete is held back; one whose accepted refresh was
 * not awaited (no slot waited for it) is simply beyond the quota. Once the run has `halted` (stopped,
 * or every prefetch refused for good), a refresh cut short is no reason to hold a URL back: it goes on
 * to the submission, which reports it not sent and why (and the state carries it so).
 */
export function allotAfterRefresh(
  first: Allotted<Candidate>,
  needs: ReadonlyMap<string, RefreshNeed>,
  sent: RefreshSent | undefined,
  refreshed: Refreshed | undefined,
  run: { halted: boolean; awaited: boolean },
): AfterRefresh {
  const pending = [...first.waiting, ...first.left].sort((a, b) => a.order - b.order);
  if (sent === undefined) return { ready: [], heldBack: [], overQuota: pending };
  const refreshOf = (item: Candidate): UrlRefresh | undefined => refreshed?.urls.get(item.url);
  const neededSet = neededUrls(needs);
  const needed = (item: Candidate): boolean => neededSet.has(item.url);
  const complete = (item: Candidate): boolean => refreshOf(item)?.refreshStatus === 'Complete';
  const cut = new Set(run.halted ? pending.filter((item) => needed(item) && cutByStop(refreshOf(item))) : []);
  const second = allot(
    pending.filter((item) => !cut.has(item)),
    (item) => (!needed(item) || complete(item) ? 'ready' : 'held'),
    first.waiting.filter((item) => !cut.has(item)).length,
  );
  const held = (item: Candidate): boolean =>
    needed(item) && !complete(item) && (run.awaited || !stillRunning(refreshOf(item)));
  return {
    ready: [...cut, ...second.ready].sort((a, b) => a.order - b.order),
    heldBack: second.left.filter(held),
    overQuota: second.left.filter((item) => !held(item)),
  };
}

/** An accepted refresh not known to have finished. */
function stillRunning(refresh: UrlRefresh | undefined): boolean {
  return refresh?.refreshStatus === 'Pending' || refresh?.refreshStatus === 'Refreshing';
}

/** A refresh still running, or never sent, because the run stopped. */
function cutByStop(refresh: UrlRefresh | undefined): boolean {
  if (refresh === undefined) return false;
  if (stillRunning(refresh)) return true;
  const { notRefreshed } = refresh;
  return notRefreshed === 'deadline' || notRefreshed === 'cancelled' || notRefreshed === 'stopped';
}
