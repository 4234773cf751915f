/** Plain data of the follow-through (`refresh`, `wait`): what the report, summary and outputs are built from. */
import type { TaskStatus } from '../base/outcome.js';

/**
 * How a wait ended: every URL finished; `wait-timeout` passed; the run stopped (its own deadline, or
 * cancellation); or the polls kept failing.
 */
export type WaitEnd = 'finished' | 'timeout' | 'stopped' | 'poll-failed';

/** What the last answer said about one URL. */
export interface UrlTaskState {
  status: TaskStatus;
  /** The ID of the task the URL was found under (a call's answer may list several). */
  taskId?: string;
  /** Progress in percent, from the task's `Process`. */
  process: number;
  /** The CDN's `Description`, on failure. */
  description?: string;
}

/** One row of the summary's task table. */
export interface TaskProgress {
  taskId: string;
  urls: number;
  complete: number;
  failed: number;
  /** Neither Complete nor Failed: Pending, Refreshing, or missing from the answers. */
  pending: number;
  /** Mean progress of its URLs, in percent. */
  process: number;
  /** Complete or Failed once every URL has finished (Failed if any failed); before that Refreshing or Pending. */
  status: TaskStatus;
}

export interface WaitSummary {
  /** URLs whose task ended Complete. */
  completed: number;
  /** URLs whose task ended Failed at the CDN (origin timeout, origin 5xx, ...). */
  failed: number;
  /** URLs still running, or not known to have finished, when the wait ended. */
  pending: number;
  ended: WaitEnd;
  /** Poll rounds made. */
  polls: number;
  /** DescribeRefreshTaskById requests, retries included. */
  calls: number;
  elapsedMs: number;
  /** One entry per task ID, in submission order. */
  tasks: TaskProgress[];
  /** Why the polls stopped, when they kept failing. */
  error?: string;
}

export interface RefreshSummary {
  /** Every distinct RefreshTaskId, in submission order. */
  taskIds: string[];
  /** URLs that needed a refresh (with `refresh: changed`, those that changed in place). */
  requested: number;
  /** Of those, URLs a RefreshObjectCaches call accepted. */
  refreshed: number;
  /** Of those, URLs not refreshed: beyond UrlRemain, refused, outcome unknown, or the run stopped first. */
  notRefreshed: number;
  /** URLs that needed no refresh, by why: added, list URLs under `refresh: changed`, unchanged, refreshed by an earlier run. */
  notNeeded?: Partial<Record<'added' | 'list' | 'unchanged' | 'refreshed', number>>;
  /** URLs held back from the prefetch because their refresh was not confirmed Complete. */
  heldBack?: number;
  /** UrlRemain read at the start, when it was read. */
  urlRemain?: number;
  /** The code of the refusal that ended the refreshes, when the account may not refresh (a RAM permission). */
  refused?: string;
  /** RefreshObjectCaches requests, retries included. */
  calls: number;
  /** The wait for the refresh tasks; absent when no refresh was accepted. */
  wait?: WaitSummary;
}

/** The follow-through's part of a run's result; absent in a dry run and when neither is asked for. */
export interface FollowResult {
  refresh?: RefreshSummary;
  wait?: WaitSummary;
}
