/**
 * Sitemap diff as a URL source: the URLs a deploy added or changed, read from the deployed sitemap
 * and compared with a baseline (a file, a URL, or the same file at a git ref). The action maps its
 * inputs onto these options; nothing here reads inputs or imports @actions/core.
 */
import * as path from 'node:path';
import type { ExcludeMatcher } from '../urls/exclude.js';
import type { Logger } from '../base/logger.js';
import { SitemapDiff, type ChangeSelection } from './diff.js';
import { type DiffCounts } from '../base/result.js';
import { DocumentNotFoundError, ConfigError } from '../base/errors.js';
import type { GitHubRepoAccess } from './git-baseline.js';
import { loadSitemap, type LoadOptions, type LoadStats, type Rejects, type UrlSink } from './load.js';
import { locateAtRef, locateInput } from './locate.js';
import { writeUrlset } from './save.js';
import { SitemapSet } from './set.js';
import { DEFAULT_LIMITS, type DocumentLocation, type SitemapLimits } from './document.js';

export { parseChanges, type ChangeSelection } from './diff.js';
export type { GitHubRepoAccess } from './git-baseline.js';
export { DEFAULT_LIMITS, type SitemapLimits } from './document.js';

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
  /** Cancels every request. */
  signal?: AbortSignal | undefined;
}

export interface SitemapUrls {
  /** Distinct normalized URLs to prefetch, in quota order; each page's images right after it. */
  urls: string[];
  counts: DiffCounts;
  /** What the sitemap was compared with, e.g. `public/sitemap.xml at 1a2b3c`; undefined when nothing. */
  baseline: string | undefined;
  /** Every notice and warning given on the way, for the job summary. */
  notes: string[];
}

/**
 * Reads the baseline and the deployed sitemap and returns what changed. Throws when the deployed
 * sitemap cannot be read or parsed, and on configuration mistakes (ConfigError); a missing
 * baseline is a notice and an unusable one a warning, after which every URL counts as added.
 */
export async function sitemapChanges(options: SitemapSourceOptions, logger: Logger): Promise<SitemapUrls> {
  const notes: string[] = [];
  const log = recordingNotes(logger, notes);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const root = locateInput(options.sitemap, options.workspace, 'sitemap');
  const baselineAt = options.changes.all ? undefined : locateBaseline(options);

  // The baseline is read first: the deployed side is then diffed as it streams by.
  let baseline: SitemapSet | undefined;
  if (options.changes.all) {
    log.info('changes: all — every URL of the sitemap is taken; no baseline is read.');
  } else if (baselineAt === undefined) {
    log.notice('No previous-sitemap or previous-ref is set: every URL of the sitemap counts as added.');
  } else {
    baseline = await loadBaseline(baselineAt, options, limits, log);
  }

  const diff = new SitemapDiff(baseline, options);
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
  try {
    await loadDeployed(
      root,
      { ...options, images: options.includeImages, known: baseline },
      limits,
      log,
      sink,
    );
  } catch (error) {
    if (!(error instanceof DocumentNotFoundError)) throw error;
    throw new DocumentNotFoundError(`Cannot read sitemap: ${error.message}`);
  }
  const { urls, counts } = diff.result();
  log.info(
    `Sitemap: ${counts.deployed} URLs deployed${baseline ? `, ${counts.baseline} in the baseline` : ''}: ` +
      `${counts.added} added, ${counts.modified} modified, ${counts.unchanged} unchanged, ${counts.excluded} excluded` +
      `${options.includeImages ? `; ${counts.images} image URLs` : ''}; ${urls.length} URLs selected.`,
  );
  if (saved !== undefined && options.saveSitemap !== undefined) {
    await writeUrlset(path.resolve(options.workspace, options.saveSitemap), saved);
    log.info(`Saved ${saved.size} URLs of ${root.label} to ${options.saveSitemap}.`);
  }
  return { urls, counts, baseline: baseline === undefined ? undefined : baselineAt?.label, notes };
}

