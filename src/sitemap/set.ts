/**
 * A whole sitemap's URLs and lastmods: the baseline of a diff, or what save-sitemap writes. At a
 * million URLs per-URL objects would cost more than the URLs themselves, so URLs and lastmods sit
 * in arrays indexed by document position, and an index from URL to position is built once, after
 * loading, when it is first needed.
 */
import type { UrlSink } from './load.js';

export class SitemapSet implements UrlSink {
  /** URL by document position, duplicates included. */
  private readonly keys: string[] = [];
  /** ms since the epoch; NaN when the URL has no (usable) `<lastmod>`. */
  private lastmods = new Float64Array(1024);
  /** URL -> position of its first occurrence; undefined until needed, dropped on change. */
  private index: PositionIndex | undefined;
  // The diff asks for the same URL twice in a row (once to skip normalizing it, once to compare).
  private lastAsked = '';
  private lastAnswer: number | undefined;
  /** Where the URL after the last one found sits: sitemaps tend to list URLs in the same order. */
  private cursor = 0;

  /** Distinct URLs. */
  get size(): number {
    return this.lookup().size;
  }

  /** Positions are below this number. */
  get slots(): number {
    return this.keys.length;
  }

  /** Appends a URL; a later duplicate keeps the first occurrence's position and lastmod. */
  add(url: string, lastmod: number): void {
    const position = this.keys.length;
    if (position === this.lastmods.length) {
      const grown = new Float64Array(position * 2);
      grown.set(this.lastmods);
      this.lastmods = grown;
    }
    this.keys.push(ownCopy(url));
    this.lastmods[position] = lastmod;
    this.index = undefined;
  }

  /** Position of the first occurrence of `url`, or undefined. */
  orderOf(url: string): number | undefined {
    if (url === this.lastAsked) return this.lastAnswer;
    const index = this.lookup();
    // Comparing with the URL that followed the last match is a string compare on memory read in
    // order; a map lookup has to hash the URL and lands anywhere in a table of a million entries.
    // For a deploy that changed a few % of a sitemap this skips most lookups. (Only without
    // duplicates: a later duplicate's position is not the URL's.)
    const next = this.cursor;
    let found: number | undefined;
    if (next < this.keys.length && this.keys[next] === url && index.size === this.keys.length) found = next;
    else found = index.get(url);
    if (found !== undefined) this.cursor = found + 1;
    this.lastAsked = url;
    this.lastAnswer = found;
    return found;
  }

  urlAt(position: number): string {
    return this.keys[position]!;
  }

  lastmodAt(position: number): number {
    return this.lastmods[position]!;
  }

  /** Distinct URLs with their lastmods, in document order. */
  *entries(): Generator<[url: string, lastmod: number]> {
    const index = this.lookup();
    const duplicates = index.size !== this.keys.length;
    for (let position = 0; position < this.keys.length; position++) {
      const url = this.keys[position]!;
      if (!duplicates || index.get(url) === position) yield [url, this.lastmods[position]!];
    }
  }

  mark(): number {
    return this.keys.length;
  }

  /** Removes everything added since `mark`. */
  rollback(mark: number): void {
    this.keys.length = Math.min(this.keys.length, mark);
    this.index = undefined;
  }

  private lookup(): PositionIndex {
    if (this.index === undefined) {
      this.index = new PositionIndex(this.keys);
      this.lastAsked = '';
      this.cursor = 0;
    }
    return this.index;
  }
}

/**
 * URL -> position of its first occurrence: an open-addressing hash table of positions in an
 * Int32Array, probing linearly and comparing the URLs themselves. Built in one pass after loading,
 * it takes a fifth of the time and memory of a Map of a million strings (which allocates entries,
 * rehashes as it grows, and loses its cache lines to the parser between inserts).
 */
class PositionIndex {
  /** position + 1 per slot; 0 is empty. At most half full. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Distinct URLs. */
  readonly size: number = 0;

  constructor(private readonly keys: readonly string[]) {
    let capacity = 1024;
    while (capacity < keys.length * 2) capacity *= 2;
    this.table = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let position = 0; position < keys.length; position++) {
      const key = keys[position]!;
      for (let slot = hash(key) & this.mask; ; slot = (slot + 1) & this.mask) {
        const entry = this.table[slot]!;
        if (entry === 0) {
          this.table[slot] = position + 1;
          this.size++;
          break;
        }
        if (keys[entry - 1] === key) break; // a duplicate: the first occurrence stays
      }
    }
  }

  get(url: string): number | undefined {
    for (let slot = hash(url) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot]!;
      if (entry === 0) return undefined;
      if (this.keys[entry - 1] === url) return entry - 1;
    }
  }
}

// Seeded per process, so that no sitemap can be written to collide on purpose.
const SEED = (Math.random() * 2 ** 32) >>> 0;

/** 32-bit FNV-1a over UTF-16 code units. */
function hash(text: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  // Multiplication only carries upwards: fold the high bits into the low ones that pick the slot.
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A copy that shares no memory with the parser's input. A string sliced out of a parser chunk keeps
 * the whole chunk alive while it is a map key (at a million URLs that tripled the memory), and the
 * usual `(' ' + s).slice(1)` still leaves a slice header over a copy; a round trip through bytes
 * yields one flat string, exact for any text. One scratch buffer serves every (URL-sized) copy.
 */
export function ownCopy(text: string): string {
  if (text.length > SCRATCH.length / 3) return Buffer.from(text, 'utf8').toString('utf8');
  const bytes = SCRATCH.write(text, 0, 'utf8'); // at most 3 bytes per UTF-16 code unit
  return SCRATCH.toString('utf8', 0, bytes);
}

const SCRATCH = Buffer.allocUnsafe(16 * 1024);
