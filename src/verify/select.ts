/**
 * Which URLs a verification asks for, in which order, and which it leaves unchecked before asking: the
 * URLs the run dealt with (never an invalid entry, one outside `domains` or one `exclude` names), the
 * deploy's changes first (added, modified, carried) in plan order, then the others (`urls` entries,
 * `changes: all`'s unchanged files) in input order.
 *
 * A URL whose prefetch this run submitted is asked for only once its task has finished: a request
 * before that would be the first to fill the cache, and the prefetch would then fill nothing there —
 * quota spent for nothing. A URL that was not prefetched (skipped for quota, refused, not sent) has no
 * prefetch to spoil and is asked for as it is: a page refreshed but not yet prefetched is fresh.
 */
import type { UrlOutcome } from '../base/outcome.js';
import { normalizeUrl } from '../urls/normalize.js';
import type { Expected } from './classify.js';
import type { Unchecked } from './types.js';

/** A URL to verify: what it should hold, or why it is not asked for. */
export interface VerifyTarget {
  url: string;
  /** The file built for this deploy; absent without a built site, or for a URL that is no site file. */
  expected?: Expected | undefined;
  /** Decided before asking: its prefetch is still running, or its file is too large to download. */
  unchecked?: Extract<Unchecked, 'prefetch-pending' | 'too-large'> | undefined;
  /** With `unchecked`: what a person should know. */
  note?: string | undefined;
  /** Should it be stale: the likely cause, from what the run knows of its refresh. */
  staleHint?: string | undefined;
}

/** What a built site says about a URL: its file, or that it is too large to check; undefined if none. */
export type ExpectedOf = (url: string) => { expected: Expected } | { tooLarge: string } | undefined;

/** The URLs of `outcomes` to verify, in the order they are asked for. */
export function verifyTargets(outcomes: readonly UrlOutcome[], expectedOf: ExpectedOf): VerifyTarget[] {
  const eligible = outcomes.filter(isSiteUrl);
  const changed = eligible.filter(isChange);
  const others = eligible.filter((outcome) => !isChange(outcome));
  return [...changed, ...others].map((outcome) => {
    const built = expectedOf(outcome.url);
    const target: VerifyTarget = {
      url: outcome.url,
      ...(built && 'expected' in built ? { expected: built.expected, staleHint: staleHint(outcome) } : {}),
    };
    if (prefetchPending(outcome)) {
      const note = `its prefetch task was ${outcome.taskStatus ?? 'not followed'} when the checks began`;
      return { ...target, unchecked: 'prefetch-pending', note };
    }
    if (built && 'tooLarge' in built) return { ...target, unchecked: 'too-large', note: built.tooLarge };
    return target;
  });
}

/** A URL the run dealt with: valid (in its sending form), allowed, not excluded. */
function isSiteUrl(outcome: UrlOutcome): boolean {
  if (outcome.skip === 'domains' || outcome.skip === 'excluded') return false;
  const normal = normalizeUrl(outcome.url);
  return normal.ok && normal.url === outcome.url;
}

function isChange(outcome: UrlOutcome): boolean {
  return outcome.change === 'added' || outcome.change === 'modified' || outcome.change === 'carried';
}

/** Submitted by this run, and its task not seen Complete or Failed. */
function prefetchPending(outcome: UrlOutcome): boolean {
  return (
    outcome.status === 'submitted' && outcome.taskStatus !== 'Complete' && outcome.taskStatus !== 'Failed'
  );
}

/** What most likely keeps a URL stale, from its change and its refresh; undefined when nothing is known. */
export function staleHint(outcome: UrlOutcome): string | undefined {
  const refresh = outcome.refreshStatus;
  if (refresh === 'Failed') return `its refresh failed (${outcome.refreshDescription ?? 'no reason given'})`;
  if (refresh === 'Pending' || refresh === 'Refreshing') return 'its refresh had not finished';
  if (refresh === 'Complete') {
    return 'refreshed, and still other content: the origin may serve an old copy, or a CDN rule rewrites it';
  }
  if (outcome.change === 'added')
    return 'new in this build, yet other content is served: is the origin updated?';
  if (outcome.skip === 'quota') {
    return 'skipped for quota, so neither refreshed nor prefetched: the CDN may still hold the previous copy';
  }
  const why = outcome.refreshDescription ? ` (${outcome.refreshDescription})` : '';
  if (refresh === 'NotRefreshed') {
    // It needed a refresh and got none: held back, and (with state) refreshed first by a later run.
    return `not refreshed${why}: the CDN may still hold the previous copy`;
  }
  return (
    `not refreshed${why}: the CDN may still hold the previous copy (refresh: changed, the default, refreshes ` +
    'what changed in place; refresh: true, every URL)'
  );
}
