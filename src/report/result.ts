/**
 * The run's result: what the report, the job summary, the outputs and the CLI's table are built from.
 * The run's phases hand over plain parts (what was sent, what was not, what the sitemap and the site
 * held), and the result is assembled here, beside its definition.
 */
import { adviceFor } from '../alibaba/errors.js';
import { splitTaskIds } from '../alibaba/operations.js';
import { isFatal, type AlibabaError } from '../base/errors.js';
import { countOutcomes, type NotSent, type OutcomeCounts, type UrlOutcome } from '../base/outcome.js';
import type { FollowResult } from '../follow/types.js';
import { notSentReason, type StopReason } from '../runtime/stop.js';
import type { SitemapResult } from '../sitemap/changes.js';
import type { SavedSitemap } from '../sources/gather.js';
import type { SiteResult } from '../sources/site.js';
import type { SubmitResult } from '../submit/submitter.js';
import { formatLastmod } from '../sitemap/lastmod.js';
import type { Candidate, EntryChange, PreparedUrls } from '../urls/prepare.js';
import type { VerifyResult } from '../verify/types.js';

/** What a run did with every URL, and what it read on the way. */
export interface RunResult {
  /** Every distinct entry, in input order. */
  outcomes: UrlOutcome[];
  counts: OutcomeCounts;
  /** Distinct task IDs, the task of an earlier URL first. */
  taskIds: string[];
  requestIds: string[];
  duplicates: number;
  /** The prefetch remainder read at the start, when it was read. */
  quotaRemain?: number;
  dryRun: boolean;
  /** PushObjectCache calls sent, retries included. */
  calls: number;
  /** Every call sent, by API action. */
  apiCalls: Record<string, number>;
  retries: number;
  /** URLs whose call's answer was lost but which a look-up showed accepted. */
  confirmedByLookup: number;
  /** Set when the run stopped early: at its deadline, or cancelled. */
  stopped?: StopReason;
  /** A credential or permission error that stopped the run, with advice. */
  fatal?: string;
  /** With `refresh` or `wait` (never in a dry run): the refresh and the wait. */
  follow?: FollowResult;
  /** With `sitemap`: what each side had and what changed; `baseline` names what it was compared with. */
  sitemap?: SitemapResult;
  /** With `site-dir` or `state`: what the site held, what was carried in and out, whether the state was written. */
  site?: SiteResult;
  /** With `save-sitemap`: what was saved; nothing was sent. */
  savedSitemap?: SavedSitemap;
  /** With `verify` (never in a dry run): what the site served for each URL. */
  verify?: VerifyResult;
}

/** What the phases of a run found, as plain values. */
export interface RunParts {
  dryRun: boolean;
  /** Every distinct entry's outcome, in input order. */
  outcomes: UrlOutcome[];
  /** The URLs as gathered: duplicates merged, and why the sitemap diff or site-dir selected each. */
  urls: Pick<PreparedUrls, 'duplicates' | 'changes'>;
  /** The prefetch remainder read at the start, when it was read. */
  quotaRemain?: number | undefined;
  /** Every call sent, by API action. */
  apiCalls: Record<string, number>;
  /** What the submission recorded; absent when nothing was submitted. */
  submitted?: SubmitResult | undefined;
  stopped?: StopReason | undefined;
  follow?: FollowResult | undefined;
  sitemap?: SitemapResult | undefined;
}

/** The result of a run that got as far as sending (or as a dry run, as planning). */
export function runResult(parts: RunParts): RunResult {
  const { submitted } = parts;
  const outcomes = withChanges(parts.outcomes, parts.urls.changes);
  return {
    outcomes,
    counts: countOutcomes(outcomes),
    taskIds: distinctTaskIds(outcomes),
    requestIds: submitted?.requestIds ?? [],
    duplicates: parts.urls.duplicates,
    ...(parts.quotaRemain !== undefined ? { quotaRemain: parts.quotaRemain } : {}),
    dryRun: parts.dryRun,
    calls: parts.apiCalls['PushObjectCache'] ?? 0,
    apiCalls: parts.apiCalls,
    retries: submitted?.retries ?? 0,
    confirmedByLookup: submitted?.confirmedByLookup ?? 0,
    ...(parts.stopped ? { stopped: parts.stopped } : {}),
    ...(submitted?.fatal ? { fatal: fatalText(submitted.fatal) } : {}),
    ...(parts.follow ? { follow: parts.follow } : {}),
    ...(parts.sitemap ? { sitemap: parts.sitemap } : {}),
  };
}

/** Why a run was refused before anything was sent: the step's failure, and each URL's reason. */
export interface Refusal {
  fatal: string;
  reason: string;
}

/** A refusal by the API before sending (credentials, a permission, a proxy, the quota read). */
export function refusalOf(error: AlibabaError): Refusal {
  return {
    fatal: isFatal(error.errorClass) ? fatalText(error) : error.message,
    reason: `not sent: the run stopped at ${error.code ?? error.message}`,
  };
}

