/** Scripted faults: which call gets which failure. */
import { ApiError } from './errors.js';
import type { Fault, FaultKind } from './types.js';

/**
 * Faults that strike before the request is looked at (before verification, nothing accepted).
 * `sts-token-expired` expires the STS credentials the call is signed with, so that the verification
 * that follows answers InvalidSecurityToken.Expired — for this call and every later one using them.
 */
export const EARLY_FAULTS: ReadonlySet<FaultKind> = new Set(['reset-before', 'delay', 'sts-token-expired']);
/** Faults that let the action run (state changes) and then spoil the answer. */
export const ACCEPTING_FAULTS: ReadonlySet<FaultKind> = new Set([
  'reset-after',
  'garbage-200',
  'empty-task-id',
  'html-504-after',
  'json-500-after',
]);

interface Entry {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private entries: Entry[] = [];

  inject(faults: readonly Fault[]): void {
    for (const fault of faults) this.entries.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
  }

  /**
   * The first injected fault (in injection order) that matches this call — same action (default
   * PushObjectCache) and, with `nth`, an arrival index in [nth, nth + times) — is consumed and returned
   * when `due(kind)` says it applies at this stage of the call; otherwise it stays queued.
   */
  take(action: string, index: number, due: (kind: FaultKind) => boolean): Fault | undefined {
    const entry = this.entries.find(({ fault, remaining }) => {
      if (remaining <= 0 || (fault.action ?? 'PushObjectCache') !== action) return false;
      if (fault.nth === undefined) return true;
      return index >= fault.nth && index < fault.nth + (fault.times ?? 1);
    });
    if (!entry || !due(entry.fault.kind)) return undefined;
    entry.remaining--;
    this.entries = this.entries.filter((e) => e.remaining > 0);
    return entry.fault;
  }
}

/** The error answer of the faults that imitate an Alibaba error (undefined for the other kinds). */
export function faultError(fault: Fault): ApiError | undefined {
  switch (fault.kind) {
    case 'throttling': {
      const headers: Record<string, string> =
        fault.retryAfterMs === undefined ? {} : { 'x-acs-retry-after': String(fault.retryAfterMs) };
      return new ApiError(503, 'Throttling.User', 'Request was denied due to user flow control.', headers);
    }
    case 'service-unavailable':
      return new ApiError(
        503,
        'ServiceUnavailable',
        'The request has failed due to a temporary failure of the server.',
      );
    case 'internal-error':
      return new ApiError(
        500,
        'InternalError',
        'The request processing has failed due to some unknown error, exception or failure.',
      );
    case 'service-busy':
      return new ApiError(403, 'ServiceBusy', 'The domain is being configured. Please try again later.');
    case 'queue-full':
      return new ApiError(
        403,
        'PreloadQueueFull',
        'The prefetch queue of your account is full. Try again later.',
      );
    default:
      return undefined;
  }
}
