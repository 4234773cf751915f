/**
 * `refresh`: a prefetch does not replace a copy the CDN already holds, so the URLs about to be
 * prefetched are first refreshed (RefreshObjectCaches, ObjectType=File), their refresh tasks are
 * followed until they finish (bounded by `wait-timeout`), and only then is the prefetch submitted.
 * A URL whose refresh failed, did not fit the refresh quota, or was still running at the timeout is
 * prefetched anyway, with a warning.
 */
import { AlibabaError, isFatal, errorMessage } from '../base/errors.js';
import {
  describeRefreshQuota,
  REFRESH_LIMITS,
  refreshObjectCaches,
  splitTaskIds,
} from '../alibaba/operations.js';
import type { Batch } from '../batch/pack.js';
import { notSentReason } from '../runtime/stop.js';
import { nextRetryDelay, sleep, withRetries } from '../runtime/retry.js';
import { lookUpCall } from '../submit/confirm.js';
import type { Candidate } from '../urls/prepare.js';
import { followTasks, reportWaitEnd, warnFailures, type FollowContext } from './wait.js';
import type { RefreshStatus } from '../base/outcome.js';
import type { RefreshSummary } from './types.js';

/** One URL's refresh, for the report. */
export interface UrlRefresh {
  refreshStatus: RefreshStatus;
  refreshTaskId?: string;
  /** Why it was not refreshed, or the CDN's Description of a failed refresh. */
  refreshDescription?: string;
}

