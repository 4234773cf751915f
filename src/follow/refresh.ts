/**
 * `refresh`: the URLs that need it (follow/fresh.ts says which) are refreshed (RefreshObjectCaches,
 * ObjectType=File) within the day's refresh quota, in the plan's order, before anything is prefetched —
 * all of them, those whose prefetch waits for a later run included. Then their tasks are followed
 * (bounded by `wait-timeout`) while the URLs that need no refresh are prefetched; a refreshed URL is
 * prefetched only once its task is Complete (run.ts orders the phases).
 *
 * A refusal for want of `cdn:RefreshObjectCaches` does not stop the run: the URLs that need no refresh
 * are still prefetched, the others are held back and carried. A call whose answer was lost is looked
 * up, never sent again blindly: the refresh quota is not spent twice.
 */
import { AlibabaError, errorMessage, isRetryable, type ErrorClass } from '../base/errors.js';
import {
  describeRefreshQuota,
  REFRESH_LIMITS,
  refreshObjectCaches,
  splitTaskIds,
} from '../alibaba/operations.js';
import type { NotRefreshed, RefreshStatus } from '../base/outcome.js';
import { notSentReason } from '../runtime/stop.js';
import { nextRetryDelay, sleep, withRetries } from '../runtime/retry.js';
import { lookUpCall } from '../submit/confirm.js';
import type { Candidate } from '../urls/prepare.js';
import type { RefreshNeed } from './fresh.js';
import { followTasks, reportWaitEnd, warnFailures, type FollowContext, type Followed } from './wait.js';
import type { RefreshSummary } from './types.js';
import { count } from '../base/text.js';

/** One URL's refresh, for its report row and for what is carried. */
export interface UrlRefresh {
  refreshStatus: RefreshStatus;
  refreshTaskId?: string;
  /** Why it was not refreshed or needed none, or the CDN's Description of a failed refresh. */
  refreshDescription?: string;
  notRefreshed?: NotRefreshed;
  /** When its refresh was accepted (this run or, carried, an earlier one); absent when none was or it failed. */
  refreshedAt?: string;
}

/** A refresh the CDN accepted: the task IDs its call's answer gave, and when. */
export interface AcceptedRefresh {
  taskIds: string[];
  at: string;
}

/** Why no refresh of a URL was accepted; with the refusal's code and class when the CDN refused it. */
export interface RefreshMissed {
  kind: NotRefreshed;
  reason: string;
  refusal?: { code?: string; errorClass: ErrorClass };
}

/** What the refresh calls did, before their tasks are followed. */
export interface RefreshSent {
  summary: RefreshSummary;
  /** URL → its accepted refresh. */
  accepted: Map<string, AcceptedRefresh>;
  /** URL → why no refresh of it was accepted. */
  notRefreshed: Map<string, RefreshMissed>;
}

/** Each candidate's refresh, by URL (undefined for a URL that was no candidate). */
export interface RefreshByUrl {
  get(url: string): UrlRefresh | undefined;
}

/** The refresh phase's whole story: per URL (every candidate), and the totals. */
export interface Refreshed {
  summary: RefreshSummary;
  urls: RefreshByUrl;
}

/**
 * Packs URLs into RefreshObjectCaches calls: grouped by host (in order of first appearance), at most
 * 1,000 URLs and 10 hosts a call, and no more calls than that requires.
 */
