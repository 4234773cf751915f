/**
 * save-sitemap: one flat `<urlset>` with every URL and lastmod of the deployed sitemap (children
 * included), to serve as the next run's previous-sitemap. URLs are written normalized and lastmods
 * in a form that reads back as the same instant, so an unchanged site diffs as unchanged.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import type { Logger } from '../base/logger.js';
import { ConfigError, systemErrorCode } from '../base/errors.js';
import type { RetryPolicy } from '../runtime/retry.js';
import { deployedFailure } from './deployed.js';
import { DEFAULT_LIMITS, type SitemapLimits } from './document.js';
import { DocumentNotFoundError, HtmlPageError } from './errors.js';
import { formatLastmod } from './lastmod.js';
import { loadSitemap } from './load.js';
import { locateInput } from './locate.js';
import { SitemapSet } from './set.js';
import { count } from '../base/text.js';

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
const TAIL = '</urlset>\n';

/**
 * Writes the baseline for `save-sitemap` (`given` as the user wrote it, `file` resolved); a path that
 * cannot be written is a configuration error naming the input and the path.
 */
export async function saveBaselineFile(
  file: string,
  given: string,
  set: SitemapSet | undefined,
): Promise<void> {
  try {
    await writeUrlset(file, set);
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === undefined) throw error;
    throw new ConfigError(`save-sitemap: cannot write "${given}": ${whyNotWritten(code)}`, 'save-sitemap');
  }
}

function whyNotWritten(code: string): string {
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a folder on its path is a file; choose a path whose folders are folders';
    case 'EISDIR':
      return 'it is a folder; name a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return code;
  }
}

/**
 * Writes `set` (or an empty urlset) to `file`, through a temporary file and a rename so that an
 * interrupted run never leaves a truncated baseline behind.
 */
export async function writeUrlset(file: string, set: SitemapSet | undefined): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(temporary, { encoding: 'utf8' });
  try {
    let buffer = HEAD;
    for (const [url, lastmod] of set?.entries() ?? []) {
      buffer += urlElement(url, lastmod);
      if (buffer.length >= 64 * 1024) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer + TAIL);
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await fs.rename(temporary, file);
}

function urlElement(url: string, lastmod: number): string {
  const loc = `<url><loc>${escapeXml(url)}</loc>`;
  return Number.isNaN(lastmod)
    ? `${loc}</url>\n`
    : `${loc}<lastmod>${formatLastmod(lastmod)}</lastmod></url>\n`;
}

/** Text content escaping: `&` and `<` must be escaped, `>` is for `]]>`. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
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
  retryPolicy?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * save-sitemap on its own: writes every URL and lastmod of `sitemap` (children followed) as one
 * flat urlset. A site with no sitemap yet (or an HTML page in its place) gets an empty urlset; any
 * other failure throws, as for the deployed side of a diff.
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
    await loadSitemap(root, { ...options, images: false, side: 'deployed', limits, logger }, set);
  } catch (error) {
    if (!(error instanceof DocumentNotFoundError)) throw deployedFailure(error, root, options);
    const why = `${error.message}: there is no sitemap yet, so ${options.saveSitemap} is an empty urlset.`;
    if (error instanceof HtmlPageError) {
      logger.warning(`sitemap: ${why} (A host answers a missing file with 200 and a page; check sitemap.)`);
    } else {
      logger.notice(why);
    }
    set = undefined;
  }
  await saveBaselineFile(file, options.saveSitemap, set);
  logger.info(`Saved ${count(set?.size ?? 0, 'URL')} of ${root.label} to ${options.saveSitemap}.`);
  return { file, urls: set?.size ?? 0 };
}
