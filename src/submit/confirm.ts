/**
 * When a call that spends quota (PushObjectCache, RefreshObjectCaches) was sent but its outcome is
 * unknown — the connection dropped after sending, the answer timed out, a gateway answered in the
 * CDN's place — sending it again blindly could spend the quota twice. Instead the call is looked up
 * with DescribeRefreshTasks, several times over a bounded window: a call can reach the CDN late, and
 * its tasks can show in the task list late. Only tasks created after the call was sent count, so an
 * earlier run's task for the same URL is never taken for this call's.
 */
import type { AlibabaClient, ServerClock } from '../alibaba/client.js';
import { AlibabaError, isRetryable } from '../base/errors.js';
import { describeRefreshTasks } from '../alibaba/operations.js';
import { isoSeconds } from '../alibaba/signer.js';
import { normalizeUrl } from '../urls/normalize.js';
import { sleep, withRetries, type RetryPolicy } from '../runtime/retry.js';
import { count } from '../base/text.js';

export interface LookupPolicy {
  /** How long after the failure the look-ups go on; a call that shows up later than this is not found. */
  windowMs: number;
  /** The pause before the second look-up; each later pause doubles, and the last look-up ends the window. */
  firstPauseMs: number;
}

/** The shortest window, whatever `request-timeout` says. */
const MIN_WINDOW_MS = 5_000;

/**
 * The window is as long as `request-timeout` (at least 5 s): the time the run already allows the CDN
 * to act on a call and answer it is the time it allows a late call to show up.
 */
export function lookupPolicy(requestTimeoutMs: number): LookupPolicy {
  return { windowMs: Math.max(MIN_WINDOW_MS, requestTimeoutMs), firstPauseMs: 1_000 };
}

/** When each look-up starts, in ms after the failure: at once, then after pauses that double, the last at the window's end. */
export function lookupTimes(policy: LookupPolicy): number[] {
  const times = [0];
  const first = Math.max(1, policy.firstPauseMs);
  for (let pause = first, at = first; at < policy.windowMs; pause *= 2, at += pause) times.push(at);
  times.push(policy.windowMs);
  return times;
}

/**
 * Alibaba's machines agree on the time to well within this; the answer's Date and a task's
 * CreationTime may come from different ones.
 */
const SERVER_SLACK_MS = 1_000;
/** Without a Date header to measure it: how far the runner's clock is taken to be ahead of the CDN's at most. */
const ASSUMED_SKEW_MS = 5_000;
/** Signed calls are refused beyond this clock difference, so no task of ours can lie further out. */
const SIGNATURE_TOLERANCE_MS = 15 * 60_000;

/**
 * The earliest CreationTime a task of a call sent at `sentAt` (our clock) can carry. The answer's Date
 * header was stamped no later than the answer reached us, so the CDN's clock is at least
 * (Date − arrival) ahead of ours; by its clock, the call was sent no earlier than `sentAt` plus that.
 * CreationTime has second precision (truncated), hence the floor.
 */
export function earliestCreation(sentAt: number, clock: ServerClock | undefined): number {
  const bound = clock
    ? sentAt + (clock.serverMs - clock.receivedMs) - SERVER_SLACK_MS
    : sentAt - ASSUMED_SKEW_MS;
  return Math.floor(bound / 1000) * 1000;
}

/** A call whose outcome is unknown. */
export interface SentCall {
  /** Its URLs, normalized as they were sent. */
  urls: readonly string[];
  /** The task type it creates: `preload` for PushObjectCache, `file` for RefreshObjectCaches of files. */
  objectType: 'preload' | 'file';
  /** Our clock just before it was sent (ms). */
  sentAt: number;
}

export type CallLookup =
  /** Every URL was found: the call was accepted, with these task IDs (URL → ID). */
  | { kind: 'accepted'; taskIds: Map<string, string> }
  /** Looked up to the end of the window and nothing of the call is there: it was not accepted. */
  | { kind: 'absent' }
  /** Still in doubt: `found` were accepted; whether the others were, nobody can say. */
  | { kind: 'in-doubt'; found: Map<string, string>; why: string; code?: string };

export interface LookupOptions {
  policy: LookupPolicy;
  retryPolicy: RetryPolicy;
  /** The run's stop signal: no pause or look-up goes on past it. */
  signal?: AbortSignal | undefined;
}

/**
 * Looks the call up at each of `lookupTimes` until it is found. A call is accepted or refused as a
 * whole, so its first and last URLs decide it; only if they disagree is every URL looked up. The call
 * is `absent` only when the last look-up of the window answered and nothing of it was there.
 */
