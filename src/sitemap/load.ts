/**
 * Reads a whole sitemap — a urlset, or an index and its children, depth first so that URLs keep
 * document order — normalizing every `<loc>` and handing each URL to a sink: a SitemapSet for the
 * baseline, the streaming diff for the deployed side.
 */
import { normalizeUrl } from '../urls/normalize.js';
import type { Logger } from '../base/logger.js';
import { DocumentNotFoundError, ConfigError } from '../base/errors.js';
import { parseLastmod } from './lastmod.js';
import { childCandidates } from './locate.js';
import { parseDocument, type SitemapEntry } from './parse.js';
import { locationKey, readDocumentText, type DocumentLocation, type SitemapLimits } from './document.js';

/** Receives each usable URL of a sitemap, in document order, duplicates included. */
export interface UrlSink {
  /**
   * `url` is normalized but may share memory with the parser's input: copy it before keeping it.
   * `lastmod` is ms since the epoch or NaN; `priority` 0..1 (0.5 when absent).
   */
  add(url: string, lastmod: number, priority: number, images: string[] | undefined): void;
  /** With rollback: lets a baseline document that fails half-way be taken back. */
  mark?(): number;
  rollback?(mark: number): void;
}

export interface LoadOptions {
  /**
   * `deployed`: any document that cannot be read fails the load. `baseline`: a child that cannot be
   * read is a warning and its URLs are simply absent (they count as new); children are never
   * fetched from the live site.
   */
  side: 'deployed' | 'baseline';
  /** Collect `<image:loc>` URLs of each page. */
  images: boolean;
  /** Resolves a `<loc>` written as a path (the protocol wants absolute URLs; some generators don't). */
  baseUrl?: string | undefined;
  /**
   * URLs already known in normalized form (the baseline): a `<loc>` written exactly like one of
   * them is taken as is. normalizeUrl returns a normalized URL unchanged, so this only saves time.
   */
  known?: { orderOf(url: string): number | undefined } | undefined;
  limits: SitemapLimits;
  signal?: AbortSignal | undefined;
  logger: Logger;
}

/** Values that could not be used, counted, with a few examples for the one warning. */
export interface Rejects {
  count: number;
  examples: string[];
}

export interface LoadStats {
  /** Documents read: the root and every child. */
  documents: number;
  invalidLocs: Rejects;
  invalidLastmods: Rejects;
}

const EXAMPLES = 3;

interface Walk {
  options: LoadOptions;
  sink: UrlSink;
  stats: LoadStats;
  visited: Set<string>;
  children: number;
  childCapWarned: boolean;
}

/** Loads `root` and, for an index, its children. Errors reading `root` itself always propagate. */
export async function loadSitemap(
  root: DocumentLocation,
  options: LoadOptions,
  sink: UrlSink,
): Promise<LoadStats> {
  const stats: LoadStats = {
    documents: 0,
    invalidLocs: { count: 0, examples: [] },
    invalidLastmods: { count: 0, examples: [] },
  };
  const walk: Walk = { options, sink, stats, visited: new Set(), children: 0, childCapWarned: false };
  await loadDocument(root, 0, walk);
  return stats;
}

async function loadDocument(location: DocumentLocation, depth: number, walk: Walk): Promise<void> {
  const { sink, stats, options } = walk;
  walk.visited.add(locationKey(location));
  const mark = sink.mark?.();
  const rejectedBefore = [stats.invalidLocs.count, stats.invalidLastmods.count] as const;
  const children: string[] = [];
  let urls = 0;
  let kind;
  try {
    kind = await parseDocument(
      readDocumentText(location, options),
      { label: location.label, images: options.images },
      {
        url: (entry) => {
          urls++;
          addEntry(entry, walk);
        },
        child: (loc) => addChild(loc, children, walk),
      },
    );
  } catch (error) {
    // A document that fails half-way must not leave half of its URLs behind.
    if (mark !== undefined) sink.rollback?.(mark);
    truncate(stats.invalidLocs, rejectedBefore[0]);
    truncate(stats.invalidLastmods, rejectedBefore[1]);
    throw error;
  }
  stats.documents++;
  if (kind === 'urlset') {
    options.logger.debug(`${location.label}: ${urls} URLs`);
    return;
  }
  options.logger.debug(`${location.label}: sitemap index with ${children.length} children`);
  if (children.length === 0) return;
  if (depth >= options.limits.maxDepth) {
    options.logger.warning(
      `${location.label}: sitemap index nested ${depth} levels deep; its ${children.length} children are not read (limit ${options.limits.maxDepth})`,
    );
    return;
  }
  for (const child of children) {
    if (walk.children >= options.limits.maxChildren) {
      if (!walk.childCapWarned) {
        options.logger.warning(
          `${location.label}: more than ${options.limits.maxChildren} sitemap index children; the rest are not read`,
        );
        walk.childCapWarned = true;
      }
      return;
    }
    walk.children++;
    await loadChild(location, child, depth + 1, walk);
  }
}

