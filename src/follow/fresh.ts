/**
 * Fresh, then warm. A prefetch does not replace a copy the CDN already holds, so a URL whose content
 * changed in place is refreshed first and prefetched only once its refresh task is Complete; a prefetch
 * sent sooner fills nothing and costs quota. Freshness does not wait for the prefetch quota: every URL
 * that needs a refresh is refreshed in the run that first sees it, its prefetch maybe in a later one.
 *
 * Pure: which URLs need a refresh, and why the others need none. The prefetch quota is allotted
 * around the refresh in allot.ts.
 */
import type { UrlChange } from '../base/outcome.js';
import type { Candidate, EntryChange } from '../urls/prepare.js';
import type { RefreshMode } from './options.js';

/** Why a URL needs no refresh: it is new, a list entry, unchanged, or an earlier run refreshed it. */
export type NoRefreshKind = 'added' | 'list' | 'unchanged' | 'refreshed';

/** Whether a URL is refreshed before its prefetch, and if not, why not (for its report row). */
export type RefreshNeed =
  | { needed: true }
  | {
      needed: false;
      kind: NoRefreshKind;
      why: string;
      /** A carried URL an earlier run refreshed: when. */
      refreshedAt?: string;
    };

/**
 * Each candidate's need, by URL; empty with `refresh: false`. `changes` (by order) says why the sitemap
 * diff or site-dir selected an entry; list entries have none.
 */
export function refreshNeeds(
  candidates: readonly Candidate[],
  changes: ReadonlyMap<number, EntryChange>,
  mode: RefreshMode,
): Map<string, RefreshNeed> {
  const needs = new Map<string, RefreshNeed>();
  if (mode === 'none') return needs;
  for (const candidate of candidates) needs.set(candidate.url, needOf(changes.get(candidate.order), mode));
  return needs;
}

const NEEDED: RefreshNeed = { needed: true };
/** The needs that say the same, made once: a first deploy of a million files has a million "added". */
const LIST: RefreshNeed = {
  needed: false,
  kind: 'list',
  why: 'a urls / urls-file entry: refresh: changed refreshes only what changed in place (refresh: true refreshes it)',
};
const NOT_NEEDED = {
  added: notNeeded('added', ''),
  addedCarried: notNeeded('added', ' (carried)'),
  unchanged: notNeeded('unchanged', ''),
  unchangedCarried: notNeeded('unchanged', ' (carried)'),
};

function notNeeded(kind: 'added' | 'unchanged', carried: string): RefreshNeed {
  const why =
    kind === 'added'
      ? `added${carried}: the CDN holds no earlier copy to replace`
      : `unchanged${carried}: the CDN's copy is current`;
  return { needed: false, kind, why };
}

function needOf(entry: EntryChange | undefined, mode: RefreshMode): RefreshNeed {
  if (entry === undefined) return mode === 'all' ? NEEDED : LIST;
  if (entry.change === 'carried') {
    if (entry.refreshedAt !== undefined) {
      return {
        needed: false,
        kind: 'refreshed',
        why: `refreshed by an earlier run (${entry.refreshedAt})`,
        refreshedAt: entry.refreshedAt,
      };
    }
    return changeNeed(entry.firstChange ?? 'modified', mode, ' (carried)');
  }
  return changeNeed(entry.change, mode, '');
}

function changeNeed(change: UrlChange, mode: RefreshMode, carried: string): RefreshNeed {
  if (change === 'modified' || mode === 'all') return NEEDED;
  if (change === 'added') return carried ? NOT_NEEDED.addedCarried : NOT_NEEDED.added;
  return carried ? NOT_NEEDED.unchangedCarried : NOT_NEEDED.unchanged;
}

/**
 * The URLs that need a refresh, as a set of their own: they are few, and looking a URL up among them is
 * quicker than among every candidate's need (a first deploy has a million, none needed).
 */
export function neededUrls(needs: ReadonlyMap<string, RefreshNeed>): Set<string> {
  const needed = new Set<string>();
  for (const [url, need] of needs) if (need.needed) needed.add(url);
  return needed;
}
