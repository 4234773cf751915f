/** Follow-through (`refresh`, `wait`): what happens around the prefetch itself. */

/**
 * `refresh`: which URLs are refreshed (RefreshObjectCaches) before their prefetch, which is then sent
 * only once the refresh is confirmed Complete. `changed` (the input's `changed`): the URLs whose content
 * changed in place — modified ones, and carried ones that were modified and not refreshed yet; `all`
 * (`true`): every planned URL not refreshed yet; `none` (`false`): none.
 */
export type RefreshMode = 'changed' | 'all' | 'none';

export interface FollowOptions {
  refresh: RefreshMode;
  /** After submission, poll the prefetch tasks until every URL is Complete or Failed. */
  wait: boolean;
  /** Bound of each wait (the refresh wait, the prefetch wait), from its own start. */
  waitTimeoutMs: number;
  /** The shortest pause between two polls; it grows ×1.5 while nothing changes, up to 6×. */
  pollIntervalMs: number;
}
