/** Reading the account's real prefetch remainder, which no hard-coded number can stand in for. */
import type { AlibabaClient } from '../alibaba/client.js';
import { AlibabaError, isFatal } from '../base/errors.js';
import { describeRefreshQuota } from '../alibaba/operations.js';
import type { Logger } from '../base/logger.js';
import { withRetries, type RetryPolicy } from '../runtime/retry.js';
import { count } from '../base/text.js';

/** `prefetch-limit`: a number of URLs, or a share of the day's remainder; as written, for messages. */
export type PrefetchLimit = { urls: number; text: string } | { share: number; text: string };

/** What this run may prefetch: the day's remainder and, with `prefetch-limit`, this run's part of it. */
export interface RunQuota {
  /** The day's remainder (`daily-quota`, or read from the API); undefined when not known. */
  remain: number | undefined;
  /** What this run may send: the remainder, or less by `prefetch-limit`; undefined: not capped. */
  cap: number | undefined;
  /** Set when `prefetch-limit` made the cap smaller than the remainder. */
  limit?: PrefetchLimit | undefined;
}

/** This run's quota from the day's remainder and `prefetch-limit`. */
export function runQuota(remain: number | undefined, limit: PrefetchLimit | undefined): RunQuota {
  if (limit === undefined) return { remain, cap: remain };
  const allowed =
    'urls' in limit ? limit.urls : remain === undefined ? undefined : Math.floor(remain * limit.share);
  if (allowed === undefined || (remain !== undefined && allowed >= remain)) return { remain, cap: remain };
  return { remain, cap: allowed, limit };
}

/** Why URLs beyond the cap were skipped: the reason of their report rows and the warning's words. */
export function capText(quota: RunQuota): string {
  if (quota.limit === undefined)
    return `the daily prefetch quota had ${count(quota.cap ?? 0, 'URL')} left at the start`;
  const left = quota.remain === undefined ? '' : ` of the ${count(quota.remain, 'URL')} left today`;
  return `prefetch-limit ${quota.limit.text} lets this run send ${quota.cap}${left}`;
}

/**
 * PreloadRemain, or undefined when it cannot be known — the call is not permitted (a RAM policy
 * without cdn:DescribeRefreshQuota), keeps failing, or answers something that is not a whole number
 * of URLs: then the run goes on uncapped, with a warning. Credential errors throw.
 * Undefined at once, without a word, when `stop` ends the run (its retries and their pauses end too).
 */
export async function readPreloadRemain(
  client: AlibabaClient,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop?: AbortSignal,
): Promise<number | undefined> {
  try {
    const { preloadRemain } = await withRetries(
      () => describeRefreshQuota(client),
      retryPolicy,
      stop ? { signal: stop } : {},
    );
    if (preloadRemain.value === undefined) {
      // Never guessed at: "" is not 0 (it would skip everything), 10.7 is not 10.
      logger.warning(
        `daily-quota: DescribeRefreshQuota answered PreloadRemain ${preloadRemain.answered}, not a whole number ` +
          'of URLs; going on without a cap. Set daily-quota to a number to cap the run.',
      );
      return undefined;
    }
    return preloadRemain.value;
  } catch (error) {
    if (stop?.aborted && !(error instanceof AlibabaError && isFatal(error.errorClass))) return undefined;
    if (error instanceof AlibabaError && error.errorClass === 'permission') {
      logger.warning(
        `daily-quota: cannot read the prefetch quota (${error.code}); going on without a cap. ` +
          'Grant cdn:DescribeRefreshQuota so that the run spends exactly what is left, or set daily-quota to a number.',
      );
      return undefined;
    }
    if (error instanceof AlibabaError && !isFatal(error.errorClass)) {
      logger.warning(
        `daily-quota: cannot read the prefetch quota (${error.message}); going on without a cap.`,
      );
      return undefined;
    }
    throw error;
  }
}
