/**
 * Sends the planned batches: several calls in flight (the gate keeps the rate), retries for what is
 * transient, a look-up instead of a blind resend when an outcome is unknown, and one decision per
 * error class. Every URL leaves with exactly one outcome.
 */
import type { AlibabaClient } from '../alibaba/client.js';
import { AlibabaError, isFatal, isRetryable } from '../base/errors.js';
import { pushObjectCache } from '../alibaba/operations.js';
import type { PushOptions } from '../alibaba/operations.js';
import { packBatches, type Batch } from '../batch/pack.js';
import type { Candidate } from '../urls/prepare.js';
import type { Logger } from '../base/logger.js';
import { lookUpCall, type LookupPolicy } from './confirm.js';
import { nextRetryDelay, sleep, type RetryPolicy } from '../runtime/retry.js';
import { SubmitLedger } from './ledger.js';
import type { RunStop } from '../runtime/stop.js';
import { count } from '../base/text.js';

export interface SubmitOptions {
  batches: Batch[];
  batchSize: number;
  push: PushOptions;
  /** How many batches may be under way at once (the gate still keeps the rate). */
  concurrency: number;
  retryPolicy: RetryPolicy;
  /** How long, and how often, a call whose outcome is unknown is looked up before anything is decided. */
  lookup: LookupPolicy;
  /** Re-reads the prefetch remainder after QuotaExceeded; undefined when it cannot be read. */
  rereadQuota: () => Promise<number | undefined>;
  stop?: RunStop;
}

export type SubmitResult = ReturnType<SubmitLedger['result']>;

/** How many times a QuotaExceeded refusal may trigger a re-read and a re-plan. */
const MAX_QUOTA_REPLANS = 3;

/**
 * Sends `options.batches`, recording every URL's outcome in `ledger`. A run that submits in several
 * rounds passes the same ledger to each: a credential or permission error of one stops the next.
 */
