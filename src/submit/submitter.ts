/**
 * Sends the planned batches: several calls in flight (the gate keeps the rate), retries for what is
 * transient, and one decision per error class. Every URL leaves with an outcome; none is sent twice
 * by us on purpose (a lost answer may still be resent — see the ambiguous-outcome handling).
 */
import { AlibabaError, isFatal } from '../alibaba/errors.js';
import type { AlibabaClient } from '../alibaba/client.js';
import { pushObjectCache } from '../alibaba/operations.js';
import type { PushOptions } from '../config/config.js';
import { planBatches, type Batch } from '../plan/planner.js';
import type { UrlOutcome } from '../report/outcome.js';
import type { Candidate } from '../urls/collect.js';
import type { Logger } from '../util/logger.js';
import { withRetries, type RetryPolicy } from './retry.js';

export interface SubmitOptions {
  batches: Batch[];
  batchSize: number;
  push: PushOptions;
  /** How many calls may wait on the gate at once. */
  concurrency: number;
  retryPolicy: RetryPolicy;
  /** Re-reads the prefetch remainder after QuotaExceeded; undefined when it cannot be read. */
  rereadQuota: () => Promise<number | undefined>;
  signal?: AbortSignal;
}

export interface SubmitResult {
  outcomes: UrlOutcome[];
  /** RequestIds of accepted calls, in the order they were accepted. */
  requestIds: string[];
  /** Set when a credential or permission error stopped the run. */
  fatal?: AlibabaError;
  calls: number;
  retries: number;
}

/** How many times a QuotaExceeded refusal may trigger a re-read and a re-plan. */
const MAX_QUOTA_REPLANS = 3;

export async function submitBatches(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
): Promise<SubmitResult> {
  const state = new SubmitState();
  let batches = options.batches;
  for (let round = 0; batches.length > 0; round++) {
    const leftovers = await runRound(client, logger, options, batches, state);
    if (leftovers.length === 0 || state.fatal) {
      state.failNotSent(leftovers, state.fatal);
      break;
    }
    const remain = round < MAX_QUOTA_REPLANS ? await options.rereadQuota() : undefined;
    const replanned = planBatches(leftovers, options.batchSize, remain ?? 0);
    if (replanned.batches.length > 0) {
      logger.info(
        `Quota re-read: ${remain} URLs remain; sending ${replanned.batches.flatMap((b) => b.items).length} more.`,
      );
    }
    state.skipForQuota(replanned.overQuota, remain);
    batches = replanned.batches;
  }
  return {
    outcomes: state.outcomes,
    requestIds: state.requestIds,
    calls: state.calls,
    retries: state.retries,
    ...(state.fatal ? { fatal: state.fatal } : {}),
  };
}

class SubmitState {
  readonly outcomes: UrlOutcome[] = [];
  readonly requestIds: string[] = [];
  readonly failedHosts = new Map<string, AlibabaError>();
  fatal: AlibabaError | undefined;
  calls = 0;
  retries = 0;

  accept(batch: Batch, taskId: string, requestId: string | undefined): void {
    if (requestId) this.requestIds.push(requestId);
    for (const item of batch.items) {
      this.outcomes.push({
        url: item.url,
        status: 'submitted',
        ...(taskId ? { taskId } : { reason: 'accepted without a task ID' }),
        ...(requestId ? { requestId } : {}),
        source: item.source,
        order: item.order,
      });
    }
  }

  fail(items: readonly Candidate[], reason: string, code?: string): void {
    for (const item of items) {
      this.outcomes.push({
        url: item.url,
        status: 'failed',
        reason,
        ...(code ? { code } : {}),
        source: item.source,
        order: item.order,
      });
    }
  }

  failNotSent(items: readonly Candidate[], cause: AlibabaError | undefined): void {
    const reason = cause ? `not sent: the run stopped at ${cause.code ?? 'an error'}` : 'not sent';
    this.fail(items, reason);
  }

  skipForQuota(items: readonly Candidate[], remain: number | undefined): void {
    const why =
      remain === undefined
        ? 'the daily prefetch quota is used up (QuotaExceeded)'
        : `the daily prefetch quota had ${remain} URLs left`;
    for (const item of items) {
      this.outcomes.push({
        url: item.url,
        status: 'skipped',
        reason: `quota: ${why}`,
        skip: 'quota',
        source: item.source,
        order: item.order,
      });
    }
  }
}

/** Sends batches until done, or until a quota refusal; returns the URLs left for a re-plan. */
async function runRound(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  batches: Batch[],
  state: SubmitState,
): Promise<Candidate[]> {
  const queue = [...batches];
  const leftovers: Candidate[] = [];
  let quotaHit = false;

  const worker = async (): Promise<void> => {
    for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
      if (state.fatal || quotaHit || options.signal?.aborted) {
        leftovers.push(...batch.items);
        continue;
      }
      const hostError = state.failedHosts.get(batch.host);
      if (hostError) {
        state.fail(batch.items, `not sent: ${batch.host} was refused with ${hostError.code}`, hostError.code);
        continue;
      }
      const error = await sendOne(client, logger, options, batch, state);
      if (error === undefined) continue;
      if (error.errorClass === 'quota') {
        quotaHit = true;
        leftovers.push(...batch.items);
      } else {
        recordFailure(logger, batch, error, state);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, batches.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (!quotaHit) {
    state.failNotSent(leftovers, state.fatal);
    return [];
  }
  logger.warning(
    'The daily prefetch quota ran out during the run (QuotaExceeded); re-reading the remainder.',
  );
  return leftovers.sort((a, b) => a.order - b.order);
}

/** One batch, with retries; returns the final error, or undefined when accepted. */
async function sendOne(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  batch: Batch,
  state: SubmitState,
): Promise<AlibabaError | undefined> {
  try {
    const result = await withRetries(
      () => {
        state.calls++;
        return pushObjectCache(
          client,
          batch.items.map((item) => item.url),
          options.push,
        );
      },
      options.retryPolicy,
      {
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (error, delay, attempt) => {
          state.retries++;
          logger.info(
            `  ${batch.host}: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`,
          );
        },
      },
    );
    state.accept(batch, result.taskId, result.requestId);
    logger.info(
      `${batch.host}: ${batch.items.length} URLs, task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`,
    );
    if (!result.taskId)
      logger.warning(
        `${batch.host}: the call was accepted but returned no task ID (request ${result.requestId ?? '?'}).`,
      );
    return undefined;
  } catch (error) {
    if (error instanceof AlibabaError) return error;
    throw error;
  }
}

function recordFailure(logger: Logger, batch: Batch, error: AlibabaError, state: SubmitState): void {
  if (isFatal(error.errorClass)) state.fatal ??= error;
  if (error.errorClass === 'domain') state.failedHosts.set(batch.host, error);
  const reason = error.message;
  state.fail(batch.items, reason, error.code);
  logger.warning(`${batch.host}: ${batch.items.length} URLs failed: ${reason}`);
}
