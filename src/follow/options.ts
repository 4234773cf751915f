/** Follow-through (`refresh`, `wait`): what happens around the prefetch itself. */
export interface FollowOptions {
  /** Refresh the URLs about to be prefetched (RefreshObjectCaches), wait for it, then prefetch. */
  refresh: boolean;
  /** After submission, poll the prefetch tasks until every URL is Complete or Failed. */
  wait: boolean;
  /** Bound of each wait (the refresh wait, the prefetch wait), from its own start. */
  waitTimeoutMs: number;
  /** The shortest pause between two polls; it grows ×1.5 while nothing changes, up to 6×. */
  pollIntervalMs: number;
}