export async function submitBatches(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  ledger: SubmitLedger = new SubmitLedger(),
): Promise<SubmitResult> {
  let batches = options.batches;
  for (let round = 0; batches.length > 0; round++) {
    const leftovers = await runRound(client, logger, options, batches, ledger);
    if (leftovers.length === 0) break;
    if (ledger.fatal || options.stop?.stopped) {
      ledger.failNotSent(leftovers, options.stop?.reason, ledger.fatal);
      break;
    }
    const remain = round < MAX_QUOTA_REPLANS ? await options.rereadQuota() : undefined;
    const repacked = packBatches(leftovers, options.batchSize, remain ?? 0);
    const more = repacked.batches.reduce((sum, batch) => sum + batch.items.length, 0);
    if (more > 0)
      logger.info(
        `Quota re-read: ${count(remain ?? 0, 'URL remains', 'URLs remain')}; sending ${more} more.`,
      );
    ledger.skipForQuota(repacked.overQuota, remain);
    batches = repacked.batches;
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
        ledger.fail(batch.items, `not sent: ${batch.host} was refused with ${hostError.code}`, hostError);
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
          `  ${batch.host}: ${failure.error.code}; splitting the ${count(failure.items.length, 'URL')} to find the one refused`,
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
 * One batch, with retries. A failure whose outcome is unknown is looked up first (over a window, see
 * confirm.ts), and only URLs shown not accepted are sent again. Returns the final error and the URLs
 * it applies to, or undefined when every URL has its outcome.
 */
async function sendBatch(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  batch: Batch,
  ledger: SubmitLedger,
): Promise<{ error: AlibabaError; items: Candidate[] } | undefined> {
  const { stop } = options;
  let pending = batch.items;
  const started = Date.now();
  /** The last failure of an attempt that went out: what the URLs are reported with if the run stops. */
  let lastFailure: AlibabaError | undefined;
  for (let attempt = 1; ; attempt++) {
    const sentAt = Date.now();
    let error: AlibabaError;
    try {
      const result = await pushObjectCache(
        client,
        pending.map((item) => item.url),
        options.push,
      );
      if (result.taskId === '') {
        // Accepted (it has a RequestId) but without a task ID: find the ID rather than report none.
        const recovered = await recoverTaskIds(client, logger, options, pending, sentAt, batch.host);
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
        `${batch.host}: ${count(pending.length, 'URL')}, task ${result.taskId || '(none)'}, request ${result.requestId ?? '(none)'}`,
      );
      return undefined;
    } catch (thrown) {
      if (!(thrown instanceof AlibabaError)) throw thrown;
      error = thrown;
    }
    if (error.outcomeUnknown) {
      pending = await settleUnknown(client, logger, options, batch.host, { pending, sentAt, error }, ledger);
      if (pending.length === 0) return undefined;
    }
    if (stop?.stopped && isRetryable(error.errorClass)) {
      // Would have been retried, but the run stopped. A call the stop kept from going out carries no
      // status and no code: then the failure before it is the one to name.
      const answered = error.code !== undefined || error.httpStatus !== undefined;
      ledger.failStopped(pending, stop.reason ?? 'cancelled', answered ? error : lastFailure);
      return undefined;
    }
    lastFailure = error;
    const delay = isRetryable(error.errorClass)
      ? nextRetryDelay(error, attempt, started, options.retryPolicy)
      : undefined;
    if (delay === undefined) return { error, items: pending };
    ledger.retries++;
    logger.info(
      `  ${batch.host}: ${error.code ?? error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`,
    );
    await sleep(delay, stop?.sendSignal);
    if (stop?.stopped) {
      ledger.failStopped(pending, stop.reason ?? 'cancelled', error);
      return undefined;
    }
  }
}

/**
 * A call whose outcome is unknown is never sent again blindly: it is looked up. What is found is
 * recorded as submitted; what is still in doubt is recorded as outcome unknown. Returns the URLs the
 * look-ups showed not accepted, which may be sent again.
 */
async function settleUnknown(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  host: string,
  call: { pending: Candidate[]; sentAt: number; error: AlibabaError },
  ledger: SubmitLedger,
): Promise<Candidate[]> {
  const { pending, sentAt, error } = call;
  if (options.stop?.stopped) {
    ledger.failUnknown(
      pending,
      `the call was in flight when the run stopped (${error.message}); it may have been accepted, so it was not sent again`,
    );
    return [];
  }
  logger.info(`  ${host}: ${error.message}; looking the batch up before deciding to send it again`);
  const lookup = await lookUpCall(
    client,
    { urls: pending.map((item) => item.url), objectType: 'preload', sentAt },
    { policy: options.lookup, retryPolicy: options.retryPolicy, signal: options.stop?.sendSignal },
  );
  if (lookup.kind === 'absent') {
    logger.info(
      `  ${host}: not in the task list ${options.lookup.windowMs / 1000} s after the failure: not accepted`,
    );
    return pending;
  }
  const found = lookup.kind === 'accepted' ? lookup.taskIds : lookup.found;
  const confirmed = pending.filter((item) => found.has(item.url));
  if (confirmed.length > 0) {
    ledger.accept(confirmed, (url) => found.get(url) ?? '', undefined, 'confirmed-by-lookup');
    logger.info(
      `  ${host}: ${count(confirmed.length, 'URL was', 'URLs were')} accepted after all (found by look-up)`,
    );
  }
  if (lookup.kind === 'in-doubt') {
    const doubtful = pending.filter((item) => !found.has(item.url));
    ledger.failUnknown(doubtful, `${error.message}; ${lookup.why}, so it was not sent again`, lookup.code);
    logger.warning(
      `${host}: ${count(doubtful.length, 'URL')}: outcome unknown (${lookup.why}); not sent again, so that no quota is spent twice.`,
    );
  }
  return [];
}

/** The task IDs of a call accepted without one, found by look-up; an empty map when none is found. */
async function recoverTaskIds(
  client: AlibabaClient,
  logger: Logger,
  options: SubmitOptions,
  items: Candidate[],
  sentAt: number,
  host: string,
): Promise<Map<string, string>> {
  const lookup = await lookUpCall(
    client,
    { urls: items.map((item) => item.url), objectType: 'preload', sentAt },
    { policy: options.lookup, retryPolicy: options.retryPolicy, signal: options.stop?.sendSignal },
  );
  const found =
    lookup.kind === 'accepted' ? lookup.taskIds : lookup.kind === 'in-doubt' ? lookup.found : undefined;
  if (found && found.size > 0) return found;
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
  ledger.fail(items, error.message, error);
  logger.warning(`${host}: ${count(items.length, 'URL')} failed: ${error.message}`);
}
