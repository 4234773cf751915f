/** The submitter's book of outcomes: one entry per URL, whatever happened to its batch. */
import type { AlibabaError } from '../base/errors.js';
import type { UrlOutcome } from '../base/outcome.js';
import type { Candidate } from '../urls/prepare.js';
import { notSentReason } from '../runtime/stop.js';
import type { StopReason } from '../runtime/stop.js';
import { count } from '../base/text.js';

/** How an accepted URL's acceptance became known, when not from a plain answer. */
export type Confirmation = 'confirmed-by-lookup' | 'accepted-without-task-id';

export class SubmitLedger {
  /**
   * `onRecord` hears, after every change, how many URLs the submission has dealt with: accepted,
   * refused, skipped or failed on their own account. URLs never sent because the run stopped (its
   * deadline, a cancel, a refusal of the keys) are not counted: progress stays where sending stopped,
   * never 3000/3000 when 540 went.
   */
  constructor(private readonly onRecord?: (dealt: number) => void) {}

  /** URLs with an outcome that are not "never sent: the run stopped". */
  private dealt = 0;

  readonly outcomes: UrlOutcome[] = [];
  readonly requestIds: string[] = [];
  readonly failedHosts = new Map<string, AlibabaError>();
  fatal: AlibabaError | undefined;
  retries = 0;
  confirmedByLookup = 0;

  accept(
    items: readonly Candidate[],
    taskIdOf: (url: string) => string,
    requestId: string | undefined,
    confirmation?: Confirmation,
  ): void {
    if (requestId) this.requestIds.push(requestId);
    if (confirmation === 'confirmed-by-lookup') this.confirmedByLookup += items.length;
    for (const item of items) {
      const taskId = taskIdOf(item.url);
      this.outcomes.push({
        url: item.url,
        status: 'submitted',
        ...(taskId ? { taskId } : { reason: 'accepted without a task ID' }),
        ...(requestId ? { requestId } : {}),
        ...(confirmation === 'confirmed-by-lookup' ? { confirmedByLookup: true } : {}),
        source: item.source,
        order: item.order,
      });
    }
    this.progress(items.length);
  }

  /** Failed: refused by the API (`error`: its code and class are recorded), or for a reason of its own. */
  fail(items: readonly Candidate[], reason: string, error?: AlibabaError): void {
    this.record(items, reason, error ? refusal(error) : {});
  }

  /**
   * Failed, but the call may have been accepted: reported with `outcomeUnknown` (and a reason that
   * starts "outcome unknown"), never sent again.
   */
  failUnknown(items: readonly Candidate[], reason: string, code?: string): void {
    this.record(items, `outcome unknown: ${reason}`, {
      ...(code ? { code } : {}),
      outcomeUnknown: true,
    });
  }

  /**
   * Never sent: the run stopped first (its deadline, a cancel) or a credential or permission error
   * (`cause`) stopped every call. `notSent` says which, for whoever acts on it (carry-over).
   */
  failNotSent(
    items: readonly Candidate[],
    stopReason: StopReason | undefined,
    cause: AlibabaError | undefined,
  ): void {
    if (items.length === 0) return;
    if (stopReason) return this.record(items, notSentReason(stopReason), { notSent: stopReason }, false);
    const reason = cause ? `not sent: the run stopped at ${cause.code ?? 'an error'}` : 'not sent';
    this.record(items, reason, { notSent: 'stopped' }, false);
  }

  /**
   * The run stopped while these URLs were still being retried. When every attempt so far was refused,
   * the reason names the last refusal ("deadline: refused with PreloadQueueFull until the run's
   * timeout"), not "not sent", and the refusal's class is recorded.
   */
  failStopped(
    items: readonly Candidate[],
    stopReason: StopReason,
    lastRefusal: AlibabaError | undefined,
  ): void {
    if (!lastRefusal) return this.record(items, notSentReason(stopReason), { notSent: stopReason }, false);
    const until = stopReason === 'deadline' ? "until the run's timeout" : 'until the run was cancelled';
    const what = lastRefusal.code ? `refused with ${lastRefusal.code}` : `failed (${lastRefusal.message})`;
    this.fail(items, `${stopReason}: ${what} ${until}`, lastRefusal);
  }

  /** `dealt`: false for URLs never sent because the run stopped, which the progress does not count. */
  private record(
    items: readonly Candidate[],
    reason: string,
    fields: Partial<UrlOutcome>,
    dealt = true,
  ): void {
    for (const item of items) {
      this.outcomes.push({
        url: item.url,
        status: 'failed',
        reason,
        ...fields,
        source: item.source,
        order: item.order,
      });
    }
    if (dealt) this.progress(items.length);
  }

  skipForQuota(items: readonly Candidate[], remain: number | undefined): void {
    const why =
      remain === undefined
        ? 'the daily prefetch quota is used up (QuotaExceeded)'
        : `the daily prefetch quota had ${count(remain, 'URL')} left`;
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
    this.progress(items.length);
  }

  private progress(more: number): void {
    this.dealt += more;
    this.onRecord?.(this.dealt);
  }

  result() {
    return {
      outcomes: this.outcomes,
      requestIds: this.requestIds,
      retries: this.retries,
      confirmedByLookup: this.confirmedByLookup,
      ...(this.fatal ? { fatal: this.fatal } : {}),
    };
  }
}

/** What a failed outcome records of the error that refused its call: the code, when there is one, and the class. */
function refusal(error: AlibabaError): Pick<UrlOutcome, 'code' | 'errorClass'> {
  return { ...(error.code ? { code: error.code } : {}), errorClass: error.errorClass };
}
