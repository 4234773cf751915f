/** `verify` and `verify-limit`, as config/ composes them. */
export interface VerifyOptions {
  /** `verify-limit`: at most this many URLs are asked for; the rest are unchecked. */
  limit: number;
}

/** Requests to the site in flight at once, at most: a check must never look like an attack. */
export const VERIFY_CONCURRENCY = 8;

/** How long a stale answer waits before it is asked again (an edge may still be settling). */
export const SECOND_ASK_AFTER_MS = 2_000;