export interface Refreshed {
  summary: RefreshSummary;
  /** URL → its refresh; URLs that were not to be prefetched are absent. */
  urls: Map<string, UrlRefresh>;
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

/** Refreshes the URLs of `batches` (the prefetch plan, within its quota) and waits for the refresh. */
export async function refreshBeforePrefetch(
  ctx: FollowContext,
  batches: readonly Batch[],
): Promise<Refreshed | undefined> {
  if (!ctx.options.refresh) return undefined;
  const { logger, options } = ctx;
  const items = batches.flatMap((batch) => batch.items).sort((a, b) => a.order - b.order);
  const urls = new Map<string, UrlRefresh>();
  const summary: RefreshSummary = {
    taskIds: [],
    requested: items.length,
    refreshed: 0,
    notRefreshed: 0,
    calls: 0,
  };
  if (items.length === 0) return { summary, urls };

  const urlRemain = await readUrlRemain(ctx);
  if (urlRemain !== undefined) summary.urlRemain = urlRemain;
  const chosen = urlRemain === undefined ? items : items.slice(0, urlRemain);
  const beyond = items.slice(chosen.length);
  if (beyond.length > 0) {
    notRefreshed(urls, beyond, `beyond the daily refresh quota (UrlRemain was ${urlRemain})`);
    logger.warning(
      `refresh: ${beyond.length} URLs are beyond the daily refresh quota (${urlRemain} left): ` +
        'they are prefetched without a refresh, so a stale copy the CDN holds may stay.',
    );
  }

  const accepted = await logger.group(`Refreshing ${chosen.length} URLs before the prefetch`, () =>
    sendRefreshes(ctx, chosen, urls, summary),
  );
  summary.refreshed = accepted.length;
  if (accepted.length > 0) {
    logger.info(
      `Waiting for ${accepted.length} refreshed URLs in ${summary.taskIds.length} tasks before prefetching ` +
        `(up to ${options.waitTimeoutMs / 1000} s).`,
    );
    const followed = await followTasks(ctx, 'Refresh', accepted);
    summary.wait = followed.summary;
    for (const item of accepted) {
      const state = followed.states.get(item.url);
      urls.set(item.url, {
        refreshStatus: state?.status ?? 'Pending',
        refreshTaskId: state?.taskId ?? item.taskIds.join(','),
        ...(state?.description ? { refreshDescription: state.description } : {}),
      });
    }
    reportWaitEnd(logger, 'Refresh', followed.summary, options.waitTimeoutMs);
    warnFailures(logger, 'Refresh', followed.states);
    if (followed.summary.failed > 0) {
      logger.warning(
        `refresh: ${followed.summary.failed} URLs failed to refresh; they are prefetched anyway.`,
      );
    }
    if (followed.summary.pending > 0) {
      logger.warning(
        `refresh: ${followed.summary.pending} refreshes had not finished; those URLs are prefetched anyway.`,
      );
    }
  }
  summary.notRefreshed = [...urls.values()].filter((url) => url.refreshStatus === 'NotRefreshed').length;
  return { summary, urls };
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
    ctx.logger.info(`Daily refresh quota: ${urlRemain.value} URLs remain today.`);
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
 * Sends the refresh calls one after the other (their IDs then come out in submission order) and returns
 * the URLs accepted, with their task IDs. Refused URLs are recorded as NotRefreshed.
 */
async function sendRefreshes(
  ctx: FollowContext,
  items: readonly Candidate[],
  urls: Map<string, UrlRefresh>,
  summary: RefreshSummary,
): Promise<{ url: string; taskIds: string[] }[]> {
  const { logger, stop } = ctx;
  const accepted: { url: string; taskIds: string[] }[] = [];
  const taskIds = new Set<string>();
  let quotaError: AlibabaError | undefined;
  const take = (group: readonly Candidate[], taskIdOf: (url: string) => string): void => {
    for (const item of group) {
      const ids = splitTaskIds(taskIdOf(item.url));
      for (const id of ids) taskIds.add(id);
      accepted.push({ url: item.url, taskIds: ids });
    }
  };

  const send = async (group: readonly Candidate[]): Promise<void> => {
    if (stop.reason) return notRefreshed(urls, group, notSentReason(stop.reason));
    if (quotaError) {
      notRefreshed(urls, group, `not sent: the daily refresh quota ran out (${quotaError.code})`);
      logger.warning(
        `refresh: ${group.length} more URLs were not refreshed for lack of quota; they are prefetched anyway.`,
      );
      return;
    }
    try {
      const result = await refreshOnce(ctx, group, summary);
      if (result.kind === 'answered') {
        take(group, () => result.taskId);
        logger.info(
          `Refresh: ${group.length} URLs on ${hostCount(group)} host(s), task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`,
        );
        if (result.taskId === '')
          logger.warning('refresh: a call was accepted without a task ID; its URLs cannot be followed.');
        return;
      }
      const found = group.filter((item) => result.found.has(item.url));
      take(found, (url) => result.found.get(url) ?? '');
      if (found.length > 0)
        logger.info(`Refresh: ${found.length} URLs were accepted after all (found by look-up).`);
      const doubtful = group.filter((item) => !result.found.has(item.url));
      if (doubtful.length === 0) return;
      notRefreshed(urls, doubtful, `outcome unknown: ${result.why}, so it was not sent again`);
      logger.warning(
        `refresh: ${doubtful.length} URLs: outcome unknown (${result.why}); not sent again, so that no refresh quota ` +
          'is spent twice. They are prefetched anyway.',
      );
    } catch (error) {
      if (!(error instanceof AlibabaError) || isFatal(error.errorClass)) throw error;
      if (stop.reason) return notRefreshed(urls, group, notSentReason(stop.reason));
      if (error.errorClass === 'domain' && hostCount(group) > 1) {
        // One host the CDN does not know refuses the whole call: send each host alone, so the others still get refreshed.
        for (const single of groupForRefresh(group, { maxUrls: REFRESH_LIMITS.maxUrls, maxDomains: 1 })) {
          await send(single);
        }
        return;
      }
      if (error.errorClass === 'quota') quotaError = error;
      notRefreshed(urls, group, `refresh refused: ${error.message}`);
      logger.warning(
        `refresh: ${group.length} URLs were not refreshed (${error.message}); they are prefetched anyway.`,
      );
    }
  };

  for (const group of groupForRefresh(items)) await send(group);
  summary.taskIds = [...taskIds];
  return accepted;
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

function hostCount(items: readonly Candidate[]): number {
  return new Set(items.map((item) => item.host)).size;
}

function notRefreshed(urls: Map<string, UrlRefresh>, items: readonly Candidate[], reason: string): void {
  for (const item of items) urls.set(item.url, { refreshStatus: 'NotRefreshed', refreshDescription: reason });
}
