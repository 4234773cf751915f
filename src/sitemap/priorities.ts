/** The sitemap as `site-dir` reads it: the priorities and URL forms of its pages, no diff. */
import type { Logger } from '../base/logger.js';
import type { RetryPolicy } from '../runtime/retry.js';
import { loadDeployed } from './deployed.js';
import { DEFAULT_LIMITS, type SitemapLimits } from './document.js';
import type { UrlSink } from './load.js';
import { locateInput } from './locate.js';
import { ownCopy } from './set.js';
import { count } from '../base/text.js';

export interface PriorityOptions {
  /** As in SitemapSourceOptions. */
  workspace: string;
  /** `sitemap`: workspace path or http(s) URL; every child of an index is followed. */
  sitemap: string;
  baseUrl?: string | undefined;
  limits?: Partial<SitemapLimits> | undefined;
  retryPolicy?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * With `site-dir`, the sitemap is no diff: it says which URLs visitors ask for first. Returns every
 * normalized `<loc>` (the first occurrence) with its `<priority>` (0.5 when absent); `<lastmod>` is not
 * read for anything. A sitemap that cannot be read fails the run as the deployed side of a diff does.
 */
export async function sitemapPriorities(
  options: PriorityOptions,
  logger: Logger,
): Promise<Map<string, number>> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const root = locateInput(options.sitemap, options.workspace, 'sitemap');
  const priorities = new Map<string, number>();
  const sink: UrlSink = {
    add: (url, _lastmod, priority) => {
      if (!priorities.has(url)) priorities.set(ownCopy(url), priority);
    },
  };
  await loadDeployed(root, { ...options, images: false }, limits, logger, sink);
  logger.info(
    `Sitemap ${root.label}: ${count(priorities.size, 'URL')}, for their priorities and URL forms (site-dir decides what changed).`,
  );
  return priorities;
}
