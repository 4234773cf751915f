/**
 * Sitemap diff as a URL source: the URLs a deploy added or changed, read from the deployed sitemap
 * and compared with a baseline (a file, a URL, or the same file at a git ref), and the diff's part of
 * the run's result. The action maps its inputs onto these options; nothing here reads inputs or
 * imports @actions/core. (save-sitemap alone: save.ts; the priorities site-dir orders by: priorities.ts.)
 */
import * as path from 'node:path';
import type { ExcludeMatcher } from '../urls/exclude.js';
import { notingLogger, type LoggedNote, type Logger } from '../base/logger.js';
import {
  emptyDiffCounts,
  SitemapDiff,
  type ChangeSelection,
  type DiffCounts,
  type SelectedChange,
} from './diff.js';
import { ConfigError, errorMessage } from '../base/errors.js';
import { loadDeployed, warnRejects } from './deployed.js';
import { DocumentNotFoundError, HtmlPageError } from './errors.js';
import type { RetryPolicy } from '../runtime/retry.js';
import type { GitHubRepoAccess } from './git-baseline.js';
import { loadSitemap, type InvalidLoc, type UrlSink } from './load.js';
import { locateAtRef, locateInput } from './locate.js';
import { saveBaselineFile } from './save.js';
import { SitemapSet } from './set.js';
import { DEFAULT_LIMITS, type DocumentLocation, type SitemapLimits } from './document.js';
import { buildStampWarning, notComparableWarning } from './warnings.js';

/** `sitemap` and its companions. */
export interface SitemapConfig {
  /** Workspace path or http(s) URL of the deployed sitemap or sitemap index. */
  sitemap: string;
  previousSitemap?: string;
  previousRef?: string;
  /** Repository access for `previous-ref`. */
  github?: GitHubRepoAccess;
  changes: ChangeSelection;
  includeImages: boolean;
  /** When set, the run only saves the sitemap as a flat baseline here and sends nothing. */
  saveSitemap?: string;
}

export interface SitemapSourceOptions {
  /** Relative paths are resolved against this: GITHUB_WORKSPACE, the repository's root. */
  workspace: string;
  /** `sitemap`: workspace path or http(s) URL of the deployed sitemap or sitemap index. */
  sitemap: string;
  /** `previous-sitemap`: workspace path or http(s) URL of the sitemap before the deploy. */
  previousSitemap?: string | undefined;
  /** `previous-ref`: a git ref or SHA; the baseline is `sitemap`'s path at that ref. Needs `github`. */
  previousRef?: string | undefined;
  /** Repository access for previousRef (`github-token`, GITHUB_API_URL, GITHUB_REPOSITORY). */
  github?: GitHubRepoAccess | undefined;
  /** `changes`, from parseChanges(). With `all`, no baseline is read. */
  changes: ChangeSelection;
  /** `include-images`: list `<image:loc>` URLs of selected pages right after each page. */
  includeImages: boolean;
  /** `exclude`, from compileExcludes(). Excluded URLs are counted, never listed. */
  exclude?: ExcludeMatcher | undefined;
  /** `base-url`: resolves a `<loc>` written as a path; without it such a loc is left out (with the warning). */
  baseUrl?: string | undefined;
  /**
   * `save-sitemap`: also write the deployed sitemap here as a flat urlset, from the same read. A
   * missing sitemap still throws here; saveSitemapBaseline alone writes an empty urlset for it.
   */
  saveSitemap?: string | undefined;
  /** Overrides of DEFAULT_LIMITS (tests lower them). */
  limits?: Partial<SitemapLimits> | undefined;
  /** Transient failures reading a document are tried again under this policy (the API calls' one). */
  retryPolicy?: RetryPolicy | undefined;
  /** Cancels every request and every pause between tries. */
  signal?: AbortSignal | undefined;
}

/** The baseline of a sitemap diff, when one was asked for and could not be used. */
export type BaselineProblem =
  /** Does not exist (no file, HTTP 404/410, no such path at the ref): every URL counts as added. */
  | 'missing'
  /** An HTML page instead of a sitemap: taken as missing. */
  | 'html'
  /** Exists but could not be read or parsed: nothing is selected (unless `changes: all`). */
  | 'unreadable';

