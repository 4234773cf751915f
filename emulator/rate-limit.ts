/** Per-action sliding one-second windows, counted by arrival time of the calls they admitted. */
export class SlidingWindowLimiter {
  private readonly admitted = new Map<string, number[]>();

  /** Admits the call (undefined) or answers how many ms until the window has room again. */
  admit(key: string, limit: number, arrivedAt: number): number | undefined {
    if (!(limit > 0)) return undefined;
    const times = this.admitted.get(key) ?? [];
    this.admitted.set(key, times);
    while (times.length > 0 && (times[0] ?? 0) <= arrivedAt - 1000) times.shift();
    if (times.length >= limit) return Math.max(1, (times[0] ?? arrivedAt) + 1000 - arrivedAt);
    // Arrival times can reach us slightly out of order (bodies are read asynchronously): keep them sorted.
    let i = times.length;
    while (i > 0 && (times[i - 1] ?? 0) > arrivedAt) i--;
    times.splice(i, 0, arrivedAt);
    return undefined;
  }
}
