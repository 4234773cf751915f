/**
 * The deployed side of a sitemap, read for whichever use (the diff, save-sitemap, site-dir's
 * priorities): any failure to read it is fatal, and names `sitemap`.
 */
import * as path from 'node:path';
import type { Logger } from '../base/logger.js';
import { ConfigError, errorMessage } from '../base/errors.js';
import { DocumentNotFoundError, DocumentReadError, HtmlPageError } from './errors.js';
import { loadSitemap, type LoadOptions, type LoadStats, type Rejects, type UrlSink } from './load.js';
import type { DocumentLocation, SitemapLimits } from './document.js';
import { count } from '../base/text.js';

/** The deployed side: any failure is fatal, and names `sitemap`. */
export async function loadDeployed(
  root: DocumentLocation,
  options: Pick<LoadOptions, 'images' | 'baseUrl' | 'known' | 'retryPolicy' | 'signal'> & {
    workspace: string;
  },
  limits: SitemapLimits,
  logger: Logger,
  sink: UrlSink,
): Promise<LoadStats> {
  const started = Date.now();
  let stats: LoadStats;
  try {
    stats = await loadSitemap(root, { ...options, side: 'deployed', limits, logger }, sink);
  } catch (error) {
    throw deployedFailure(error, root, options);
  }
  logger.info(
    `Read sitemap ${root.label}: ${count(stats.documents, 'document')} in ${Date.now() - started} ms.`,
  );
  warnRejects(stats, 'sitemap', logger);
  return stats;
}

/**
 * Why the deployed sitemap cannot be used. Only its author can fix a missing or broken sitemap: a
 * configuration error. A server that kept failing (5xx, no answer, a timeout) is not one.
 */
export function deployedFailure(
  error: unknown,
  root: DocumentLocation,
  options: { workspace: string; signal?: AbortSignal | undefined },
): unknown {
  if (error instanceof ConfigError || options.signal?.aborted === true) return error;
  const message = errorMessage(error);
  if (error instanceof DocumentReadError && error.transient) {
    return new Error(`Cannot read sitemap: ${message}`, { cause: error });
  }
  if (error instanceof HtmlPageError) {
    return new ConfigError(
      `sitemap: ${message}; a host answers a missing file with 200 and a page: check the sitemap's URL`,
      'sitemap',
    );
  }
  if (error instanceof DocumentNotFoundError) {
    // Neutral about where it runs: the action's workspace and the CLI's current folder alike.
    const hint =
      root.kind !== 'file'
        ? ''
        : path.isAbsolute(root.label)
          ? '; did the build run first?'
          : `; the path resolves to ${root.path}: did the build run first?`;
    return new ConfigError(`sitemap: ${message}${hint}`, 'sitemap');
  }
  return new ConfigError(`sitemap: cannot be used: ${message}`, 'sitemap');
}

/** One warning per kind of unusable value; the baseline's unusable locs are only an info line. */
export function warnRejects(stats: LoadStats, side: 'sitemap' | 'baseline', logger: Logger): void {
  const examples = (rejects: Rejects): string =>
    rejects.examples.join('; ') + (rejects.count > rejects.examples.length ? '; …' : '');
  if (stats.invalidLocs.count > 0) {
    // A baseline's unusable locs change nothing: no deployed URL can match them.
    if (side === 'sitemap') {
      logger.warning(
        `sitemap: ${stats.invalidLocs.count} <loc> values are not usable URLs; each is reported as failed: ${examples(stats.invalidLocs)}`,
      );
    } else {
      logger.info(
        `baseline: ${stats.invalidLocs.count} <loc> values are not usable URLs and were left out: ${examples(stats.invalidLocs)}`,
      );
    }
  }
  if (stats.emptyLocs > 0) {
    (side === 'sitemap' ? logger.warning : logger.info).call(
      logger,
      `${side}: ${stats.emptyLocs === 1 ? '1 entry has' : `${count(stats.emptyLocs, 'entry', 'entries')} have`} an empty or no <loc>, ` +
        'so there is nothing to prefetch or report for them.',
    );
  }
  if (stats.invalidLastmods.count > 0) {
    logger.warning(
      `${side}: ${stats.invalidLastmods.count} <lastmod> values are not W3C datetimes and were ignored ` +
        `(those URLs cannot count as modified): ${examples(stats.invalidLastmods)}`,
    );
  }
}
