import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, type Slot } from '../../src/runtime/rate-limiter.js';
import { createRng } from '../helpers/prng.js';

interface CallRecord {
  acquired: number;
  released?: number;
}

/**
 * The limiter's promise: a call counts from acquire until `windowMs` after release, and at no
 * acquire time do more than `limit` calls count.
 */
function windowViolations(calls: readonly CallRecord[], limit: number, windowMs: number): string[] {
  const problems: string[] = [];
  for (const call of calls) {
    const t = call.acquired;
    const counting = calls.filter(
      (c) => c.acquired <= t && (c.released === undefined || c.released > t - windowMs),
    );
    if (counting.length > limit) problems.push(`at t=${t}: ${counting.length} calls count (limit ${limit})`);
  }
  return problems;
}

describe('RateLimiter (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const clock = (): number => Date.now();

  it('the first `limit` calls pass at once; the next waits until one window after a release', async () => {
    const limiter = new RateLimiter(2, 1000, clock);
    const start = Date.now();
    const a = await limiter.acquire();
    await limiter.acquire();
    let thirdAt: number | undefined;
    const third = limiter.acquire().then((slot) => {
      thirdAt = Date.now() - start;
      return slot;
    });
    await vi.advanceTimersByTimeAsync(300);
    expect(thirdAt).toBeUndefined();
    a.release(); // at t=300: its slot frees at t=1300
    await vi.advanceTimersByTimeAsync(999);
    expect(thirdAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(50);
    expect(thirdAt).toBeGreaterThan(1300);
    expect(thirdAt).toBeLessThanOrEqual(1350);
    (await third).release();
  });

  it('a call still running holds its slot however long it runs', async () => {
    const limiter = new RateLimiter(1, 100, clock);
    await limiter.acquire();
    let got = false;
    void limiter.acquire().then(() => {
      got = true;
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(got).toBe(false);
  });

  it('releasing twice frees only one slot', async () => {
    const limiter = new RateLimiter(1, 100, clock);
    const slot = await limiter.acquire();
    slot.release();
    slot.release();
    await vi.advanceTimersByTimeAsync(150);
    await limiter.acquire();
    let got = false;
    void limiter.acquire().then(() => {
      got = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(got).toBe(false);
  });

  it('serves waiters first in, first out, including ones that arrive while others wait', async () => {
    const limiter = new RateLimiter(2, 100, clock);
    const s1 = await limiter.acquire();
    const s2 = await limiter.acquire();
    const served: string[] = [];
    const slots: Slot[] = [];
    const wait = (name: string): Promise<void> =>
      limiter.acquire().then((slot) => {
        served.push(name);
        slots.push(slot);
      });
    const pending = [wait('A'), wait('B')];
    s1.release();
    await vi.advanceTimersByTimeAsync(50);
    pending.push(wait('C'));
    await vi.advanceTimersByTimeAsync(60); // s1's slot frees: A
    expect(served).toEqual(['A']);
    pending.push(wait('D'));
    s2.release();
    await vi.advanceTimersByTimeAsync(200); // s2's slot frees: B
    expect(served).toEqual(['A', 'B']);
    for (const slot of slots.splice(0)) slot.release();
    await vi.advanceTimersByTimeAsync(200);
    expect(served).toEqual(['A', 'B', 'C', 'D']);
    await Promise.all(pending);
  });

  it('an abort signal rejects a waiting acquire and gives its turn to the next waiter', async () => {
    const limiter = new RateLimiter(1, 100, clock);
    const first = await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const rejection = expect(aborted).rejects.toThrow('stop now');
    let nextGot = false;
    const next = limiter.acquire().then((slot) => {
      nextGot = true;
      return slot;
    });
    controller.abort(new Error('stop now'));
    await rejection;
    first.release();
    await vi.advanceTimersByTimeAsync(150);
    expect(nextGot).toBe(true);
    (await next).release();
    // The aborted waiter took no slot: after one window another call passes.
    await vi.advanceTimersByTimeAsync(150);
    let lastGot = false;
    void limiter.acquire().then(() => {
      lastGot = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(lastGot).toBe(true);
  });

  it('an already aborted signal rejects an acquire that would have to wait', async () => {
    const limiter = new RateLimiter(1, 100, clock);
    await limiter.acquire();
    await expect(limiter.acquire(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it.each([0, -1, 1.5])('limit %s is refused', (limit) => {
    expect(() => new RateLimiter(limit, 100, clock)).toThrow();
  });

  it.each([
    { seed: 1, limit: 5, windowMs: 200 },
    { seed: 2, limit: 1, windowMs: 100 },
    { seed: 3, limit: 3, windowMs: 1000 },
    { seed: 4, limit: 50, windowMs: 1000 },
    { seed: 5, limit: 5, windowMs: 200 },
  ])(
    'random calls never exceed the limit in a window (seed $seed, limit $limit, window $windowMs ms)',
    async ({ seed, limit, windowMs }) => {
      const rng = createRng(seed);
      const limiter = new RateLimiter(limit, windowMs, clock);
      const calls: CallRecord[] = [];
      const acquireOrder: number[] = [];
      const callCount = limit * 12 + 10;
      const tasks: Promise<void>[] = [];
      for (let i = 0; i < callCount; i++) {
        // Bursts and gaps: several calls at the same instant, then a pause.
        if (rng.bool(0.3)) await vi.advanceTimersByTimeAsync(rng.int(0, windowMs));
        const duration = rng.pick([0, 1, rng.int(0, windowMs / 2), rng.int(0, windowMs * 2)]);
        const index = i;
        tasks.push(
          limiter.acquire().then(async (slot) => {
            const record: CallRecord = { acquired: Date.now() };
            calls.push(record);
            acquireOrder.push(index);
            await new Promise((resolve) => setTimeout(resolve, duration));
            record.released = Date.now();
            slot.release();
          }),
        );
      }
      await vi.runAllTimersAsync();
      await Promise.all(tasks);
      expect(calls).toHaveLength(callCount);
      expect(windowViolations(calls, limit, windowMs)).toEqual([]);
      // FIFO: calls are served in the order they asked.
      expect(acquireOrder).toEqual([...acquireOrder].sort((a, b) => a - b));
      // And the limiter is not idle-waiting: it finishes in about callCount / limit windows.
      const span = Math.max(...calls.map((c) => c.released ?? 0)) - Math.min(...calls.map((c) => c.acquired));
      expect(span).toBeGreaterThanOrEqual(Math.floor((callCount - 1) / limit) * windowMs);
    },
  );

  it('the invariant checker itself catches an over-limit window', () => {
    expect(
      windowViolations(
        [
          { acquired: 0, released: 10 },
          { acquired: 50, released: 60 },
        ],
        1,
        100,
      ),
    ).not.toEqual([]);
    expect(
      windowViolations(
        [
          { acquired: 0, released: 10 },
          { acquired: 110, released: 120 },
        ],
        1,
        100,
      ),
    ).toEqual([]);
  });
});

describe('RateLimiter (real clock, short window)', () => {
  it('limit 5, window 200 ms: the 6th call waits about one window after the first release', async () => {
    const limiter = new RateLimiter(5, 200);
    const start = performance.now();
    const slots = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    expect(performance.now() - start).toBeLessThan(100);
    const releasedAt = performance.now();
    for (const slot of slots) slot.release();
    const sixth = await limiter.acquire();
    const waited = performance.now() - releasedAt;
    sixth.release();
    expect(waited).toBeGreaterThanOrEqual(195);
    expect(waited).toBeLessThan(1000);
  });
});
