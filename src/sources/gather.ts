/**
 * Every URL source of a run, in the order the quota is spent on them: the `urls` input, `urls-file`
 * (or standard input, from the CLI), then what the sitemap diff selected, then what `site-dir` and
 * `state` planned (this deploy's changes, then the carried URLs). With `site-dir` the sitemap is no
 * diff (it only gives the site's plan its priorities: see site.ts).
 */
import path from 'node:path';
import type { ExcludeMatcher } from '../urls/exclude.js';
import {
  sitemapChanges,
  type SitemapConfig,
  type SitemapSourceOptions,
  type SitemapUrls,
} from '../sitemap/changes.js';
import { saveSitemapBaseline } from '../sitemap/save.js';
import { prepareUrls, type PreparedUrls, type UrlEntry } from '../urls/prepare.js';
import type { SiteCounts } from '../site/index.js';
import type { RetryPolicy } from '../runtime/retry.js';
import { parseUrlList, readUrlFile } from './list.js';
import type { Logger } from '../base/logger.js';
import { ConfigError } from '../base/errors.js';

/** What the sources read of the run's configuration. */
export interface SourceConfig {
  /** The `urls` input, as given. */
  urlsText: string;
  /** Absolute path of `urls-file`, if set. */
  urlsFile?: string | undefined;
  /** Set by the command line only: `--urls-file -` read from standard input. */
  cli?: { urlsFileStdin?: string | undefined } | undefined;
  baseUrl?: string | undefined;
  /** `domains`: the allow-list of hosts; empty allows every host. */
  domains: readonly string[];
  exclude: ExcludeMatcher;
  sitemap?: SitemapConfig | undefined;
  /** With `site-dir`, the sitemap is read by site.ts for its priorities, not diffed. */
  site?: { siteDir?: string | undefined } | undefined;
  /** Where relative paths point. */
  workspace: string;
  /** `request-timeout`: each sitemap request too, body included. */
  requestTimeoutMs?: number | undefined;
}

/** What `save-sitemap` wrote. */
export interface SavedSitemap {
  /** `save-sitemap`, as given. */
  file: string;
  /** `sitemap`, as given. */
  sitemap: string;
  urls: number;
}

export interface GatheredEntries {
  entries: UrlEntry[];
  /** Entries per list source that was given (`urls`, `urls-file`, standard input), in order. */
  lists: { name: string; entries: number }[];
  /** The sitemap diff's counts and notes, when `sitemap` is set (without `site-dir`) and was read. */
  sitemap?: SitemapUrls;
  /**
   * Why the sitemap could not be read (`signal` stopped the run, or it failed), when it could not:
   * the entries of the other sources are all here. Configuration errors are thrown instead.
   */
  sitemapFailure?: Error;
  /** What `site-dir` / `state` planned, when set. */
  site?: { counts: SiteCounts; siteDir: string | undefined; planned: number; notRead?: string | undefined };
}

/** What site.ts planned, for gatherEntries to append. */
export interface PlannedSite {
  entries: readonly UrlEntry[];
  counts: SiteCounts;
  siteDir: string | undefined;
  /** Set when site-dir was not read (the run stopped first): why. */
  notRead?: string | undefined;
}

export interface GatherOptions {
  /** Stops every request and every pause between tries. */
  signal?: AbortSignal | undefined;
  /** How reads of remote sitemaps are retried: the policy of the API calls. */
  retryPolicy?: RetryPolicy | undefined;
}

export interface GatheredUrls extends GatheredEntries {
  /** The entries normalized, merged and screened: what may be sent, and what will not be, with why. */
  urls: PreparedUrls;
}

/**
 * The run's gather phase: every source's entries (gatherEntries), then the URLs worth sending
 * (urls/prepare.ts), with one warning per kind of unusable entry.
 */