/** Tries the child's candidate locations in order; a missing candidate moves on to the next. */
async function loadChild(
  parent: DocumentLocation,
  childUrl: string,
  depth: number,
  walk: Walk,
): Promise<void> {
  const { options } = walk;
  const all = childCandidates(parent, childUrl, options.side);
  // The child's own place (the first candidate) already read is a loop; a shorter path that
  // happens to name a document already read (often the index itself) is just not it.
  const candidates = all.filter((candidate) => !walk.visited.has(locationKey(candidate)));
  if (all.length > 0 && (candidates.length === 0 || candidates[0] !== all[0])) {
    options.logger.warning(`${parent.label} lists ${childUrl}, which was already read (a loop); skipped`);
    return;
  }
  for (const candidate of candidates) {
    try {
      await loadDocument(candidate, depth, walk);
      return;
    } catch (error) {
      if (error instanceof DocumentNotFoundError) continue;
      if (options.side === 'deployed' || error instanceof ConfigError || options.signal?.aborted === true) {
        throw error;
      }
      options.logger.warning(
        `Baseline ${candidate.label} (listed in ${parent.label}) cannot be used: ${(error as Error).message}. ` +
          'Its URLs count as new.',
      );
      return;
    }
  }
  const looked =
    candidates.length === 0 ? 'nothing to read' : `looked at ${candidates.map((c) => c.label).join(', ')}`;
  if (options.side === 'deployed') {
    throw new Error(`${parent.label} lists ${childUrl}, which cannot be found (${looked})`);
  }
  options.logger.warning(
    `Baseline ${parent.label} lists ${childUrl}, which is missing (${looked}); its URLs count as new.`,
  );
}

function addChild(loc: string | undefined, children: string[], walk: Walk): void {
  if (loc === undefined) {
    reject(walk.stats.invalidLocs, '<sitemap> without <loc>');
    return;
  }
  const child = normalizeUrl(loc, walk.options.baseUrl);
  if (child.ok) children.push(child.url);
  else reject(walk.stats.invalidLocs, `"${shorten(loc)}" ${child.reason}`);
}

function addEntry(entry: SitemapEntry, walk: Walk): void {
  const { options, stats } = walk;
  const { loc } = entry;
  if (loc === undefined) {
    reject(stats.invalidLocs, '<url> without <loc>');
    return;
  }
  let url = loc;
  if (options.known?.orderOf(loc) === undefined) {
    const result = normalizeUrl(loc, options.baseUrl);
    if (!result.ok) {
      reject(stats.invalidLocs, `"${shorten(loc)}" ${result.reason}`);
      return;
    }
    url = result.url;
  }
  let lastmod = NaN;
  if (entry.lastmod !== undefined) {
    lastmod = parseLastmod(entry.lastmod);
    if (Number.isNaN(lastmod) && entry.lastmod.trim() !== '') {
      reject(stats.invalidLastmods, `"${shorten(entry.lastmod)}" (of ${url})`);
    }
  }
  const images = options.images && entry.images !== undefined ? imageUrls(entry.images, walk) : undefined;
  walk.sink.add(url, lastmod, parsePriority(entry.priority), images);
}

function imageUrls(images: string[], walk: Walk): string[] {
  const urls: string[] = [];
  for (const image of images) {
    const result = normalizeUrl(image, walk.options.baseUrl);
    if (result.ok) urls.push(result.url);
    else reject(walk.stats.invalidLocs, `image "${shorten(image)}" ${result.reason}`);
  }
  return urls;
}

/** `<priority>` 0.0-1.0; absent or unusable means the protocol's default, 0.5. */
function parsePriority(raw: string | undefined): number {
  if (raw === undefined) return 0.5;
  // A sitemap uses a handful of priority values over and over.
  if (raw === lastPriority.raw) return lastPriority.value;
  const text = raw.trim();
  const value = Number(text);
  lastPriority.raw = raw;
  lastPriority.value = text !== '' && value >= 0 && value <= 1 ? value : 0.5;
  return lastPriority.value;
}

const lastPriority = { raw: '', value: 0.5 };

function reject(rejects: Rejects, example: string): void {
  rejects.count++;
  if (rejects.examples.length < EXAMPLES) rejects.examples.push(example);
}

/** Forgets the rejects after the first `count` (examples are kept in arrival order). */
function truncate(rejects: Rejects, count: number): void {
  rejects.count = count;
  rejects.examples.length = Math.min(rejects.examples.length, count);
}

function shorten(s: string): string {
  const trimmed = s.trim();
  return trimmed.length > 100 ? `${trimmed.slice(0, 97)}...` : trimmed;
}