export function groupForRefresh<T extends { host: string }>(
  items: readonly T[],
  limits: { maxUrls: number; maxDomains: number } = REFRESH_LIMITS,
): T[][] {
  const byHost = new Map<string, T[]>();
  for (const item of items) {
    const list = byHost.get(item.host);
    if (list) list.push(item);
    else byHost.set(item.host, [item]);
  }
  const calls: T[][] = [];
  let current: T[] = [];
  let hosts = 0;
  for (const list of byHost.values()) {
    for (let taken = 0; taken < list.length;) {
      if (current.length === limits.maxUrls || hosts === limits.maxDomains) {
        calls.push(current);
        current = [];
        hosts = 0;
      }
      const take = list.slice(taken, taken + limits.maxUrls - current.length);
      current.push(...take);
      hosts++;
      taken += take.length;
    }
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/**
 * Refreshes `items` (the URLs that need it, in plan order) within UrlRemain, without waiting for the
 * tasks. Throws only a credential error (the prefetch would be refused too).
 */
export async function sendRefreshes(ctx: FollowContext, items: readonly Candidate[]): Promise<RefreshSent> {
  const sent: RefreshSent = {
    summary: { taskIds: [], requested: items.length, refreshed: 0, notRefreshed: 0, calls: 0 },
    accepted: new Map(),
    notRefreshed: new Map(),
  };
  if (items.length === 0) return sent;
  const urlRemain = await readUrlRemain(ctx);
  if (urlRemain !== undefined) sent.summary.urlRemain = urlRemain;
  const chosen = urlRemain === undefined ? items : items.slice(0, urlRemain);
  const beyond = items.slice(chosen.length);
  notRefreshed(
    sent,
    beyond,
    'quota',
    `not refreshed: beyond the daily refresh quota (UrlRemain was ${urlRemain})`,
  );
  if (chosen.length > 0) {
    await ctx.logger.group(`Refreshing ${count(chosen.length, 'URL')} before their prefetch`, () =>
      sendCalls(ctx, chosen, sent),
    );
  }
  sent.summary.refreshed = sent.accepted.size;
  sent.summary.notRefreshed = sent.notRefreshed.size;
  warnNotRefreshed(ctx, sent, urlRemain);
  return sent;
}

/** UrlRemain, or undefined (with a warning) when it cannot be read; credential errors throw. */
async function readUrlRemain(ctx: FollowContext): Promise<number | undefined> {
  try {
    const { urlRemain } = await withRetries(() => describeRefreshQuota(ctx.client), ctx.retryPolicy, {
      signal: ctx.stop.sendSignal,
    });
    if (urlRemain.value === undefined) {
      ctx.logger.warning(
        `refresh: DescribeRefreshQuota answered UrlRemain ${urlRemain.answered}, not a whole number of URLs; ` +
          'refreshing without a cap.',
      );
      return undefined;
    }
    ctx.logger.info(`Daily refresh quota: ${count(urlRemain.value, 'URL')} remain today.`);
    return urlRemain.value;
  } catch (error) {
    if (error instanceof AlibabaError && error.errorClass === 'credentials') throw error;
    ctx.logger.warning(
      `refresh: cannot read the refresh quota (${error instanceof AlibabaError ? (error.code ?? error.message) : errorMessage(error)}); ` +
        'refreshing without a cap. Grant cdn:DescribeRefreshQuota so that the run stays within UrlRemain.',
    );
    return undefined;
  }
}

/**
 * Sends the refresh calls one after the other (their IDs then come out in submission order), recording
 * every URL as accepted (with its task IDs) or not refreshed (with why).
 */
async function sendCalls(ctx: FollowContext, items: readonly Candidate[], sent: RefreshSent): Promise<void> {
  const { logger, stop } = ctx;
  const taskIds = new Set<string>();
  /** Set once a refusal ends the refreshes of this run: the quota is used up, or the permission is missing. */
  let ended: { kind: NotRefreshed; reason: string } | undefined;
  const take = (group: readonly Candidate[], taskIdOf: (url: string) => string): void => {
    const at = new Date().toISOString();
    for (const item of group) {
      const ids = splitTaskIds(taskIdOf(item.url));
      for (const id of ids) taskIds.add(id);
      sent.accepted.set(item.url, { taskIds: ids, at });
    }
  };

  const send = async (group: readonly Candidate[]): Promise<void> => {
    if (stop.reason) return notRefreshed(sent, group, stop.reason, notSentReason(stop.reason));
    if (ended) return notRefreshed(sent, group, ended.kind, ended.reason);
    try {
      const result = await refreshOnce(ctx, group, sent.summary);
      if (result.kind === 'answered') {
        take(group, () => result.taskId);
        logger.info(
          `RefreshObjectCaches: ${count(group.length, 'URL')} on ${hostCount(group)} host(s), task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`,
        );
        if (result.taskId === '')
          logger.warning('refresh: a call was accepted without a task ID; its URLs cannot be followed.');
        return;
      }
      const found = group.filter((item) => result.found.has(item.url));
      take(found, (url) => result.found.get(url) ?? '');
      if (found.length > 0)
        logger.info(
          `RefreshObjectCaches: ${count(found.length, 'URL was', 'URLs were')} accepted after all (found by look-up).`,
        );
      const doubtful = group.filter((item) => !result.found.has(item.url));
      notRefreshed(sent, doubtful, 'unknown', `outcome unknown: ${result.why}, so it was not sent again`);
    } catch (error) {
      if (!(error instanceof AlibabaError) || error.errorClass === 'credentials') throw error;
      if (stop.reason) return notRefreshed(sent, group, stop.reason, notSentReason(stop.reason));
      if (error.errorClass === 'domain' && hostCount(group) > 1) {
        // One host the CDN does not know refuses the whole call: send each host alone, so the others still get refreshed.
        for (const single of groupForRefresh(group, { maxUrls: REFRESH_LIMITS.maxUrls, maxDomains: 1 })) {
          await send(single);
        }
        return;
      }
      const kind = refusalKind(error);
      const reason = `not refreshed: RefreshObjectCaches refused: ${error.message}`;
      const refusal = { ...(error.code ? { code: error.code } : {}), errorClass: error.errorClass };
      // The quota and the permission will not come back within the run: no more calls are sent.
      if (kind === 'quota' || kind === 'permission') ended = { kind, reason };
      if (kind === 'permission') sent.summary.refused = `${error.code ?? error.message}`;
      notRefreshed(sent, group, kind, reason, refusal);
    }
  };

  for (const group of groupForRefresh(items)) await send(group);
  sent.summary.taskIds = [...taskIds];
}

function refusalKind(error: AlibabaError): NotRefreshed {
  if (error.errorClass === 'quota') return 'quota';
  if (error.errorClass === 'permission') return 'permission';
  return isRetryable(error.errorClass) ? 'retryable' : 'refused';
}

/** One warning per cause of the URLs not refreshed, saying what to do. */
function warnNotRefreshed(ctx: FollowContext, sent: RefreshSent, urlRemain: number | undefined): void {
  const byKind = new Map<NotRefreshed, number>();
  for (const { kind } of sent.notRefreshed.values()) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  const stale = (n: number): string =>
    n === 1
      ? '1 URL that needed a refresh was not refreshed, so it still serves the old copy and is not prefetched ' +
        '(a prefetch cannot replace it)'
      : `${n} URLs that needed a refresh were not refreshed, so they still serve the old copy and are not ` +
        'prefetched (a prefetch cannot replace it)';
  for (const [kind, count] of byKind) {
    switch (kind) {
      case 'quota':
        ctx.logger.warning(
          `refresh: ${stale(count)}: the daily refresh quota ran out (UrlRemain ${urlRemain ?? 'was not read'}). ` +
            'With state they are carried and refreshed first by the next run; raise the refresh quota, or run again tomorrow.',
        );
        break;
      case 'permission':
        ctx.logger.warning(
          `refresh: RefreshObjectCaches was refused (${sent.summary.refused}): the RAM user or role lacks ` +
            `cdn:RefreshObjectCaches. ${stale(count)}; the URLs that need no refresh are still prefetched. Grant ` +
            'cdn:RefreshObjectCaches and cdn:DescribeRefreshTaskById in its RAM policy (see "RAM policy" in the ' +
            'README), or set refresh: false to prefetch without refreshing.',
        );
        break;
      case 'unknown':
        ctx.logger.warning(
          `refresh: ${stale(count)}: the answer of their call was lost and look-ups could not settle it, so it ` +
            'was not sent again (no refresh quota is spent twice). With state they are carried and refreshed by the next run.',
        );
        break;
      case 'deadline':
      case 'cancelled':
        break; // the run says it stopped, once
      default:
        ctx.logger.warning(
          `refresh: ${stale(count)}: their RefreshObjectCaches calls were refused; see the report.`,
        );
    }
  }
}

type RefreshCall =
  /** Accepted, and the answer says so. */
  | { kind: 'answered'; taskId: string; requestId: string | undefined }
  /** The answer was lost: `found` (URL → task ID) were accepted; for the others, `why` they stay in doubt. */
  | { kind: 'looked-up'; found: Map<string, string>; why: string };

/**
 * One RefreshObjectCaches call, retried when refused for a passing reason. A failure whose outcome is
 * unknown is looked up (DescribeRefreshTasks, ObjectType=file) over the same window as a prefetch,
 * and sent again only when the look-ups show it was not accepted: refresh quota is not spent twice.
 * Throws the last refusal.
 */
async function refreshOnce(
  ctx: FollowContext,
  group: readonly Candidate[],
  summary: RefreshSummary,
): Promise<RefreshCall> {
  const { logger, stop } = ctx;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const sentAt = Date.now();
    summary.calls++;
    let error: AlibabaError;
    try {
      const result = await refreshObjectCaches(
        ctx.client,
        group.map((item) => item.url),
      );
      return { kind: 'answered', ...result };
    } catch (thrown) {
      if (!(thrown instanceof AlibabaError)) throw thrown;
      error = thrown;
    }
    if (error.outcomeUnknown) {
      if (stop.reason) {
        const why = `the call was in flight when the run stopped (${error.message})`;
        return { kind: 'looked-up', found: new Map(), why };
      }
      logger.info(
        `  RefreshObjectCaches: ${error.message}; looking the call up before deciding to send it again`,
      );
      const lookup = await lookUpCall(
        ctx.client,
        { urls: group.map((item) => item.url), objectType: 'file', sentAt },
        { policy: ctx.lookup, retryPolicy: ctx.retryPolicy, signal: stop.sendSignal },
      );
      if (lookup.kind === 'accepted') return { kind: 'looked-up', found: lookup.taskIds, why: '' };
      if (lookup.kind === 'in-doubt') {
        return { kind: 'looked-up', found: lookup.found, why: `${error.message}; ${lookup.why}` };
      }
    }
    const delay = nextRetryDelay(error, attempt, started, ctx.retryPolicy);
    if (delay === undefined || stop.reason) throw error;
    logger.info(
      `  RefreshObjectCaches: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`,
    );
    await sleep(delay, stop.sendSignal);
    if (stop.reason) throw error;
  }
}

/** Follows the accepted refreshes' tasks until they finish or `wait-timeout` passes; undefined when none was accepted. */
export async function waitForRefresh(ctx: FollowContext, sent: RefreshSent): Promise<Followed | undefined> {
  if (sent.accepted.size === 0) return undefined;
  const { logger, options } = ctx;
  logger.info(
    `Waiting for ${count(sent.accepted.size, 'refreshed URL')} in ${count(sent.summary.taskIds.length, 'task')} before prefetching ${sent.accepted.size === 1 ? 'it' : 'them'} ` +
      `(up to ${options.waitTimeoutMs / 1000} s, polling every ${options.pollIntervalMs / 1000} s or more).`,
  );
  const tracked = [...sent.accepted].map(([url, { taskIds }]) => ({ url, taskIds }));
  const followed = await followTasks(ctx, 'Refresh', tracked);
  reportWaitEnd(logger, 'Refresh', followed.summary, options.waitTimeoutMs);
  warnFailures(logger, 'Refresh', followed.states);
  sent.summary.wait = followed.summary;
  return followed;
}

/**
 * Every candidate's refresh, for its report row and the carry-over: not needed (and why), not
 * refreshed (and why), or its task's last known state. A refresh that failed at the CDN leaves no
 * `refreshedAt`: the URL is refreshed again before it is prefetched.
 */
export function refreshOutcomes(
  needs: ReadonlyMap<string, RefreshNeed>,
  sent: RefreshSent | undefined,
  followed: Followed | undefined,
): RefreshByUrl {
  // Kept apart: the URLs that needed a refresh (few, each its own story). The others say why they
  // need none, read from their need when asked, one object for each need: a first deploy of a million
  // files would otherwise make and keep a million alike.
  const refreshed = new Map<string, UrlRefresh>();
  for (const [url, need] of needs) {
    if (need.needed) refreshed.set(url, refreshOf(url, sent, followed));
  }
  const notNeeded = new Map<RefreshNeed, UrlRefresh>();
  return {
    get(url) {
      const own = refreshed.get(url);
      if (own !== undefined) return own;
      const need = needs.get(url);
      if (need === undefined || need.needed) return undefined;
      let refresh = notNeeded.get(need);
      if (refresh === undefined) {
        refresh = {
          refreshStatus: 'NotNeeded',
          refreshDescription: need.why,
          ...(need.refreshedAt !== undefined ? { refreshedAt: need.refreshedAt } : {}),
        };
        notNeeded.set(need, refresh);
      }
      return refresh;
    },
  };
}

/** The refresh of a URL that needed one: not sent (and why), or its task's last known state. */
function refreshOf(url: string, sent: RefreshSent | undefined, followed: Followed | undefined): UrlRefresh {
  const refused = sent?.notRefreshed.get(url);
  const accepted = sent?.accepted.get(url);
  if (refused || !accepted) {
    return {
      refreshStatus: 'NotRefreshed',
      notRefreshed: refused?.kind ?? 'stopped',
      refreshDescription: refused?.reason ?? 'not refreshed: nothing was sent',
    };
  }
  const state = followed?.states.get(url);
  const status = state?.status ?? 'Pending';
  return {
    refreshStatus: status,
    refreshTaskId: state?.taskId ?? accepted.taskIds.join(','),
    ...(state?.description ? { refreshDescription: state.description } : {}),
    ...(status === 'Failed' ? {} : { refreshedAt: accepted.at }),
  };
}

function hostCount(items: readonly Candidate[]): number {
  return new Set(items.map((item) => item.host)).size;
}

function notRefreshed(
  sent: RefreshSent,
  items: readonly Candidate[],
  kind: NotRefreshed,
  reason: string,
  refusal?: RefreshMissed['refusal'],
): void {
  for (const item of items)
    sent.notRefreshed.set(item.url, { kind, reason, ...(refusal ? { refusal } : {}) });
}
