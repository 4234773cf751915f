/**
 * Retries with exponential backoff and jitter, within a bounded overall time. Each attempt is a new
 * call to `attempt`, so each is signed afresh (new nonce and time).
 */
import { AlibabaError, isRetryable } from '../base/errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** PreloadQueueFull drains in minutes, not milliseconds: wait longer between those attempts. */
  queueFullBaseDelayMs: number;
  queueFullMaxDelayMs: number;
  /** No retry starts after this much time since the first attempt. */
  maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  queueFullBaseDelayMs: 2_000,
  queueFullMaxDelayMs: 60_000,
  maxElapsedMs: 180_000,
};

export interface RetryHooks {
  onRetry?: (error: AlibabaError, delayMs: number, attempt: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  now?: () => number;
}

/** The pause before retry number `attempt` (1-based): equal jitter, never shorter than Retry-After. */
export function backoffDelay(
  error: AlibabaError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  const queueFull = error.errorClass === 'queue-full';
  const base = queueFull ? policy.queueFullBaseDelayMs : policy.baseDelayMs;
  const cap = queueFull ? policy.queueFullMaxDelayMs : policy.maxDelayMs;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(jittered, error.retryAfterMs ?? 0));
}

/**
 * The pause before the next attempt, or undefined when no retry is allowed: the attempts are spent,
 * or the pause would end past the overall bound.
 */
export function nextRetryDelay(
  error: AlibabaError,
  attempt: number,
  startedAt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  now: number = Date.now(),
): number | undefined {
  if (!isRetryable(error.errorClass) || attempt >= policy.maxAttempts) return undefined;
  const delay = backoffDelay(error, attempt, policy, random);
  return now - startedAt + delay > policy.maxElapsedMs ? undefined : delay;
}

export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const { sleep: pause = sleep, random = Math.random, now = Date.now } = hooks;
  const started = now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof AlibabaError) || hooks.signal?.aborted) throw error;
      const delay = nextRetryDelay(error, attemptNumber, started, policy, random, now());
      if (delay === undefined) throw error;
      hooks.onRetry?.(error, delay, attemptNumber);
      await pause(delay, hooks.signal);
      // Stopped during the pause: no new attempt starts; the last failure stands.
      if (hooks.signal?.aborted) throw error;
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (then it resolves early: the caller checks why). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