export async function lookUpCall(
  client: AlibabaClient,
  call: SentCall,
  options: LookupOptions,
): Promise<CallLookup> {
  const failedAt = Date.now();
  const search = new CallSearch(client, call, {
    ...options.retryPolicy,
    maxElapsedMs: Math.min(options.retryPolicy.maxElapsedMs, options.policy.windowMs),
  });
  const times = lookupTimes(options.policy);
  const stopped = (): CallLookup => search.inDoubt('the run stopped before the look-ups were done');
  for (const [round, at] of times.entries()) {
    await sleep(failedAt + at - Date.now(), options.signal);
    if (options.signal?.aborted) return stopped();
    try {
      await search.round(options.signal);
    } catch (error) {
      if (!(error instanceof AlibabaError)) throw error;
      if (options.signal?.aborted) return stopped();
      // A later look-up sees everything an earlier one would have, so only the last one must answer;
      // a refusal that no retry can change (no permission, a parameter refused) ends the search.
      if (round === times.length - 1 || !isRetryable(error.errorClass)) {
        return search.inDoubt(`the look-up failed (${error.message})`, error.code);
      }
      continue;
    }
    if (search.complete()) return { kind: 'accepted', taskIds: search.taskIds() };
  }
  if (search.nothingFound()) return { kind: 'absent' };
  return search.inDoubt(
    search.found.size > 0
      ? `the look-ups over ${options.policy.windowMs / 1000} s found ${search.found.size} of the call's ${count(call.urls.length, 'URL')} accepted, but not this one`
      : 'a task for it was found whose creation time cannot be read',
  );
}

/** What the look-ups of one call have seen so far. */
class CallSearch {
  readonly found = new Map<string, string>();
  /** URLs with a task of the right type whose CreationTime cannot be read: ours, or an earlier run's. */
  private readonly undated = new Set<string>();
  private perUrl = false;
  private endsFound = false;
  /** The call's URLs by host: a call gets one task ID per host (a refresh may carry several hosts). */
  private readonly byHost = new Map<string, string[]>();

  constructor(
    private readonly client: AlibabaClient,
    private readonly call: SentCall,
    private readonly retryPolicy: RetryPolicy,
  ) {
    for (const url of call.urls) {
      const list = this.byHost.get(hostOf(url));
      if (list) list.push(url);
      else this.byHost.set(hostOf(url), [url]);
    }
  }

  async round(signal: AbortSignal | undefined): Promise<void> {
    const { urls } = this.call;
    if (!this.perUrl) {
      // The first and last URL of each host: they carry every task ID the call was given.
      const ends = [...this.byHost.values()].flatMap((list) => [
        ...new Set([list[0], list[list.length - 1]]),
      ]);
      const endUrls = ends.filter((u): u is string => u !== undefined);
      for (const url of endUrls) if (!this.found.has(url)) await this.lookUp(url, signal);
      const seen = endUrls.filter((url) => this.found.has(url)).length;
      if (seen === endUrls.length) {
        this.endsFound = true;
        return;
      }
      if (seen === 0) return;
      // One end found, the other not: a call is accepted as a whole, so look at every URL.
      this.perUrl = true;
    }
    for (const url of urls) if (!this.found.has(url)) await this.lookUp(url, signal);
  }

  complete(): boolean {
    return this.endsFound || this.found.size === this.call.urls.length;
  }

  nothingFound(): boolean {
    return this.found.size === 0 && this.undated.size === 0;
  }

  /** URL → task ID; when the ends decided, the others get the IDs their host's ends were found under. */
  taskIds(): Map<string, string> {
    const ids = new Map<string, string>();
    for (const list of this.byHost.values()) {
      const hostIds = [...new Set(list.flatMap((url) => this.found.get(url) ?? []))].join(',');
      for (const url of list) ids.set(url, this.found.get(url) ?? hostIds);
    }
    return ids;
  }

  inDoubt(why: string, code?: string): CallLookup {
    return { kind: 'in-doubt', found: this.found, why, ...(code !== undefined ? { code } : {}) };
  }

  private async lookUp(url: string, signal: AbortSignal | undefined): Promise<void> {
    const { objectType, sentAt } = this.call;
    const answer = await withRetries(
      () =>
        describeRefreshTasks(this.client, {
          objectPath: url,
          objectType,
          // Wide on purpose: the tasks are dated by the CDN's clock below, not by this filter.
          startTime: isoSeconds(new Date(sentAt - SIGNATURE_TOLERANCE_MS)),
          endTime: isoSeconds(new Date(Date.now() + SIGNATURE_TOLERANCE_MS)),
          pageSize: 100,
        }),
      this.retryPolicy,
      signal ? { signal } : {},
    );
    const earliest = earliestCreation(sentAt, answer.clock);
    for (const task of answer.tasks) {
      const normalized = normalizeUrl(task.objectPath);
      if (!normalized.ok || normalized.url !== url || task.objectType.toLowerCase() !== objectType) continue;
      const created = Date.parse(task.creationTime ?? '');
      if (Number.isNaN(created)) {
        this.undated.add(url);
      } else if (created >= earliest) {
        this.found.set(url, task.taskId);
        this.undated.delete(url);
        return;
      }
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
