/**
 * Reads a whole sitemap — a urlset, or an index and its children, depth first so that URLs keep
 * document order — normalizing every `<loc>` and handing each URL to a sink: a SitemapSet for the
 * baseline, the streaming diff for the deployed side.
 */
import { normalizeUrl } from '../urls/normalize.js';
import type { Logger } from '../base/logger.js';
import { ConfigError, NetworkError } from '../base/errors.js';
import { DocumentNotFoundError, DocumentReadError, HtmlPageError } from './errors.js';
import { DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from '../runtime/retry.js';
import { parseLastmod } from './lastmod.js';
import { childCandidates } from './locate.js';
import { parseDocument, type SitemapEntry, type SitemapKind } from './parse.js';
import {
  locationKey,
  readDocumentText,
  type DocumentLocation,
  type DocumentMeta,
  type SitemapLimits,
} from './document.js';
import { count } from '../base/text.js';

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
  /** Transient failures (5xx, 408, 429, no answer, a timeout) are tried again under this policy. */
  retryPolicy?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
  logger: Logger;
}

/** Values that could not be used, counted, with a few examples for the one warning. */
export interface Rejects {
  count: number;
  examples: string[];
}

/** A `<loc>` value that is not a usable URL: a failed row of the report (deployed side only). */
export interface InvalidLoc {
  /** As written (trimmed; cut after MAX_KEPT characters). */
  value: string;
  /** Why it cannot be used, e.g. `is not an http(s) URL`. */
  reason: string;
  /** The document it is in. */
  document: string;
}

export interface LoadStats {
  /** Documents read: the root and every child. */
  documents: number;
  invalidLocs: Rejects;
  /** Each unusable `<loc>` of the deployed side, `<image:loc>` and index children included. */
  invalidValues: InvalidLoc[];
  /** `<url>`, `<sitemap>` or `<image:image>` entries with an empty or no `<loc>`: nothing to report but their number. */
  emptyLocs: number;
  invalidLastmods: Rejects;
}

const EXAMPLES = 3;
/** A `<loc>` longer than this is kept cut: its row says why it failed, not all of it. */
const MAX_KEPT = 2048;

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
    invalidValues: [],
    emptyLocs: 0,
    invalidLastmods: { count: 0, examples: [] },
  };
  const walk: Walk = { options, sink, stats, visited: new Set(), children: 0, childCapWarned: false };
  await loadDocument(root, 0, walk);
  return stats;
}