export async function gatherUrls(
  config: SourceConfig,
  logger: Logger,
  options: GatherOptions = {},
  site?: PlannedSite,
): Promise<GatheredUrls> {
  const gathered = await gatherEntries(config, logger, options, site);
  const urls = prepareUrls(gathered.entries, {
    baseUrl: config.baseUrl,
    domains: config.domains,
    exclude: config.exclude,
  });
  gathered.entries = []; // prepared: a million entries must not stay for the rest of the run
  // One line per kind of mistake, not one per entry: a sitemap can hold thousands.
  for (const [reason, { count, examples }] of urls.invalidByReason) {
    const more = count > examples.length ? `; …and ${count - examples.length} more` : '';
    const entries = count === 1 ? '1 entry' : `${count} entries`;
    logger.warning(`${entries} failed, each ${reason} — ${examples.join('; ')}${more}`);
  }
  return { ...gathered, urls };
}

/** Every source's entries, in quota order, before normalization. */
export async function gatherEntries(
  config: SourceConfig,
  logger: Logger,
  options: GatherOptions = {},
  site?: PlannedSite,
): Promise<GatheredEntries> {
  const entries = parseUrlList(config.urlsText, 'urls');
  const lists = [{ name: 'urls', entries: entries.length }];
  if (config.urlsFile) {
    const fromFile = await readUrlFile(config.urlsFile, path.basename(config.urlsFile));
    lists.push({ name: 'urls-file', entries: fromFile.length });
    append(entries, fromFile);
  }
  if (config.cli?.urlsFileStdin !== undefined) {
    const fromStdin = parseUrlList(config.cli.urlsFileStdin, 'urls-file (standard input)');
    lists.push({ name: 'standard input', entries: fromStdin.length });
    append(entries, fromStdin);
  }
  const sitemap =
    config.sitemap && config.site?.siteDir === undefined
      ? await sitemapEntries(config, config.sitemap, logger, options, entries)
      : undefined;
  if (site !== undefined) append(entries, site.entries);
  return {
    entries,
    lists,
    ...(sitemap?.read ? { sitemap: sitemap.read } : {}),
    ...(sitemap?.failure ? { sitemapFailure: sitemap.failure } : {}),
    ...(site
      ? {
          site: {
            counts: site.counts,
            siteDir: site.siteDir,
            planned: site.entries.length,
            ...(site.notRead ? { notRead: site.notRead } : {}),
          },
        }
      : {}),
  };
}

/**
 * Appends what the sitemap diff selected, then its unusable `<loc>` values (each a failed URL). A
 * sitemap that cannot be read is returned as the failure: the other sources' entries are still reported.
 */
async function sitemapEntries(
  config: SourceConfig,
  sitemapConfig: SitemapConfig,
  logger: Logger,
  options: GatherOptions,
  entries: UrlEntry[],
): Promise<{ read?: SitemapUrls; failure?: Error }> {
  let sitemap: SitemapUrls;
  try {
    sitemap = await logger.group('Sitemap diff', () =>
      sitemapChanges(sitemapOptions(config, sitemapConfig, options), logger),
    );
  } catch (error) {
    if (error instanceof ConfigError || !(error instanceof Error)) throw error;
    return { failure: error };
  }
  for (let i = 0; i < sitemap.urls.length; i++) {
    entries.push({ raw: sitemap.urls[i]!, source: 'sitemap', change: sitemap.changes[i] });
  }
  for (const loc of sitemap.invalid) {
    entries.push({ raw: loc.value, source: `sitemap ${loc.document}`, invalid: loc.reason });
  }
  return { read: sitemap };
}

/** `push(...many)` overflows the call stack past ~100,000 items. */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}

/**
 * Why nothing is sent, when no source yielded a URL: each source's count, and for the sitemap what
 * the diff found, so that a redeploy with nothing new does not read as a mistake. A warning when
 * nothing was given at all; a notice when the sources had URLs but none was new or changed.
 */
