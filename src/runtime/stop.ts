/**
 * How a run is stopped early: at its deadline (`timeout`) or when the workflow is cancelled. Two
 * steps, because a call in flight may already have been accepted: first stop *sending* (new calls,
 * retries, waits), and only later abort the requests still in flight, so that their answers — and the
 * task IDs in them — can still arrive and be reported.
 */

import { setMaxListeners } from 'node:events';
import { LIMITS } from '../base/limits.js';

/** Why a run ended early: its deadline (`timeout`), or a cancel. */
export type StopReason = 'deadline' | 'cancelled';

export class RunStop {
  private readonly sending = new AbortController();
  private readonly requests = new AbortController();
  private stopReason: StopReason | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor() {
    // Every call under way listens on these signals while it waits or is in flight: up to
    // requests-per-second calls at once, with their look-ups. More than Node's default of 10 is normal.
    setMaxListeners(4 * LIMITS.maxRequestsPerSecond, this.sending.signal, this.requests.signal);
  }

  /** Aborted when no new call may start: gate waits, retry pauses and polls end at once. */
  get sendSignal(): AbortSignal {
    return this.sending.signal;
  }

  /** Aborted when requests in flight must be given up. */
  get requestSignal(): AbortSignal {
    return this.requests.signal;
  }

  get reason(): StopReason | undefined {
    return this.stopReason;
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** Stops sending now; requests in flight get `graceMs` to finish before they are aborted. */
  stop(reason: StopReason, graceMs: number): void {
    if (this.stopReason === undefined) {
      this.stopReason = reason;
      this.sending.abort(new Error(reason));
    }
    const timer = setTimeout(() => this.abortRequests(), graceMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** Aborts requests in flight now (the second signal of a cancellation). */
  abortRequests(): void {
    if (this.stopReason === undefined) this.stop('cancelled', 0);
    this.requests.abort(new Error(this.stopReason));
  }

  /** Stops the run at `timeoutMs` from now. */
  armDeadline(timeoutMs: number, graceMs: number): void {
    const timer = setTimeout(() => this.stop('deadline', graceMs), timeoutMs);
    timer.unref();
    this.timers.push(timer);
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

/** The reason recorded for a URL that was not sent because the run stopped. */
export function notSentReason(reason: StopReason): string {
  return reason === 'deadline'
    ? 'deadline: not sent before the run reached its timeout'
    : 'cancelled: not sent before the run was cancelled';
}

/** Why something was not done because the run stopped before it, e.g. a sitemap not read. */
export function stoppedFirst(reason: StopReason): string {
  return reason === 'deadline' ? 'the run reached its timeout first' : 'the run was cancelled first';
}
