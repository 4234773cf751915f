/**
 * Keeps calls under N per second *as the server counts them*. The server stamps a call when it
 * arrives, which is some time between our send and its answer; a call sent on a fresh connection
 * arrives later than one on a reused connection. So a call holds its slot from send until one window
 * after its answer: then no one-second window at the server can hold more than N calls, whatever the
 * network did in between.
 */

export interface Slot {
  /** Marks the call answered (or given up); its slot frees one window later. */
  release(): void;
}

export class RateLimiter {
  private inFlight = 0;
  /** Answer times of finished calls that still count, oldest first. */
  private readonly recent: number[] = [];
  private readonly waiters: (() => void)[] = [];
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly limit: number,
    private readonly windowMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`rate limit must be a whole number >= 1, not ${limit}`);
  }

  /** Waits for a free slot, in arrival order. */
  async acquire(signal?: AbortSignal): Promise<Slot> {
    if (this.waiters.length === 0 && this.tryTake()) return this.slot();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(wake);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(wake);
      this.pump();
    });
    return this.slot();
  }

  private slot(): Slot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.recent.push(this.now());
        this.pump();
      },
    };
  }

  private tryTake(): boolean {
    this.prune();
    if (this.inFlight + this.recent.length >= this.limit) return false;
    this.inFlight++;
    return true;
  }

  private prune(): void {
    const horizon = this.now() - this.windowMs;
    while (this.recent.length > 0 && (this.recent[0] ?? 0) <= horizon) this.recent.shift();
  }

  /** Hands free slots to waiters, and sets a timer for when the oldest counted answer expires. */
  private pump(): void {
    while (this.waiters.length > 0 && this.tryTake()) this.waiters.shift()?.();
    if (this.waiters.length === 0 || this.wakeTimer !== undefined || this.recent.length === 0) return;
    const delay = Math.max(1, (this.recent[0] ?? 0) + this.windowMs - this.now() + 1);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, delay);
  }
}
