/** The run's result: what the report, the job summary, the outputs and the CLI's table are built from. */
import type { FollowResult } from './follow.js';
import type { OutcomeCounts, UrlOutcome } from './outcome.js';

/** Why a run ended early. */
export type StopReason = 'deadline' | 'cancelled';

/** What the sitemap diff saw: the counts the report and summary show. */
export interface DiffCounts {
  /** Distinct usable URLs in the deployed sitemap: added + modified + unchanged + excluded. */
  deployed: number;
  /** Distinct URLs in the baseline; undefined when there was none (or `changes: all`). */
  baseline: number | undefined;
  /** Not in the baseline (every URL when there is no baseline). */
  added: number;
  /** In both, with `<lastmod>` on both sides denoting different instants. */
  modified: number;
  unchanged: number;
  /** Matched an `exclude` pattern; counted, never listed. */
  excluded: number;
  /** `<image:loc>` URLs listed after their pages (include-images). */
  images: number;
  /** Image URLs left out by an `exclude` pattern. */
  imagesExcluded: number;
}

/** Counts of a sitemap diff that read nothing (the run stopped first). */
export function emptyDiffCounts(): DiffCounts {
  return {
    deployed: 0,
    baseline: undefined,
    added: 0,
    modified: 0,
    unchanged: 0,
    excluded: 0,
    images: 0,
    imagesExcluded: 0,
  };
}

/** What the sitemap side of a run came to, for the report and the summary. */
export interface SitemapOutcome {
  counts: DiffCounts;
  /** What it was compared with; undefined when nothing. */
  baseline: string | undefined;
  /** Set when the run stopped before the sitemap was read: why (its counts are then all 0). */
  notRead?: string;
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
  sitemap?: SitemapOutcome;
  /** With `save-sitemap`: nothing was sent. */
  savedSitemap?: string;
}