export interface SaveSitemapOptions {
  /** As in SitemapSourceOptions. */
  workspace: string;
  /** `sitemap`: workspace path or http(s) URL; every child of an index is followed. */
  sitemap: string;
  /** `save-sitemap`: workspace path of the file to write. */
  saveSitemap: string;
  baseUrl?: string | undefined;
  limits?: Partial<SitemapLimits> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * save-sitemap on its own: writes every URL and lastmod of `sitemap` (children followed) as one
 * flat urlset. A site with no sitemap yet gets an empty urlset and a notice; any other failure throws.
 */
export async function saveSitemapBaseline(
  options: SaveSitemapOptions,
  logger: Logger,
): Promise<{ file: string; urls: number }> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const root = locateInput(options.sitemap, options.workspace, 'sitemap');
  const file = path.resolve(options.workspace, options.saveSitemap);
  let set: SitemapSet | undefined = new SitemapSet();
  try {
    await loadDeployed(root, { ...options, images: false }, limits, logger, set);
  } catch (error) {
    if (!(error instanceof DocumentNotFoundError)) throw error;
    logger.notice(`${error.message}: there is no sitemap yet, so ${options.saveSitemap} is an empty urlset.`);
    set = undefined;
  }
  await writeUrlset(file, set);
  logger.info(`Saved ${set?.size ?? 0} URLs of ${root.label} to ${options.saveSitemap}.`);
  return { file, urls: set?.size ?? 0 };
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

/** The deployed side: any failure is fatal. A missing sitemap keeps its class, for save-sitemap. */
async function loadDeployed(
  root: DocumentLocation,
  options: Pick<LoadOptions, 'images' | 'baseUrl' | 'known' | 'signal'>,
  limits: SitemapLimits,
  logger: Logger,
  sink: UrlSink,
): Promise<void> {
  const started = Date.now();
  let stats: LoadStats;
  try {
    stats = await loadSitemap(root, { ...options, side: 'deployed', limits, logger }, sink);
  } catch (error) {
    if (error instanceof DocumentNotFoundError || error instanceof ConfigError) throw error;
    throw new Error(`Cannot read sitemap: ${(error as Error).message}`, { cause: error });
  }
  logger.info(`Read sitemap ${root.label}: ${stats.documents} documents in ${Date.now() - started} ms.`);
  warnRejects(stats, 'sitemap', logger);
}

/** The baseline: missing is a notice, unusable a warning; only configuration errors and cancellation throw. */
async function loadBaseline(
  location: DocumentLocation,
  options: SitemapSourceOptions,
  limits: SitemapLimits,
  logger: Logger,
): Promise<SitemapSet | undefined> {
  const set = new SitemapSet();
  try {
    const stats = await loadSitemap(
      location,
      { side: 'baseline', images: false, baseUrl: options.baseUrl, limits, signal: options.signal, logger },
      set,
    );
    logger.info(`Read baseline ${location.label}: ${set.size} URLs in ${stats.documents} documents.`);
    warnRejects(stats, 'baseline', logger);
    return set;
  } catch (error) {
    if (error instanceof ConfigError || options.signal?.aborted === true) throw error;
    const message = (error as Error).message;
    if (error instanceof DocumentNotFoundError) {
      logger.notice(`No baseline: ${message}. Every URL of the sitemap counts as added.`);
    } else {
      logger.warning(`The baseline cannot be used: ${message}. Every URL of the sitemap counts as added.`);
    }
    return undefined;
  }
}

/** One warning for the sitemap's unusable `<loc>`s, and one per side for unreadable `<lastmod>`s. */
function warnRejects(set: LoadStats, side: 'sitemap' | 'baseline', logger: Logger): void {
  const examples = (rejects: Rejects): string =>
    rejects.examples.join('; ') + (rejects.count > rejects.examples.length ? '; …' : '');
  if (set.invalidLocs.count > 0) {
    // A baseline's unusable locs change nothing: no deployed URL can match them.
    (side === 'sitemap' ? logger.warning : logger.info).call(
      logger,
      `${side}: ${set.invalidLocs.count} <loc> values are not usable URLs and were left out: ${examples(set.invalidLocs)}`,
    );
  }
  if (set.invalidLastmods.count > 0) {
    logger.warning(
      `${side}: ${set.invalidLastmods.count} <lastmod> values are not W3C datetimes and were ignored ` +
        `(those URLs cannot count as modified): ${examples(set.invalidLastmods)}`,
    );
  }
}

/** Forwards to `logger`, keeping notices and warnings for the summary. */
function recordingNotes(logger: Logger, notes: string[]): Logger {
  return {
    info: (message) => logger.info(message),
    debug: (message) => logger.debug(message),
    warning: (message) => {
      notes.push(message);
      logger.warning(message);
    },
    notice: (message) => {
      notes.push(message);
      logger.notice(message);
    },
    group: (title, fn) => logger.group(title, fn),
  };
}
