/** The run's result: what the report, the job summary, the outputs and the CLI's table are built from. */
import type { FollowResult } from './follow.js';
import type { LoggedNote } from './logger.js';
import type { OutcomeCounts, UrlOutcome } from './outcome.js';

/** Why a run ended early. */
export type StopReason = 'deadline' | 'cancelled';

/**
 * What the sitemap diff saw: the counts the report and summary show.
 * deployed = added + modified + unchanged + notComparable + unknown + excluded.
 */
export interface DiffCounts {
  /** Distinct usable URLs in the deployed sitemap. */
  deployed: number;
  /** Distinct URLs in the baseline; undefined when there was none (or `changes: all`). */
  baseline: number | undefined;
  /** Not in the baseline (every URL when there is no baseline). */
  added: number;
  /**
   * In both, with a `<lastmod>` on the deployed side that differs from the baseline's, or that the
   * baseline lacked (a lastmod that appears is the usual first edit).
   */
  modified: number;
  /** In both, with `<lastmod>` on both sides denoting the same instant. */
  unchanged: number;
  /** In both, without a `<lastmod>` on the deployed side: whether it changed cannot be told. */
  notComparable: number;
  /** The baseline could not be read: whether these changed is unknown, and none is selected. */
  unknown: number;
  /** Matched an `exclude` pattern; counted, never listed. */
  excluded: number;
  /** `<loc>` values that are not usable URLs; each is a failed row of the report. */
  invalid: number;
  /** `<image:loc>` URLs listed after their pages (include-images). */
  images: number;
  /** Image URLs left out by an `exclude` pattern. */
  imagesExcluded: number;
}

/** The baseline of a sitemap diff, when one was asked for and could not be used. */
export type BaselineProblem =
  /** Does not exist (no file, HTTP 404/410, no such path at the ref): every URL counts as added. */
  | 'missing'
  /** An HTML page instead of a sitemap: taken as missing. */
  | 'html'
  /** Exists but could not be read or parsed: nothing is selected (unless `changes: all`). */
  | 'unreadable';

/** A warning or notice the sitemap diff (or the site) gave. */
export type SitemapNote = LoggedNote;

/** The sitemap diff's part of a run's result. */
export interface SitemapResult {
  counts: DiffCounts;
  /** What the sitemap was compared with, e.g. `public/sitemap.xml at 1a2b3c`; undefined when nothing. */
  baseline: string | undefined;
  /** Why the baseline that was asked for was not used. */
  baselineProblem?: BaselineProblem;
  /** The diff's warnings and notices (build stamps, lastmods missing, the baseline), for the summary. */
  notes: SitemapNote[];
  /** Set when the sitemap was not read (the run stopped first, or it could not be read): why. Its counts are then all 0. */
  notRead?: string;
}

/**
 * What `site-dir` held, compared with the state. files = added + modified + unchanged + excluded; the
 * previous run's carried list = carriedIn + carriedAged + carriedGone + carriedSuperseded + carriedExcluded
 * + carriedInvalid.
 */
export interface SiteCounts {
  /** Files in site-dir: added + modified + unchanged + excluded. */
  files: number;
  added: number;
  modified: number;
  unchanged: number;
  /** Files whose URL matches `exclude`: counted, never listed. */
  excluded: number;
  /** Of the modified files, pages where only the navigation around the content changed. */
  chromeOnly: number;
  /** Carried URLs planned in this run. */
  carriedIn: number;
  /** Carried URLs dropped: first planned more than carry-days ago. */
  carriedAged: number;
  /** Carried URLs dropped: their file is no longer in site-dir. */
  carriedGone: number;
  /** Carried URLs whose file changed again: warmed once, as this deploy's change. */
  carriedSuperseded: number;
  /** Carried URLs dropped: `exclude` matches them now. */
  carriedExcluded: number;
  /** Carried entries dropped as not usable: not under base-url, no file of the site, no real day. */
  carriedInvalid: number;
}

/** The `site-dir` / `state` part of a run's result. */
export interface SiteResult {
  /** `site-dir`, as given; absent with `state` alone (the carried list is drained, no site is read). */
  siteDir?: string;
  /** `state`, as given; absent when not set. */
  state?: string;
  /**
   * What was found at `state` before the run: a usable state, none, one that cannot be used, or one
   * written for another base-url. Absent when `state` is not set.
   */
  stateFound?: 'found' | 'missing' | 'unusable' | 'other-base-url';
  counts: SiteCounts;
  /** URLs planned from the site (this deploy's changes and the carried ones), before dedup with the lists. */
  planned: number;
  /**
   * URLs carried to the next run in the state this run wrote (the `carried-count` output); absent when
   * no state was written (no `state`, a dry run, a failed write, or `state` alone with none to drain).
   */
  carriedOut?: number;
  /** Without a previous state: planned URLs that were not warmed and are not carried either. */
  leftCold: number;
  /** Whether the state file was replaced at the end of the run. */
  stateWritten: boolean;
  /** Why the state could not be written (or an unusable one kept aside): the step fails with it. */
  stateError?: string;
  /** Set when site-dir was not read (the run stopped first): why. Its counts are then all 0. */
  notRead?: string;
  /** Names in site-dir that are not UTF-8 (other bytes written `\xNN`): skipped, no URL can be made of them. */
  unreadableNames?: string[];
  /** The notices and warnings about the site and the state, for the summary. */
  notes: SitemapNote[];
}

/** What `save-sitemap` wrote. */
export interface SavedSitemap {
  /** `save-sitemap`, as given. */
  file: string;
  /** `sitemap`, as given. */
  sitemap: string;
  urls: number;
}

/** Counts of a site that was not read (or held nothing). */
export function emptySiteCounts(): SiteCounts {
  return {
    files: 0,
    added: 0,
    modified: 0,
    unchanged: 0,
    excluded: 0,
    chromeOnly: 0,
    carriedIn: 0,
    carriedAged: 0,
    carriedGone: 0,
    carriedSuperseded: 0,
    carriedExcluded: 0,
    carriedInvalid: 0,
  };
}

/** Counts of a sitemap diff that read nothing. */
export function emptyDiffCounts(): DiffCounts {
  return {
    deployed: 0,
    baseline: undefined,
    added: 0,
    modified: 0,
    unchanged: 0,
    notComparable: 0,
    unknown: 0,
    excluded: 0,
    invalid: 0,
    images: 0,
    imagesExcluded: 0,
  };
}

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
}