async function loadDocument(location: DocumentLocation, depth: number, walk: Walk): Promise<void> {
  const { options } = walk;
  walk.visited.add(locationKey(location));
  const { kind, urls, children } = await readWithRetries(walk, () => readOnce(location, walk));
  walk.stats.documents++;
  if (kind === 'urlset') {
    options.logger.debug(`${location.label}: ${count(urls, 'URL')}`);
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

/** Parses one document into the sink; on failure takes back everything it added. */
async function readOnce(
  location: DocumentLocation,
  walk: Walk,
): Promise<{ kind: SitemapKind; urls: number; children: string[] }> {
  const { sink, stats, options } = walk;
  const mark = sink.mark?.();
  const rejectedBefore = [stats.invalidLocs.count, stats.invalidLastmods.count] as const;
  const valuesBefore = stats.invalidValues.length;
  const emptyBefore = stats.emptyLocs;
  const children: string[] = [];
  const meta: DocumentMeta = {};
  let urls = 0;
  try {
    const kind = await parseDocument(
      readDocumentText(location, options, meta),
      { label: location.label, images: options.images },
      {
        url: (entry) => {
          urls++;
          addEntry(entry, location, walk);
        },
        child: (loc) => addChild(loc, children, location, walk),
      },
    );
    return { kind, urls, children };
  } catch (error) {
    // A document that fails half-way must not leave half of its URLs behind.
    if (mark !== undefined) sink.rollback?.(mark);
    truncate(stats.invalidLocs, rejectedBefore[0]);
    truncate(stats.invalidLastmods, rejectedBefore[1]);
    stats.invalidValues.length = valuesBefore;
    stats.emptyLocs = emptyBefore;
    throw asHtmlPage(error, meta, location);
  }
}

/** A `text/html` answer that is not a sitemap is a page standing in for a missing file. */
function asHtmlPage(error: unknown, meta: DocumentMeta, location: DocumentLocation): unknown {
  if (meta.html !== true || error instanceof DocumentReadError || error instanceof ConfigError) return error;
  if (error instanceof DocumentNotFoundError) return error;
  return new HtmlPageError(`${location.label}: is an HTML page (text/html), not a sitemap`);
}

/**
 * Runs `read` again after a transient failure, as API calls are retried: exponential backoff with
 * jitter, within the policy's attempts and overall time, and never once the run is stopping.
 */
async function readWithRetries<T>(walk: Walk, read: () => Promise<T>): Promise<T> {
  const { options } = walk;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof DocumentReadError) || !error.transient || stopping(options)) throw error;
      const attempts = timedOut(error)
        ? Math.min(policy.maxAttempts, ATTEMPTS_AFTER_TIMEOUT)
        : policy.maxAttempts;
      const delay = retryDelay(attempt, attempts, started, policy);
      if (delay === undefined) {
        if (attempt === 1) throw error;
        throw new DocumentReadError(`${error.message} (${attempt} attempts)`, true, { cause: error });
      }
      options.logger.info(`  ${error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, options.signal);
      if (stopping(options)) throw error;
    }
  }
}

/**
 * A try that ran out of time has already waited a whole request-timeout, and a server that stalls
 * once tends to stall again: such a document gets three tries in all, not the API calls' eight.
 */
const ATTEMPTS_AFTER_TIMEOUT = 3;

function timedOut(error: Error): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 6; depth++) {
    if (current instanceof NetworkError && current.timedOut) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function stopping(options: LoadOptions): boolean {
  return options.signal?.aborted === true;
}

/** The pause before retry number `attempt`, with RetryPolicy's bounds; undefined when none is left. */
function retryDelay(
  attempt: number,
  maxAttempts: number,
  startedAt: number,
  policy: RetryPolicy,
): number | undefined {
  if (attempt >= maxAttempts) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  return Date.now() - startedAt + delay > policy.maxElapsedMs ? undefined : delay;
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
      // A baseline child that exists but cannot be read leaves the baseline unreadable as a whole:
      // counting its URLs as new would spend the quota on a guess.
      throw error;
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

function addChild(loc: string | undefined, children: string[], location: DocumentLocation, walk: Walk): void {
  if (loc === undefined || isBlank(loc)) {
    walk.stats.emptyLocs++;
    return;
  }
  const child = normalizeUrl(loc, walk.options.baseUrl);
  if (child.ok) children.push(child.url);
  else invalid(loc, child.reason, location, walk);
}

function addEntry(entry: SitemapEntry, location: DocumentLocation, walk: Walk): void {
  const { options, stats } = walk;
  const { loc } = entry;
  if (loc === undefined || isBlank(loc)) {
    stats.emptyLocs++;
    return;
  }
  let url = loc;
  if (options.known?.orderOf(loc) === undefined) {
    const result = normalizeUrl(loc, options.baseUrl);
    if (!result.ok) {
      invalid(loc, result.reason, location, walk);
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
  const images =
    options.images && entry.images !== undefined ? imageUrls(entry.images, location, walk) : undefined;
  walk.sink.add(url, lastmod, parsePriority(entry.priority), images);
}

function imageUrls(images: string[], location: DocumentLocation, walk: Walk): string[] {
  const urls: string[] = [];
  for (const image of images) {
    const result = normalizeUrl(image, walk.options.baseUrl);
    if (result.ok) urls.push(result.url);
    else if (isBlank(image)) walk.stats.emptyLocs++;
    else invalid(image, result.reason, location, walk, 'image ');
  }
  return urls;
}

/** Empty or whitespace only; runs once per URL, so it does not trim a URL that starts with a letter. */
function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '');
}

/** Counts an unusable `<loc>` for the warning and, on the deployed side, keeps it for its report row. */
function invalid(loc: string, reason: string, location: DocumentLocation, walk: Walk, what = ''): void {
  reject(walk.stats.invalidLocs, `${what}"${shorten(loc)}" ${reason}`);
  if (walk.options.side !== 'deployed') return;
  const value = loc.trim();
  walk.stats.invalidValues.push({
    value: value.length > MAX_KEPT ? `${value.slice(0, MAX_KEPT)}…` : value,
    reason,
    document: location.label,
  });
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
