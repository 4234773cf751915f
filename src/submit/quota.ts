/** Reading the account's real prefetch remainder, which no hard-coded number can stand in for. */
import type { AlibabaClient } from '../alibaba/client.js';
import { AlibabaError, isFatal } from '../base/errors.js';
import { describeRefreshQuota } from '../alibaba/operations.js';
import type { Logger } from '../base/logger.js';
import { withRetries, type RetryPolicy } from '../runtime/retry.js';

/**
 * PreloadRemain, or undefined when the call is not permitted (a RAM policy without
 * cdn:DescribeRefreshQuota): then the run goes on uncapped, with a warning. Credential errors throw.
 * Undefined at once, without a word, when `stop` ends the run (its retries and their pauses end too).
 */
export async function readPreloadRemain(
  client: AlibabaClient,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop?: AbortSignal,
): Promise<number | undefined> {
  try {
    const quota = await withRetries(
      () => describeRefreshQuota(client),
      retryPolicy,
      stop ? { signal: stop } : {},
    );
    return quota.preloadRemain;
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
