/**
 * `verify`: what the site served for each URL, compared with the build. Plain data: the report, the job
 * summary, the outputs, the CLI's table and the verdict are built from it (report/).
 */

/**
 * What the site answered for a URL.
 * - `fresh`: a 2xx whose decoded body hashes as this deploy's file (after `content-ignore`);
 * - `stale`: a 2xx with other content, asked twice;
 * - `missing`: a 4xx or 5xx answer;
 * - `redirect`: a 3xx, not followed (its `Location` is recorded);
 * - `error`: no usable answer (network, timeout, a body that could not be decoded);
 * - `served`: a 2xx, but there is no built file to compare with (no `site-dir`, or not a site file);
 * - `unchecked`: not asked for, and why (`unchecked`).
 */
export type EdgeResult = 'fresh' | 'stale' | 'missing' | 'redirect' | 'error' | 'served' | 'unchecked';

/**
 * Why a URL was not asked for: beyond `verify-limit`; its prefetch task was still running (a request
 * would fill the cache before the prefetch does); the run stopped first; the file is over the size a
 * check downloads.
 */
export type Unchecked = 'limit' | 'prefetch-pending' | 'deadline' | 'cancelled' | 'too-large';

/** The cache headers the CDN sent, when present: they tell whether a cached copy (HIT) or the origin answered. */
export interface CacheHeaders {
  'X-Cache'?: string;
  Age?: string;
  Via?: string;
}

/** One URL's check. */
export interface EdgeCheck {
  url: string;
  edge: EdgeResult;
  /** The HTTP status of the answer used (absent for `error` and `unchecked`). */
  status?: number;
  /** The cache headers of the answer used. */
  headers?: CacheHeaders;
  /** `redirect`: where to. */
  location?: string;
  /** `unchecked`: why. */
  unchecked?: Unchecked;
  /** What a person should know: the error, why it was not checked, or that a second ask changed the answer. */
  note?: string;
  /** The URL was asked for twice (its first answer was stale). */
  askedTwice?: true;
}

/** How many URLs ended each way: they add up to `total`. */
export type VerifyCounts = Record<EdgeResult, number> & { total: number };

export interface VerifyResult {
  /** Whether bodies were compared with a built site (`site-dir`); without one, 2xx answers are `served`. */
  compared: boolean;
  /** `verify-limit`. */
  limit: number;
  counts: VerifyCounts;
  /** Every URL considered, changed ones first, in plan order. */
  checks: EdgeCheck[];
  /** Requests sent, second asks included. */
  requests: number;
  elapsedMs: number;
}

export function emptyVerifyCounts(): VerifyCounts {
  return {
    fresh: 0,
    stale: 0,
    missing: 0,
    redirect: 0,
    error: 0,
    served: 0,
    unchecked: 0,
    total: 0,
  };
}

export function countChecks(checks: readonly EdgeCheck[]): VerifyCounts {
  const counts = emptyVerifyCounts();
  for (const check of checks) counts[check.edge]++;
  counts.total = checks.length;
  return counts;
}

/** A check's HTTP status and cache headers, as one short text for a log line or a list. */
export function headerText(check: EdgeCheck): string {
  return [
    check.status !== undefined ? `HTTP ${check.status}` : '',
    ...Object.entries(check.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
  ]
    .filter(Boolean)
    .join(', ');
}
