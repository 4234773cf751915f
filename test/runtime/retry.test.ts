import { describe, expect, it } from 'vitest';
import { AlibabaError, type ErrorClass } from '../../src/base/errors.js';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  withRetries,
  type RetryPolicy,
} from '../../src/runtime/retry.js';

const POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  queueFullBaseDelayMs: 2_000,
  queueFullMaxDelayMs: 30_000,
  maxElapsedMs: 60_000,
};

function apiError(errorClass: ErrorClass, retryAfterMs?: number): AlibabaError {
  return new AlibabaError(`PushObjectCache: ${errorClass}`, {
    action: 'PushObjectCache',
    errorClass,
    code: errorClass,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** A fake clock that sleep advances, and a record of every pause. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** An attempt function failing with the given errors in turn, then returning 'done'. */
function failing(errors: readonly unknown[]) {
  let calls = 0;
  const fn = async (): Promise<string> => {
    const error = errors[calls];
    calls++;
    if (error !== undefined) throw error;
    return 'done';
  };
  return { fn, calls: () => calls };
}

describe('withRetries: which errors are retried', () => {
  it.each<[ErrorClass, boolean]>([
    ['throttled', true],
    ['transient', true],
    ['queue-full', true],
    ['bad-request', false],
    ['credentials', false],
    ['quota', false],
    ['permission', false],
    ['domain', false],
    ['unknown', false],
  ])('%s retried: %s', async (errorClass, retried) => {
    const time = fakeTime();
    const error = apiError(errorClass);
    const attempt = failing([error]);
    const run = withRetries(attempt.fn, POLICY, { sleep: time.sleep, now: time.now, random: () => 0.5 });
    if (retried) {
      await expect(run).resolves.toBe('done');
      expect(attempt.calls()).toBe(2);
      expect(time.sleeps).toHaveLength(1);
    } else {
      await expect(run).rejects.toBe(error);
      expect(attempt.calls()).toBe(1);
      expect(time.sleeps).toHaveLength(0);
    }
  });

  it('errors that are not AlibabaErrors are not retried', async () => {
    const time = fakeTime();
    const error = new TypeError('bug');
    const attempt = failing([error]);
    await expect(withRetries(attempt.fn, POLICY, { sleep: time.sleep, now: time.now })).rejects.toBe(error);
    expect(attempt.calls()).toBe(1);
  });

  it('each attempt calls the function again (so each is signed afresh)', async () => {
    const time = fakeTime();
    const nonces: string[] = [];
    let n = 0;
    const result = await withRetries(
      async () => {
        n++;
        nonces.push(`nonce-${n}-${time.now()}`);
        if (n < 4) throw apiError('throttled');
        return nonces[nonces.length - 1];
      },
      POLICY,
      { sleep: time.sleep, now: time.now, random: () => 0 },
    );
    expect(n).toBe(4);
    expect(new Set(nonces).size).toBe(4);
    expect(result).toBe(nonces[3]);
  });

  it('reports each retry to onRetry with its delay and attempt number', async () => {
    const time = fakeTime();
    const seen: [ErrorClass, number, number][] = [];
    await withRetries(failing([apiError('transient'), apiError('throttled')]).fn, POLICY, {
      sleep: time.sleep,
      now: time.now,
      random: () => 1,
      onRetry: (error, delay, attempt) => seen.push([error.errorClass, delay, attempt]),
    });
    expect(seen).toEqual([
      ['transient', 100, 1],
      ['throttled', 200, 2],
    ]);
    expect(time.sleeps).toEqual([100, 200]);
  });
});

describe('withRetries: when it stops', () => {
  it('stops at maxAttempts and throws the last error', async () => {
    const time = fakeTime();
    const errors = Array.from({ length: 20 }, (_, i) => apiError(i % 2 ? 'throttled' : 'transient'));
    const attempt = failing(errors);
    await expect(
      withRetries(attempt.fn, POLICY, { sleep: time.sleep, now: time.now, random: () => 0 }),
    ).rejects.toBe(errors[POLICY.maxAttempts - 1]);
    expect(attempt.calls()).toBe(POLICY.maxAttempts);
    expect(time.sleeps).toHaveLength(POLICY.maxAttempts - 1);
  });

  it('maxAttempts 1 means no retry', async () => {
    const time = fakeTime();
    const attempt = failing([apiError('transient')]);
    await expect(
      withRetries(attempt.fn, { ...POLICY, maxAttempts: 1 }, { sleep: time.sleep, now: time.now }),
    ).rejects.toBeInstanceOf(AlibabaError);
    expect(attempt.calls()).toBe(1);
  });

  it('starts no retry that would end after maxElapsedMs', async () => {
    const time = fakeTime();
    const policy: RetryPolicy = { ...POLICY, maxAttempts: 100, maxElapsedMs: 1_000 };
    const attempt = failing(Array.from({ length: 100 }, () => apiError('transient')));
    await expect(
      withRetries(attempt.fn, policy, { sleep: time.sleep, now: time.now, random: () => 1 }),
    ).rejects.toBeInstanceOf(AlibabaError);
    // Delays 100, 200, 400 (700 in all); the next, 800, would end at 1,500 > 1,000.
    expect(time.sleeps).toEqual([100, 200, 400]);
    expect(attempt.calls()).toBe(4);
    const total = time.sleeps.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(policy.maxElapsedMs);
  });

  it('counts time spent inside attempts toward maxElapsedMs', async () => {
    const time = fakeTime();
    const policy: RetryPolicy = { ...POLICY, maxAttempts: 100, maxElapsedMs: 5_000 };
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          time.advance(2_000); // a slow call that times out
          throw apiError('transient');
        },
        policy,
        { sleep: time.sleep, now: time.now, random: () => 0 },
      ),
    ).rejects.toBeInstanceOf(AlibabaError);
    // After attempt 1: t=2,000, +50 fits, retry. After 2: t=4,050, +100 fits, retry. After 3: t=6,150: stop.
    expect(calls).toBe(3);
  });

  it('stops retrying once the signal is aborted', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          controller.abort();
          throw apiError('transient');
        },
        POLICY,
        { sleep: time.sleep, now: time.now, signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(AlibabaError);
    expect(calls).toBe(1);
  });

  it('a stop during a pause ends the pause at once, and no attempt follows it', async () => {
    const controller = new AbortController();
    const errors = Array.from({ length: 5 }, () => apiError('transient'));
    const attempt = failing(errors);
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    // A real pause of 10 s (random 1, base 20 s): only the stop can end it early.
    await expect(
      withRetries(
        attempt.fn,
        { ...POLICY, baseDelayMs: 20_000, maxDelayMs: 20_000 },
        {
          signal: controller.signal,
          random: () => 1,
        },
      ),
    ).rejects.toBe(errors[0]);
    expect(attempt.calls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('backoffDelay', () => {
  it.each<[string, ErrorClass, number, number, number]>([
    // [name, class, attempt, random, expected]: equal jitter between ceiling/2 and ceiling.
    ['attempt 1, random 1', 'throttled', 1, 1, 100],
    ['attempt 1, random 0', 'throttled', 1, 0, 50],
    ['attempt 2, random 1', 'transient', 2, 1, 200],
    ['attempt 3, random 1', 'transient', 3, 1, 400],
    ['attempt 4, random 0.5', 'transient', 4, 0.5, 600],
    ['attempt 5: capped at maxDelayMs', 'transient', 5, 1, 1_000],
    ['attempt 10: capped at maxDelayMs', 'transient', 10, 1, 1_000],
    ['attempt 10, random 0: half the cap', 'transient', 10, 0, 500],
    ['queue-full attempt 1 uses the longer base', 'queue-full', 1, 1, 2_000],
    ['queue-full attempt 3', 'queue-full', 3, 1, 8_000],
    ['queue-full attempt 10: capped at queueFullMaxDelayMs', 'queue-full', 10, 1, 30_000],
  ])('%s', (_name, errorClass, attempt, random, expected) => {
    expect(backoffDelay(apiError(errorClass), attempt, POLICY, () => random)).toBe(expected);
  });

  it('grows exponentially until the cap, for every jitter value', () => {
    for (const random of [0, 0.25, 0.5, 0.99]) {
      const delays = Array.from({ length: 12 }, (_, i) =>
        backoffDelay(apiError('transient'), i + 1, POLICY, () => random),
      );
      for (let i = 1; i < delays.length; i++) {
        const previous = delays[i - 1] ?? 0;
        const current = delays[i] ?? 0;
        // Doubling (within rounding) while the ceiling is below the cap.
        if (POLICY.baseDelayMs * 2 ** i <= POLICY.maxDelayMs)
          expect(Math.abs(current - previous * 2)).toBeLessThanOrEqual(2);
        else expect(current).toBeGreaterThanOrEqual(previous);
        expect(current).toBeLessThanOrEqual(POLICY.maxDelayMs);
      }
    }
  });

  it('queue-full waits longer than other retryable errors at every attempt', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const queueFull = backoffDelay(apiError('queue-full'), attempt, POLICY, () => 0);
      const throttled = backoffDelay(apiError('throttled'), attempt, POLICY, () => 1);
      expect(queueFull).toBeGreaterThan(throttled);
    }
  });

  it.each<[number, number]>([
    [5_000, 1],
    [5_000, 8],
    [150, 1],
    [60_000, 1],
  ])('honours retryAfterMs %i at attempt %i: the delay is never shorter', (retryAfterMs, attempt) => {
    for (const random of [0, 0.5, 1]) {
      expect(
        backoffDelay(apiError('throttled', retryAfterMs), attempt, POLICY, () => random),
      ).toBeGreaterThanOrEqual(retryAfterMs);
    }
  });

  it('retryAfterMs shorter than the backoff does not shorten it', () => {
    expect(backoffDelay(apiError('throttled', 10), 3, POLICY, () => 1)).toBe(400);
  });

  it('withRetries sleeps at least retryAfterMs', async () => {
    const time = fakeTime();
    await withRetries(failing([apiError('throttled', 7_500)]).fn, POLICY, {
      sleep: time.sleep,
      now: time.now,
      random: () => 0,
    });
    expect(time.sleeps).toHaveLength(1);
    expect(time.sleeps[0]).toBeGreaterThanOrEqual(7_500);
  });

  it('the default policy waits longer for a full queue and bounds the whole retry', () => {
    expect(DEFAULT_RETRY_POLICY.queueFullBaseDelayMs).toBeGreaterThan(DEFAULT_RETRY_POLICY.baseDelayMs);
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeGreaterThan(1);
    expect(Number.isFinite(DEFAULT_RETRY_POLICY.maxElapsedMs)).toBe(true);
  });
});
