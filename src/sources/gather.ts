/**
 * Every URL source of a run, in the order the quota is spent on them: the `urls` input, `urls-file`
 * (or standard input, from the CLI), then what the sitemap diff selected.
 */
import path from 'node:path';
import type { ExcludeMatcher } from '../urls/exclude.js';
import {
  sitemapChanges,
  type SitemapConfig,
  saveSitemapBaseline,
  type SitemapSourceOptions,
  type SitemapUrls,
} from '../sitemap/index.js';
import type { UrlEntry } from '../urls/prepare.js';
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
  exclude: ExcludeMatcher;
  sitemap?: SitemapConfig | undefined;
  /** Where relative paths point. */
  workspace: string;
  /** `request-timeout`: each sitemap request too, body included. */
  requestTimeoutMs?: number | undefined;
}

export interface GatheredEntries {
  entries: UrlEntry[];
  /** The sitemap diff's counts and notes, when `sitemap` is set and was read. */
  sitemap?: SitemapUrls;
  /**
   * Why the sitemap could not be read (`signal` stopped the run, or it failed), when it could not:
   * the entries of the other sources are all here. Configuration errors are thrown instead.
   */
  sitemapFailure?: Error;
}

export async function gatherEntries(
  config: SourceConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<GatheredEntries> {
  const entries = parseUrlList(config.urlsText, 'urls');
  if (config.urlsFile) entries.push(...(await readUrlFile(config.urlsFile, path.basename(config.urlsFile))));
  if (config.cli?.urlsFileStdin !== undefined) {
    entries.push(...parseUrlList(config.cli.urlsFileStdin, 'urls-file (standard input)'));
  }
  if (!config.sitemap) return { entries };
  let sitemap: SitemapUrls;
  try {
    sitemap = await logger.group('Sitemap diff', () =>
      sitemapChanges(sitemapOptions(config, config.sitemap as SitemapConfig, signal), logger),
    );
  } catch (error) {
    // The entries of the other sources are still reported, whatever happened to the sitemap.
    if (error instanceof ConfigError || !(error instanceof Error)) throw error;
    return { entries, sitemapFailure: error };
  }
  for (const url of sitemap.urls) entries.push({ raw: url, source: 'sitemap' });
  return { entries, sitemap };
}

/** `save-sitemap`: writes the flat baseline and sends nothing. */
export async function saveBaseline(
  config: SourceConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const sitemap = config.sitemap;
  if (!sitemap?.saveSitemap) return;
  await saveSitemapBaseline(
    {
      workspace: config.workspace,
      sitemap: sitemap.sitemap,
      saveSitemap: sitemap.saveSitemap,
      baseUrl: config.baseUrl,
      signal,
      ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
    },
    logger,
  );
}

function sitemapOptions(
  config: SourceConfig,
  sitemap: SitemapConfig,
  signal: AbortSignal | undefined,
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
    signal,
    ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
  };
}
