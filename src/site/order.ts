/**
 * The order a small quota spends itself in, taken from the site itself: first what most of the site
 * depends on. The deploy's changes (then, with `changes: all`, the unchanged files; see plan.ts) in
 * this order of keys:
 *
 * 1. the home page first; feeds and sitemaps (RSS, Atom, JSON feed, sitemap.xml) after everything else,
 *    as no visitor reads them in a browser;
 * 2. how many of the built pages link to or load the file (links.ts) — the stylesheet and scripts every
 *    page loads, the pages the navigation links to — compared in powers of four (none, 1–3, 4–15,
 *    16–63, …): a post linked from 4 pages and a tag page linked from 7 depend on the site alike, and
 *    the next keys decide;
 * 3. own content changed before navigation-only (a page where only the navigation around its own
 *    content changed): within a band, what a visitor reads as new goes first;
 * 4. stylesheets and scripts, then pages, then anything else: every view of a page needs the first;
 * 5. a higher sitemap `<priority>` (a file the sitemap does not list counts as 0.5, the protocol's
 *    default), when a `sitemap` is given;
 * 6. newer first, by the day a page says it was published (its `article:published_time`, JSON-LD
 *    `datePublished` or first `<time datetime>`, else a date in its path like `/2024/05/03/`): never the
 *    file's time, which a checkout and a build give every file alike;
 * 7. a shallower URL path (fewer segments: `/docs/` is 1, `/docs/setup.html` 2);
 * 8. the path, in natural order (post-2 before post-10), the same on every machine.
 *
 * Carried URLs come after all of these, oldest first (see plan.ts).
 */
import { naturalCompare } from '../base/text.js';
import { INDEX_FILE } from './mapping.js';
import { isHtmlFile } from './hash.js';

/** The sitemap protocol's default `<priority>`. */
export const DEFAULT_PRIORITY = 0.5;

const STYLE_OR_SCRIPT = /\.(?:css|js|mjs|cjs)$/i;
/** Feeds and sitemaps, as generators name them: index.xml, feed.xml, atom.xml, rss.xml, feed.json, sitemap.xml(.gz). */
const FEED_OR_SITEMAP = /(?:\.(?:xml|rss|atom|rdf)(?:\.gz)?|(?:^|\/)feed\.json)$/i;

/** Whether a path (of a file, or a URL's) is a feed or a sitemap, which go after the pages. */
export function isFeedOrSitemap(path: string): boolean {
  return FEED_OR_SITEMAP.test(path);
}

/**
 * What the order needs to know of a file: every key but the path packed into one number, smaller
 * first (a million files are sorted in a second or two, and keep one number each), and the path.
 */
export interface OrderKey {
  /** rank, link band, navigation-only, kind, priority, day and depth, packed (see orderKey). */
  order: number;
  path: string;
}

/** What is known of a file besides its path. */
export interface OrderFacts {
  /** Its sitemap `<priority>` (NaN or undefined: none). */
  priority?: number | undefined;
  /** How many pages link to or load it. */
  linkedBy: number;
  /** The day (since 1970-01-01 UTC) it says it was published, else 0. */
  day: number;
  /** A modified page whose own content is unchanged (plan.ts: chromeOnly). */
  navigationOnly?: boolean | undefined;
}

/** The order key of `file` (relative path). */
export function orderKey(file: string, facts: OrderFacts): OrderKey {
  const page = isHtmlFile(file);
  const styleOrScript = !page && STYLE_OR_SCRIPT.test(file);
  let depth = 1;
  for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1)) depth++;
  if (file === INDEX_FILE || file.endsWith(`/${INDEX_FILE}`)) depth--;
  const rank = file === INDEX_FILE ? 0 : isFeedOrSitemap(file) ? 2 : 1;
  const kind = styleOrScript ? 0 : page ? 1 : 2;
  const given = facts.priority;
  const priority = given === undefined || Number.isNaN(given) ? DEFAULT_PRIORITY : given;
  // Each key in a range of its own, the first the most significant; "higher first" keys are turned
  // around. At most 3 × 16 × 2 × 3 × 1001 × 65536 × 128: far below 2^53, so exact.
  let order = rank;
  order = order * 16 + (15 - Math.min(15, linkBand(facts.linkedBy)));
  order = order * 2 + (facts.navigationOnly === true ? 1 : 0);
  order = order * 3 + kind;
  order = order * 1001 + (1000 - Math.round(Math.min(1, Math.max(0, priority)) * 1000));
  order = order * 65536 + (65535 - Math.min(65535, Math.max(0, facts.day)));
  order = order * 128 + Math.min(127, depth);
  return { order, path: file };
}

/** 0 for no page, then 1 for 1–3 pages, 2 for 4–15, 3 for 16–63: powers of four. */
export function linkBand(pages: number): number {
  return pages <= 0 ? 0 : 1 + Math.floor(Math.log2(pages) / 2);
}

/** Compares two keys: negative when `a` goes first. */
export function compareKeys(a: OrderKey, b: OrderKey): number {
  return a.order - b.order || naturalCompare(a.path, b.path);
}
