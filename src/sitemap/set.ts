/**
 * A whole sitemap's URLs and lastmods: the baseline of a diff, or what save-sitemap writes. At a
 * million URLs per-URL objects would cost more than the URLs themselves, so lastmods sit in a typed
 * array indexed by document order and the map only holds URL -> index.
 */
import type { UrlSink } from './load.js';

export class SitemapSet implements UrlSink {
  private readonly index = new Map<string, number>();
  /** URL by document order (first occurrence). */
  private readonly keys: string[] = [];
  /** ms since the epoch; NaN when the URL has no (usable) `<lastmod>`. */
  private lastmods = new Float64Array(1024);
  // The diff asks for the same URL twice in a row (once to skip normalizing it, once to compare).
  private lastAsked = '';
  private lastAnswer: number | undefined;
  /** Where the URL after the last one found sits: sitemaps tend to list URLs in the same order. */
  private cursor = 0;

  get size(): number {
    return this.keys.length;
  }

  /** Adds a URL the first time it is seen; a later duplicate changes nothing (first occurrence wins). */
  add(url: string, lastmod: number): void {
    // Copy first: the copy's hash, computed by has(), is then reused by set().
    const key = ownCopy(url);
    if (this.index.has(key)) return;
    const order = this.keys.length;
    if (order === this.lastmods.length) {
      const grown = new Float64Array(order * 2);
      grown.set(this.lastmods);
      this.lastmods = grown;
    }
    this.index.set(key, order);
    this.keys.push(key);
    this.lastmods[order] = lastmod;
    this.lastAsked = '';
  }

  /** Index of `url` in document order, or undefined. */
  orderOf(url: string): number | undefined {
    if (url === this.lastAsked) return this.lastAnswer;
    // Comparing with the URL that followed the last match is a string compare on memory read in
    // order; a map lookup has to hash the URL and lands anywhere in a table of a million entries.
    // For a deploy that changed a few % of a sitemap this skips most lookups.
    const next = this.cursor;
    let found: number | undefined;
    if (next < this.keys.length && this.keys[next] === url) found = next;
    else found = this.index.get(url);
    if (found !== undefined) this.cursor = found + 1;
    this.lastAsked = url;
    this.lastAnswer = found;
    return found;
  }

  urlAt(order: number): string {
    return this.keys[order]!;
  }

  lastmodAt(order: number): number {
    return this.lastmods[order]!;
  }

  mark(): number {
    return this.keys.length;
  }

  /** Removes everything added since `mark` (first occurrence wins, so nothing older was changed). */
  rollback(mark: number): void {
    while (this.keys.length > mark) this.index.delete(this.keys.pop()!);
    this.lastAsked = '';
    this.cursor = 0;
  }
}

/**
 * A copy that shares no memory with the parser's input. A string sliced out of a parser chunk keeps
 * the whole chunk alive while it is a map key (at a million URLs that tripled the memory), and the
 * usual `(' ' + s).slice(1)` still leaves a slice header over a copy; a Buffer round trip yields
 * one flat string (and is exact for any text).
 */
export function ownCopy(url: string): string {
  return Buffer.from(url, 'utf8').toString('utf8');
}