export function nothingToSend(gathered: GatheredEntries): { level: 'warning' | 'notice'; message: string } {
  const lists = gathered.lists.map((list) => `${list.name} had ${list.entries} entries`);
  if (gathered.site?.notRead !== undefined) {
    const { siteDir, notRead } = gathered.site;
    return {
      level: 'warning',
      message: `No URLs to prefetch: site-dir ${siteDir} was not read (${notRead}). Nothing was sent.`,
    };
  }
  if (gathered.site !== undefined) {
    return { level: 'notice', message: `No URLs to prefetch: ${siteText(gathered.site)}. Nothing was sent.` };
  }
  const sitemap = gathered.sitemap;
  if (sitemap === undefined || sitemap.counts.deployed + sitemap.counts.invalid === 0) {
    const every = sitemap === undefined ? lists : [...lists, 'the sitemap had no URLs'];
    return {
      level: 'warning',
      message: `No URLs to prefetch: every source was empty (${every.join(', ')}). Nothing was sent.`,
    };
  }
  // Lists with entries always yield an outcome, so here they are all empty: only the sitemap speaks.
  return { level: 'notice', message: `No URLs to prefetch: ${sitemapText(sitemap)}. Nothing was sent.` };
}

/** A site (or a state alone) that planned nothing: what it held, so a redeploy with no change reads as one. */
function siteText(site: NonNullable<GatheredEntries['site']>): string {
  const { counts } = site;
  const dropped = counts.carriedAged + counts.carriedGone + counts.carriedExcluded + counts.carriedInvalid;
  const carried = dropped > 0 ? `nothing carried is left to warm (${dropped} dropped)` : 'nothing is carried';
  if (site.siteDir === undefined)
    return `the state has ${carried.replace('nothing is carried', 'no carried URLs')}`;
  const found = [
    `${counts.unchanged} unchanged`,
    counts.excluded ? `${counts.excluded} excluded` : '',
    counts.added ? `${counts.added} added but not selected by changes` : '',
    counts.modified ? `${counts.modified} modified but not selected by changes` : '',
  ].filter(Boolean);
  return `site-dir ${site.siteDir} has ${counts.files} files, none to warm (${found.join(', ')}), and ${carried}`;
}

function sitemapText(sitemap: SitemapUrls): string {
  const { counts } = sitemap;
  const found = [
    counts.unchanged ? `${counts.unchanged} unchanged` : '',
    counts.notComparable ? `${counts.notComparable} not comparable (no <lastmod>)` : '',
    counts.excluded ? `${counts.excluded} excluded` : '',
    counts.added ? `${counts.added} added but not selected by changes` : '',
    counts.modified ? `${counts.modified} modified but not selected by changes` : '',
  ].filter(Boolean);
  const head = `the sitemap had ${counts.deployed} URLs`;
  if (sitemap.baselineProblem === 'unreadable') {
    return `${head}, none selected because the baseline could not be read`;
  }
  const none =
    counts.added || counts.modified
      ? 'none of the kinds changes selects'
      : 'none added or modified since the baseline';
  return `${head}, ${none}${found.length ? ` (${found.join(', ')})` : ''}`;
}

/** `save-sitemap`: writes the flat baseline and sends nothing. */
export async function saveBaseline(
  config: SourceConfig,
  logger: Logger,
  options: GatherOptions = {},
): Promise<SavedSitemap | undefined> {
  const sitemap = config.sitemap;
  if (!sitemap?.saveSitemap) return undefined;
  const saved = await saveSitemapBaseline(
    {
      workspace: config.workspace,
      sitemap: sitemap.sitemap,
      saveSitemap: sitemap.saveSitemap,
      baseUrl: config.baseUrl,
      retryPolicy: options.retryPolicy,
      signal: options.signal,
      ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
    },
    logger,
  );
  return { file: sitemap.saveSitemap, sitemap: sitemap.sitemap, urls: saved.urls };
}

function sitemapOptions(
  config: SourceConfig,
  sitemap: SitemapConfig,
  options: GatherOptions,
): SitemapSourceOptions {
  return {
    workspace: config.workspace,
    sitemap: sitemap.sitemap,
    previousSitemap: sitemap.previousSitemap,
    previousRef: sitemap.previousRef,
    github: sitemap.github,
    changes: sitemap.changes,
    includeImages: sitemap.includeImages,
    exclude: config.exclude,
    baseUrl: config.baseUrl,
    retryPolicy: options.retryPolicy,
    signal: options.signal,
    ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
  };
}
