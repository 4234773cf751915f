/** The fate of each distinct URL: the unit every count, output and summary line is built from. */
import type { ErrorClass } from './errors.js';

export type UrlStatus = 'submitted' | 'skipped' | 'failed' | 'planned';

/** A CDN task's status, as DescribeRefreshTaskById reports it. */
export type TaskStatus = 'Complete' | 'Failed' | 'Refreshing' | 'Pending';

/**
 * A URL's refresh: its task's status; `NotRefreshed` when it needed one and none was accepted;
 * `NotNeeded` when it needed none (an added URL, a list URL under `refresh: changed`, a carried URL an
 * earlier run refreshed).
 */
export type RefreshStatus = TaskStatus | 'NotRefreshed' | 'NotNeeded';

/**
 * Why no refresh was accepted for a URL that needed one: the refresh quota ran short; the account may
 * not refresh (a RAM permission); refused by a passing error (throttled, busy) or for the URL or its
 * host itself; its call's answer was lost and the look-ups could not settle it; or the run stopped first.
 */
export type NotRefreshed = 'quota' | 'permission' | 'retryable' | 'refused' | 'unknown' | NotSent;

/**
 * Why a URL of a sitemap diff or of `site-dir` is warmed: it is new, or it changed (the sitemap diff:
 * its `<lastmod>` moved or appeared; site-dir: its content hash differs), or — site-dir only — it is
 * unchanged (`changes: all`) or carried from an earlier run that could not warm it.
 */
export type UrlChange = 'added' | 'modified' | 'unchanged' | 'carried';

/** The changes a sitemap diff selects. */
export type SitemapChange = Extract<UrlChange, 'added' | 'modified'>;

/**
 * Why a failed URL was never sent: the run reached its deadline or was cancelled first, or it stopped
 * for another reason (a credential or permission error refused every call).
 */
export type NotSent = 'deadline' | 'cancelled' | 'stopped';

export interface UrlOutcome {
  url: string;
  status: UrlStatus;
  /** PushTaskId of the call that took this URL (may itself hold several comma-separated IDs). */
  taskId?: string;
  reason?: string;
  /** The API's error Code, whenever the API returned one. */
  code?: string;
  /** On a failed URL whose own call was refused or failed: the error's class (alibaba/errors.ts). */
  errorClass?: ErrorClass;
  /** On a failed URL: it was never sent, and why (set where that is decided, never read from `reason`). */
  notSent?: NotSent;
  /** RequestId of the accepted call. */
  requestId?: string;
  /** The call's answer was lost; DescribeRefreshTasks showed it had been accepted. */
  confirmedByLookup?: boolean;
  /**
   * On a failed URL: its call may have been accepted (the answer was lost and the look-ups could not
   * settle it), so it was not sent again. Absent on a failed URL means the CDN provably took nothing.
   */
  outcomeUnknown?: true;
  /** Where the entry came from, e.g. `urls: line 3`. */
  source?: string;
  /** Entries from the sitemap diff or site-dir only: why it is warmed. Absent for `urls` / `urls-file`. */
  change?: UrlChange;
  /** site-dir: a modified page whose own content (`<main>`, `<article>`, `<body>`) is unchanged. */
  chromeOnly?: true;
  /** site-dir, with `change: carried`: the UTC day an earlier run first planned it (`YYYY-MM-DD`). */
  carriedSince?: string;
  /** With `change`: the deployed sitemap's `<lastmod>` (for an image, its page's), when it has one. */
  lastmod?: string;
  /** With `change: modified`: the baseline's `<lastmod>`; absent when the lastmod appeared. */
  previousLastmod?: string;
  /**
   * Why a URL was skipped, for deciding whether `fail-on: skipped` applies and what is carried:
   * `refresh` is a URL that needed a refresh and was held back from the prefetch because its refresh
   * was not confirmed Complete (a prefetch cannot replace the copy the CDN holds).
   */
  skip?: 'quota' | 'domains' | 'excluded' | 'refresh';
  /** Position in the input, for keeping input order. */
  order: number;
  /** With `wait`: the prefetch task's last known status. */
  taskStatus?: TaskStatus;
  /** With `wait`: the CDN's Description of a failed prefetch task. */
  description?: string;
  /** With `refresh`: the RefreshTaskId of the URL's refresh (the one its task was found under, once known). */
  refreshTaskId?: string;
  /** With `refresh`: the refresh task's last known status, or NotRefreshed / NotNeeded. */
  refreshStatus?: RefreshStatus;
  /**
   * With `refresh`: why the URL was not refreshed or needed no refresh, or the CDN's Description of a
   * failed refresh.
   */
  refreshDescription?: string;
  /** With `refreshStatus: NotRefreshed`: why (set where it is decided, never read from the description). */
  notRefreshed?: NotRefreshed;
  /**
   * When a refresh of the URL was accepted and has not failed: in this run, or (a carried URL) in the
   * earlier run that refreshed it. A URL carried with it is prefetched later without a new refresh.
   */
  refreshedAt?: string;
}

export interface OutcomeCounts {
  submitted: number;
  skipped: number;
  failed: number;
  planned: number;
  total: number;
}

export function countOutcomes(outcomes: readonly UrlOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = { submitted: 0, skipped: 0, failed: 0, planned: 0, total: outcomes.length };
  for (const outcome of outcomes) counts[outcome.status]++;
  return counts;
}