/** The sitemap diff's part of a run's result. */
export interface SitemapResult {
  counts: DiffCounts;
  /** What the sitemap was compared with, e.g. `public/sitemap.xml at 1a2b3c`; undefined when nothing. */
  baseline: string | undefined;
  /** Why the baseline that was asked for was not used. */
  baselineProblem?: BaselineProblem;
  /** The diff's warnings and notices (build stamps, lastmods missing, the baseline), for the summary. */
  notes: LoggedNote[];
  /** Set when the sitemap was not read (the run stopped first, or it could not be read): why. Its counts are then all 0. */
  notRead?: string;
}

/** The result's part for a sitemap diff that was read. */
export function sitemapResult(sitemap: SitemapUrls): SitemapResult {
  return {
    counts: sitemap.counts,
    baseline: sitemap.baseline,
    ...(sitemap.baselineProblem ? { baselineProblem: sitemap.baselineProblem } : {}),
    notes: sitemap.notes,
  };
}

/** The result's part for a sitemap that was not read, and why: all its counts are 0. */
export function notReadSitemap(why: string): SitemapResult {
  return { counts: emptyDiffCounts(), baseline: undefined, notes: [], notRead: why };
}

export interface SitemapUrls {
  /** Distinct normalized URLs to prefetch, in quota order; each page's images right after it. */
  urls: string[];
  /** Why each of `urls` was selected, at the same index. */
  changes: SelectedChange[];
  counts: DiffCounts;
  /** What the sitemap was compared with, e.g. `public/sitemap.xml at 1a2b3c`; undefined when nothing. */
  baseline: string | undefined;
  /** Why the baseline that was asked for was not used. */
  baselineProblem?: BaselineProblem;
  /** The deployed sitemap's unusable `<loc>` values: each becomes a failed row of the report. */
  invalid: InvalidLoc[];
  /** Every notice and warning given on the way, for the job summary. */
  notes: LoggedNote[];
}

/**
 * Reads the baseline and the deployed sitemap and returns what changed. A deployed sitemap that is
 * missing or cannot be used is a ConfigError (a transient failure, after its retries, an Error).
 * A missing baseline (or an HTML page in its place) is a notice or warning, after which every URL
 * counts as added; a baseline that exists but cannot be read selects nothing (a warning).
 */
export async function sitemapChanges(options: SitemapSourceOptions, logger: Logger): Promise<SitemapUrls> {
  const notes: LoggedNote[] = [];
  const log = notingLogger(logger, notes);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const root = locateInput(options.sitemap, options.workspace, 'sitemap');
  const baselineAt = options.changes.all ? undefined : locateBaseline(options);

  // The baseline is read first: the deployed side is then diffed as it streams by.
  let baseline: Baseline | undefined;
  if (options.changes.all) {
    log.info('changes: all — every URL of the sitemap is taken; no baseline is read.');
  } else if (baselineAt === undefined) {
    log.notice(
      'No previous-sitemap or previous-ref is set: every URL of the sitemap counts as added (so none is refreshed ' +
        'first: with refresh: true every one is).',
    );
  } else {
    baseline = await loadBaseline(baselineAt, options, limits, log);
  }

  const set = baseline?.set;
  const diff = new SitemapDiff(set, { ...options, baselineUnreadable: baseline?.problem === 'unreadable' });
  const saved = options.saveSitemap ? new SitemapSet() : undefined;
  const sink: UrlSink =
    saved === undefined
      ? diff
      : {
          add: (url, lastmod, priority, images) => (
            diff.add(url, lastmod, priority, images),
            saved.add(url, lastmod)
          ),
        };
  const stats = await loadDeployed(
    root,
    { ...options, images: options.includeImages, known: set },
    limits,
    log,
    sink,
  );
  const { urls, changes, counts, lastmods } = diff.result();
  counts.invalid = stats.invalidValues.length;
  log.info(diffLine(counts, set !== undefined, options.includeImages, urls.length));
  if (set !== undefined) {
    for (const warning of [notComparableWarning(counts), buildStampWarning(counts, lastmods)]) {
      if (warning !== undefined) log.warning(warning);
    }
  }
  if (saved !== undefined && options.saveSitemap !== undefined) {
    await saveBaselineFile(path.resolve(options.workspace, options.saveSitemap), options.saveSitemap, saved);
    log.info(`Saved ${saved.size} URLs of ${root.label} to ${options.saveSitemap}.`);
  }
  return {
    urls,
    changes,
    counts,
    baseline: set === undefined ? undefined : baselineAt?.label,
    ...(baseline?.problem !== undefined ? { baselineProblem: baseline.problem } : {}),
    invalid: stats.invalidValues,
    notes,
  };
}

