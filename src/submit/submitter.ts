/**
 * Sends the planned batches: several calls in flight (the gate keeps the rate), retries for what is
 * transient, a look-up instead of a blind resend when an outcome is unknown, and one decision per
 * error class. Every URL leaves with exactly one outcome.
 */
import type { AlibabaClient } from '../alibaba/client.js';
import { AlibabaError, isFatal, isRetryable } from '../base/errors.js';
import { pushObjectCache } from '../alibaba/operations.js';
import type { PushOptions } from '../alibaba/operations.js';
import { planBatches, type Batch } from '../plan/planner.js';
import type { Candidate } from '../urls/prepare.js';
import type { Logger } from '../base/logger.js';
import { confirmBatch } from './confirm.js';
import { nextRetryDelay, sleep, type RetryPolicy } from '../runtime/retry.js';
import { SubmitLedger } from './ledger.js';
import type { RunStop } from '../runtime/stop.js';

export interface SubmitOptions {
  batches: Batch[];
  batchSize: number;
  push: PushOptions;
  /** How many batches may be under way at once (the gate still keeps the rate). */
  concurrency: number;
  retryPolicy: RetryPolicy;
  /** Re-reads the prefetch remainder after QuotaExceeded; undefined when it cannot be read. */
  rereadQuota: () => Promise<number | undefined>;
  stop?: RunStop;
  /** Hears how many URLs have an outcome so far (accepted, failed or skipped), after every change. */
  onProgress?: (done: number) => void;
}

export type SubmitResult = ReturnType<SubmitLedger['result']>;

/** How many times a QuotaExceeded refusal may trigger a re-read and a re-plan. */
const MAX_QUOTA_REPLANS = 3;

export async function submitBatches(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
): Promise<SubmitResult> {
  const ledger = new SubmitLedger(options.onProgress);
  let batches = options.batches;
  for (let round = 0; batches.length > 0; round++) {
    const leftovers = await runRound(client, logger, options, batches, ledger);
    if (leftovers.length === 0) break;
    if (ledger.fatal || options.stop?.stopped) {
      ledger.failNotSent(leftovers, options.stop?.reason, ledger.fatal);
      break;
    }
    const remain = round < MAX_QUOTA_REPLANS ? await options.rereadQuota() : undefined;
    const replanned = planBatches(leftovers, options.batchSize, remain ?? 0);
    const more = replanned.batches.reduce((sum, batch) => sum + batch.items.length, 0);
    if (more > 0) logger.info(`Quota re-read: ${remain} URLs remain; sending ${more} more.`);
    ledger.skipForQuota(replanned.overQuota, remain);
    batches = replanned.batches;
  }
  return ledger.result();
}

