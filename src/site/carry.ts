/**
 * The state the next run reads, built after this run from its scan, its plan and every URL's outcome.
 * The files are this deploy's hashes; the carried list is every planned URL that was not warmed but
 * can be by a later run:
 * - skipped because the day's quota was used up;
 * - not sent because the run stopped (its deadline, a cancel, a credential error that stops every call);
 * - sent and refused with an error that may pass (throttled, service busy, queue full);
 * - held back from the prefetch because its refresh did not complete (a refresh quota too small, a
 *   refusal, a refresh task failed or still running): carried with `refreshedAt` when the refresh was
 *   accepted (the next run prefetches it), without it otherwise (the next run refreshes it first).
 * Not carried: URLs that were accepted, refused for themselves (a bad URL, a host that is not the
 * account's), and URLs whose call's outcome is unknown. The last may have been accepted and charged;
 * quota is money, so a URL is never risked twice: it waits for the next deploy that changes it.
 * On a first deploy (no state at all) nothing is carried (see nextState); with a state that could not
 * be used, what was not warmed is carried all the same.
 */
import { isFatal, isRetryable } from '../base/errors.js';
import type { UrlOutcome } from '../base/outcome.js';
import type { StopReason } from '../runtime/stop.js';
import { notSentReason } from '../runtime/stop.js';
import type { CarriedEntry, CarryCause, FileHashes, SiteState } from '../state/state.js';
import type { SitePlan } from './plan.js';
import type { SiteFile, SiteScan } from './scan.js';

export interface NextStateInput {
  scan: SiteScan;
  plan: SitePlan;
  /** Every URL's outcome in this run (`urls` entries too; only the plan's URLs are looked up). */
  outcomes: readonly UrlOutcome[];
  /** Set when the run stopped early. */
  stopped?: StopReason | undefined;
  /** The run's clock: the state's `savedAt`. */
  now: Date;
}

export interface NextState {
  state: SiteState;
  /** URLs carried to the next run (the `carried-count` output). */
  carried: number;
  /** Of those, how many for each cause. */
  carriedBy: Record<CarryCause, number>;
  /** On a first deploy: planned URLs that were not warmed and are not carried either. */
  leftCold: number;
  notices: string[];
}

/** Longer reasons are cut: the report has the whole one; the state only needs to say why. */
const MAX_REASON = 300;

/**
 * The state to write after the run (not after a dry run: it sent nothing, so nothing changed). Also
 * right on the failure, deadline and cancel paths: what was not sent is carried.
 */
export function nextState(input: NextStateInput): NextState {
  const { scan, plan } = input;
  const outcomes = new Map<string, UrlOutcome>();
  if (plan.urls.length > 0) for (const outcome of input.outcomes) outcomes.set(outcome.url, outcome);
  const carried: CarriedEntry[] = [];
  const carriedBy: Record<CarryCause, number> = {
    quota: 0,
    deadline: 0,
    cancelled: 0,
    'not-sent': 0,
    retryable: 0,
  };
  let coldWithoutState = 0;
  for (const planned of plan.urls) {
    const outcome = outcomes.get(planned.url);
    const cause = outcome === undefined ? stoppedCause(input.stopped) : carryCause(outcome);
    if (cause === undefined) continue;
    if (!plan.carries) {
      coldWithoutState++;
      continue;
    }
    carriedBy[cause]++;
    carried.push({
      url: planned.url,
      ...(planned.file === undefined ? {} : { file: planned.file }),
      change: planned.firstChange,
      cause,
      reason: (outcome?.reason ?? notSentText(input.stopped)).slice(0, MAX_REASON),
      since: planned.since,
      ...refreshFacts(outcome, planned.refreshedAt),
    });
  }
  // Oldest first, so the next run takes them in that order; the same day keeps this run's order.
  carried.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  const notices: string[] = [];
  if (coldWithoutState > 0) {
    notices.push(
      `state: ${coldWithoutState} URLs of site-dir were not warmed in this first run (no previous state) and ` +
        'are not carried to the next one: a first deploy would otherwise queue the whole site for days. ' +
        'From the next run on, what changes is warmed, and what the quota cuts is carried.',
    );
  }
  return {
    state: {
      baseUrl: scan.base,
      savedAt: input.now.toISOString(),
      files: new FilesOf(scan.files),
      carried,
    },
    carried: carried.length,
    carriedBy,
    leftCold: coldWithoutState,
    notices,
  };
}