/** A sitemap that could not be read: nothing is sent. */
export function sitemapRefusal(failure: Error): Refusal {
  return { fatal: failure.message, reason: 'not sent: the sitemap could not be read' };
}

/**
 * A run refused before anything was submitted (an unreadable sitemap, credentials, a proxy, the quota
 * read): every URL is still reported — the rejected entries as they are, the others as not sent for
 * `refusal.reason` — and the step fails with `refusal.fatal`.
 */
export function refusedResult(
  parts: Omit<RunParts, 'outcomes' | 'submitted' | 'quotaRemain' | 'follow' | 'urls'>,
  urls: PreparedUrls,
  refusal: Refusal,
): RunResult {
  const unsent = failedOutcomes(urls.candidates, refusal.reason, 'stopped');
  const outcomes = inInputOrder(urls.rejected, unsent);
  return { ...runResult({ ...parts, urls, outcomes }), fatal: refusal.fatal };
}

/** The result of a run that sent nothing and reported no URL (`save-sitemap`). */
export function emptyResult(dryRun: boolean, saved: SavedSitemap | undefined): RunResult {
  return {
    outcomes: [],
    counts: countOutcomes([]),
    taskIds: [],
    requestIds: [],
    duplicates: 0,
    dryRun,
    calls: 0,
    apiCalls: {},
    retries: 0,
    confirmedByLookup: 0,
    ...(saved ? { savedSitemap: saved } : {}),
  };
}

/** The outcomes of every part of the run's URLs, in input order. */
export function inInputOrder(...parts: readonly (readonly UrlOutcome[])[]): UrlOutcome[] {
  return parts.flat().sort(byOrder);
}

/** The URLs beyond the quota, skipped. */
export function skippedForQuota(overQuota: readonly Candidate[], quota: number | undefined): UrlOutcome[] {
  const reason = `quota: the daily prefetch quota had ${quota} URLs left`; // one string for them all
  return overQuota.map((item) => ({
    url: item.url,
    status: 'skipped',
    reason,
    skip: 'quota',
    source: item.source,
    order: item.order,
  }));
}

/** The URLs within the quota when nothing was submitted: planned in a dry run, failed when the run stopped first. */
export function unsentOutcomes(
  items: readonly Candidate[],
  dryRun: boolean,
  stopped: StopReason | undefined,
): UrlOutcome[] {
  if (stopped && !dryRun) return failedOutcomes(items, notSentReason(stopped), stopped);
  return items.map((item) => ({ url: item.url, status: 'planned', source: item.source, order: item.order }));
}

/** Never sent, and why (`notSent`, which carry-over reads). */
function failedOutcomes(items: readonly Candidate[], reason: string, notSent: NotSent): UrlOutcome[] {
  return items.map((item) => ({
    url: item.url,
    status: 'failed',
    reason,
    notSent,
    source: item.source,
    order: item.order,
  }));
}

/**
 * Gives each outcome from the sitemap diff its `change` and lastmods, and each from site-dir its
 * `change`, `chromeOnly` and `carriedSince` (report rows of urls / urls-file get none). The outcomes
 * are this run's own, made for the report: they are completed in place (a million copies would be a
 * million objects more at the run's peak).
 */
function withChanges(outcomes: UrlOutcome[], changes: ReadonlyMap<number, EntryChange>): UrlOutcome[] {
  if (changes.size === 0) return outcomes;
  const format = lastFormatted();
  for (const outcome of outcomes) {
    const entry = changes.get(outcome.order);
    if (entry === undefined) continue;
    outcome.change = entry.change;
    if (!('lastmod' in entry)) {
      if (entry.chromeOnly) outcome.chromeOnly = true;
      if (entry.carriedSince !== undefined) outcome.carriedSince = entry.carriedSince;
      continue;
    }
    if (!Number.isNaN(entry.lastmod)) outcome.lastmod = format(entry.lastmod);
    if (entry.change === 'modified' && !Number.isNaN(entry.previousLastmod)) {
      outcome.previousLastmod = format(entry.previousLastmod);
    }
  }
  return outcomes;
}

/** formatLastmod, remembering its last answer: a build stamp gives thousands of URLs the same lastmod. */
function lastFormatted(): (ms: number) => string {
  let last = NaN;
  let text = '';
  return (ms) => {
    if (ms !== last) {
      last = ms;
      text = formatLastmod(ms);
    }
    return text;
  };
}

function byOrder(a: UrlOutcome, b: UrlOutcome): number {
  return a.order - b.order;
}

function distinctTaskIds(outcomes: readonly UrlOutcome[]): string[] {
  const ids = new Set<string>();
  for (const outcome of outcomes) for (const id of splitTaskIds(outcome.taskId ?? '')) ids.add(id);
  return [...ids];
}

/** A refusal's message with what to check, for the step's failure. */
function fatalText(error: AlibabaError): string {
  return `${error.message}. ${adviceFor(error)}`;
}