/** Sends batches until done, stopped, or refused for quota; returns the URLs left for a re-plan. */
async function runRound(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  batches: Batch[],
  ledger: SubmitLedger,
): Promise<Candidate[]> {
  const queue = [...batches];
  const leftovers: Candidate[] = [];
  let quotaHit = false;

  const worker = async (): Promise<void> => {
    for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
      if (ledger.fatal || quotaHit || options.stop?.stopped) {
        leftovers.push(...batch.items);
        continue;
      }
      const hostError = ledger.failedHosts.get(batch.host);
      if (hostError) {
        ledger.fail(
          batch.items,
          `not sent: ${batch.host} was refused with ${hostError.code}`,
          hostError.code,
        );
        continue;
      }
      const failure = await sendBatch(client, logger, options, batch, ledger);
      if (failure === undefined) continue;
      if (failure.error.errorClass === 'quota') {
        quotaHit = true;
        leftovers.push(...failure.items);
      } else if (refusesSomeUrl(failure.error) && failure.items.length > 1) {
        // The call is refused as a whole for one URL the CDN dislikes: halve the batch until that URL
        // is alone, so that the others still go out. A refused call costs no quota.
        const half = Math.ceil(failure.items.length / 2);
        queue.unshift(
          { host: batch.host, items: failure.items.slice(0, half) },
          { host: batch.host, items: failure.items.slice(half) },
        );
        logger.info(
          `  ${batch.host}: ${failure.error.code}; splitting the ${failure.items.length} URLs to find the one refused`,
        );
      } else {
        recordFailure(logger, batch.host, failure.items, failure.error, ledger);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, batches.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (quotaHit && !ledger.fatal && !options.stop?.stopped) {
    logger.warning(
      'The daily prefetch quota ran out during the run (QuotaExceeded); re-reading the remainder.',
    );
    return leftovers.sort((a, b) => a.order - b.order);
  }
  ledger.failNotSent(leftovers, options.stop?.reason, ledger.fatal);
  return [];
}

/**
 * One batch, with retries. A failure whose outcome is unknown is looked up first, and only the URLs
 * not found are sent again. Returns the final error and the URLs it applies to, or undefined.
 */
async function sendBatch(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  batch: Batch,
  ledger: SubmitLedger,
): Promise<{ error: AlibabaError; items: Candidate[] } | undefined> {
  let pending = batch.items;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const sentAt = new Date();
    let error: AlibabaError;
    try {
      const result = await pushObjectCache(
        client,
        pending.map((item) => item.url),
        options.push,
      );
      if (result.taskId === '') {
        // Accepted (it has a RequestId) but without a task ID: find the ID rather than report none.
        const recovered = await lookUp(client, options, pending, sentAt, logger, batch.host);
        ledger.accept(
          pending,
          (url) => recovered.get(url) ?? '',
          result.requestId,
          'accepted-without-task-id',
        );
      } else {
        ledger.accept(pending, () => result.taskId, result.requestId);
      }
      logger.info(
        `${batch.host}: ${pending.length} URLs, task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`,
      );
      return undefined;
    } catch (thrown) {
      if (!(thrown instanceof AlibabaError)) throw thrown;
      error = thrown;
    }
    if (!error.outcomeUnknown && options.stop?.stopped) {
      ledger.failNotSent(pending, options.stop.reason, undefined);
      return undefined;
    }
    if (error.outcomeUnknown) {
      if (options.stop?.stopped) {
        ledger.fail(
          pending,
          `outcome unknown: the call was in flight when the run stopped (${error.message}); it may have been accepted`,
        );
        return undefined;
      }
      logger.info(`  ${batch.host}: ${error.message}; looking the batch up before sending it again`);
      const confirmation = await confirmBatch(
        client,
        pending,
        sentAt,
        options.retryPolicy,
        options.stop?.sendSignal,
      );
      if (confirmation.kind === 'unknown') {
        ledger.fail(
          pending,
          `outcome unknown: ${error.message}; the look-up failed too (${confirmation.error.message}), so it was not sent again`,
          confirmation.error.code,
        );
        return undefined;
      }
      const confirmed = pending.filter((item) => confirmation.found.has(item.url));
      if (confirmed.length > 0) {
        ledger.accept(
          confirmed,
          (url) => confirmation.found.get(url) ?? '',
          undefined,
          'confirmed-by-lookup',
        );
        logger.info(`  ${batch.host}: ${confirmed.length} URLs were accepted after all (found by look-up)`);
      }
      pending = pending.filter((item) => !confirmation.found.has(item.url));
      if (pending.length === 0) return undefined;
    }
    const delay = isRetryable(error.errorClass)
      ? nextRetryDelay(error, attempt, started, options.retryPolicy)
      : undefined;
    if (delay === undefined || options.stop?.stopped) return { error, items: pending };
    ledger.retries++;
    logger.info(
      `  ${batch.host}: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`,
    );
    await sleep(delay, options.stop?.sendSignal);
    if (options.stop?.stopped) {
      ledger.failNotSent(pending, options.stop.reason, undefined);
      return undefined;
    }
  }
}

async function lookUp(
  client: AlibabaClient,
  options: SubmitOptions,
  items: Candidate[],
  sentAt: Date,
  logger: Logger,
  host: string,
): Promise<Map<string, string>> {
  const confirmation = await confirmBatch(
    client,
    items,
    sentAt,
    options.retryPolicy,
    options.stop?.sendSignal,
  );
  if (confirmation.kind === 'looked-up' && confirmation.found.size > 0) return confirmation.found;
  logger.warning(`${host}: the call was accepted but returned no task ID, and none was found by look-up.`);
  return new Map();
}

/** Refusals that name the URLs themselves (not a parameter), so that smaller batches may pass. */
function refusesSomeUrl(error: AlibabaError): boolean {
  return (
    error.errorClass === 'bad-request' &&
    (error.code?.startsWith('InvalidObjectPath') || error.code === 'SingleRequest.OverLimit')
  );
}

function recordFailure(
  logger: Logger,
  host: string,
  items: Candidate[],
  error: AlibabaError,
  ledger: SubmitLedger,
): void {
  if (isFatal(error.errorClass)) ledger.fatal ??= error;
  if (error.errorClass === 'domain') ledger.failedHosts.set(host, error);
  ledger.fail(items, error.message, error.code);
  logger.warning(`${host}: ${items.length} URLs failed: ${error.message}`);
}