function diffLine(counts: DiffCounts, compared: boolean, images: boolean, selected: number): string {
  const parts = [
    `${counts.added} added`,
    `${counts.modified} modified`,
    `${counts.unchanged} unchanged`,
    `${counts.notComparable} not comparable (no <lastmod>)`,
    ...(counts.unknown > 0 ? [`${counts.unknown} unknown (the baseline cannot be read)`] : []),
    `${counts.excluded} excluded`,
  ];
  return (
    `Sitemap: ${counts.deployed} URLs deployed${compared ? `, ${counts.baseline} in the baseline` : ''}: ` +
    parts.join(', ') +
    (counts.invalid > 0 ? `; ${counts.invalid} unusable <loc> values` : '') +
    `${images ? `; ${counts.images} image URLs` : ''}; ${selected} URLs selected.`
  );
}

function locateBaseline(options: SitemapSourceOptions): DocumentLocation | undefined {
  const { previousSitemap, previousRef } = options;
  const hasSitemap = previousSitemap !== undefined && previousSitemap.trim() !== '';
  const hasRef = previousRef !== undefined && previousRef.trim() !== '';
  if (hasSitemap && hasRef) {
    throw new ConfigError('previous-sitemap and previous-ref are both set: set one of them');
  }
  if (hasSitemap) return locateInput(previousSitemap, options.workspace, 'previous-sitemap');
  if (!hasRef) return undefined;
  if (options.github === undefined || options.github.token === '') {
    throw new ConfigError('previous-ref: needs github-token (the default, github.token, works)');
  }
  return locateAtRef(options.sitemap, options.workspace, previousRef.trim(), options.github);
}

/** A usable baseline, or why the one asked for is not used. */
interface Baseline {
  set?: SitemapSet;
  problem?: BaselineProblem;
}

/**
 * The baseline. Missing: a notice, every URL counts as added. An HTML page: the same, with a
 * warning naming the input. Unreadable (after the retries): a warning, and nothing is selected.
 * Only configuration errors and cancellation throw.
 */
async function loadBaseline(
  location: DocumentLocation,
  options: SitemapSourceOptions,
  limits: SitemapLimits,
  logger: Logger,
): Promise<Baseline> {
  const input = options.previousSitemap?.trim() ? 'previous-sitemap' : 'previous-ref';
  const set = new SitemapSet();
  try {
    const stats = await loadSitemap(
      location,
      {
        side: 'baseline',
        images: false,
        baseUrl: options.baseUrl,
        limits,
        retryPolicy: options.retryPolicy,
        signal: options.signal,
        logger,
      },
      set,
    );
    logger.info(`Read baseline ${location.label}: ${set.size} URLs in ${stats.documents} documents.`);
    warnRejects(stats, 'baseline', logger);
    return { set };
  } catch (error) {
    if (error instanceof ConfigError || options.signal?.aborted === true) throw error;
    const message = errorMessage(error);
    if (error instanceof HtmlPageError) {
      logger.warning(
        `${input}: ${message}; a host answers a missing file with 200 and a page, so it is taken as ` +
          `no baseline: every URL of the sitemap counts as added. Check that ${input} names a sitemap.`,
      );
      return { problem: 'html' };
    }
    if (error instanceof DocumentNotFoundError) {
      logger.notice(`No baseline: ${message}. Every URL of the sitemap counts as added.`);
      return { problem: 'missing' };
    }
    logger.warning(
      `${input}: the baseline cannot be read: ${message}. Nothing from the sitemap is selected, so that ` +
        "the day's quota is not spent on a guess; run again once it can be read, or set changes: all " +
        'to prefetch every URL of the sitemap.',
    );
    return { problem: 'unreadable' };
  }
}