/**
 * Why a planned URL with this outcome should be carried, or undefined when it should not. Reads only
 * the fields set where the outcome was decided (never a reason's text):
 * - skipped for quota (`skip: 'quota'`): carried;
 * - failed, and its call may have been accepted (`outcomeUnknown`): never carried;
 * - failed, refused by the API (`errorClass`): carried when the refusal may pass (throttled, busy,
 *   queue full: `retryable`) or was about the keys or permissions, not the URL (a credential error
 *   stops the run: `not-sent`, warmed once they are fixed); a URL refused for itself (a bad URL, a host
 *   that is not the account's, an unknown code) is not;
 * - failed, never sent (`notSent`): carried, as cut by the deadline, the cancel, or the run's stop;
 * - any other failure (an entry that is not a URL): not carried, nothing says a later run would do better.
 */
export function carryCause(outcome: UrlOutcome): CarryCause | undefined {
  if (outcome.status === 'skipped') {
    if (outcome.skip === 'refresh') return heldBackCause(outcome);
    return outcome.skip === 'quota' ? 'quota' : undefined;
  }
  if (outcome.status !== 'failed' || outcome.outcomeUnknown === true) return undefined;
  if (outcome.errorClass !== undefined) {
    if (isRetryable(outcome.errorClass)) return 'retryable';
    return isFatal(outcome.errorClass) ? 'not-sent' : undefined;
  }
  if (outcome.notSent !== undefined) return outcome.notSent === 'stopped' ? 'not-sent' : outcome.notSent;
  return undefined;
}

/**
 * Why a URL held back for its refresh is carried: a refresh quota too small (`quota`), a permission
 * the account lacks (`not-sent`, warmed once it is granted), the run stopping first; a refresh refused
 * for the URL or its host itself is not carried (a prefetch would be refused too). Anything else —
 * a passing refusal, a lost answer, a refresh task Failed or still running — may pass (`retryable`).
 */
function heldBackCause(outcome: UrlOutcome): CarryCause | undefined {
  switch (outcome.notRefreshed) {
    case 'quota':
      return 'quota';
    case 'permission':
    case 'stopped':
      return 'not-sent';
    case 'deadline':
    case 'cancelled':
      return outcome.notRefreshed;
    case 'refused':
      return undefined;
    default:
      return 'retryable';
  }
}

/**
 * What the next run must know of a carried URL's refresh: when one was accepted, in this run or the
 * earlier one that carried it (absent when none was, or it failed at the CDN: it is refreshed first).
 */
function refreshFacts(
  outcome: UrlOutcome | undefined,
  earlier: string | undefined,
): Pick<CarriedEntry, 'refreshedAt'> {
  const refreshedAt = outcome?.refreshedAt ?? earlier;
  return refreshedAt === undefined ? {} : { refreshedAt };
}

/** A planned URL without an outcome: the run ended before it got to it. */
function stoppedCause(stopped: StopReason | undefined): CarryCause {
  return stopped ?? 'not-sent';
}

function notSentText(stopped: StopReason | undefined): string {
  return stopped === undefined ? 'not sent: the run ended before it was sent' : notSentReason(stopped);
}

/**
 * The scan's files as the state's map from path to hashes, without copying them: a million files
 * would take a second map of a million entries to write the state, which only iterates over them.
 */
class FilesOf implements ReadonlyMap<string, FileHashes> {
  private byPath: Map<string, FileHashes> | undefined;

  constructor(private readonly files: readonly SiteFile[]) {}

  get size(): number {
    return this.files.length;
  }

  /** Looked up: the map is made the first time (tests; the run itself only iterates). */
  get(path: string): FileHashes | undefined {
    this.byPath ??= new Map(this.entries());
    return this.byPath.get(path);
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  *entries(): MapIterator<[string, FileHashes]> {
    for (const file of this.files) yield [file.path, file.hashes];
  }

  *keys(): MapIterator<string> {
    for (const file of this.files) yield file.path;
  }

  *values(): MapIterator<FileHashes> {
    for (const file of this.files) yield file.hashes;
  }

  forEach(callback: (value: FileHashes, key: string, map: ReadonlyMap<string, FileHashes>) => void): void {
    for (const file of this.files) callback(file.hashes, file.path, this);
  }

  [Symbol.iterator](): MapIterator<[string, FileHashes]> {
    return this.entries();
  }
}
