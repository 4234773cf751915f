/**
 * The order a small quota spends itself in: the URLs a visitor hits first, first. For the deploy's own
 * changes (and, after them, pages where only the navigation changed; then with `changes: all` the
 * unchanged files), in this order of keys:
 *
 * 1. the home page;
 * 2. the group: pages, stylesheets and scripts first; then other files (feeds, JSON, fonts, text...);
 *    images, media and downloads last;
 * 3. a higher sitemap `<priority>` (a file the sitemap does not list counts as 0.5, the protocol's
 *    default);
 * 4. a shallower URL path (fewer segments: `/docs/` is 1, `/docs/setup.html` 2);
 * 5. a page before a stylesheet or script;
 * 6. the file path (UTF-16 code units), so that the order is the same on every machine.
 *
 * Carried URLs come after all of these, oldest first (see plan.ts).
 */
import { INDEX_FILE } from './mapping.js';
import { isHtmlFile } from './hash.js';

/** The sitemap protocol's default `<priority>`. */
export const DEFAULT_PRIORITY = 0.5;

const STYLE_OR_SCRIPT = /\.(?:css|js|mjs|cjs)$/i;
const MEDIA_OR_DOWNLOAD =
  /\.(?:png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?|apng|jxl|heic|mp3|mp4|m4a|m4v|webm|ogg|ogv|oga|opus|wav|flac|mov|avi|mkv|pdf|zip|gz|tgz|bz2|xz|7z|rar|tar|dmg|exe|msi|deb|rpm|apk|iso|epub|docx?|xlsx?|pptx?|csv)$/i;

/**
 * What the order needs to know of a file, as numbers (a million files are sorted in a second): `rank`
 * (the home page, then the group), the priority (higher first), `rest` (depth, then kind), and the
 * file's position in the path order (the scan's files are sorted by path).
 */
export interface OrderKey {
  rank: number;
  priority: number;
  rest: number;
  position: number;
}

/**
 * The order key of `file` (relative path), with its sitemap priority (NaN or undefined: none) and its
 * position among the site's files sorted by path (UTF-16 code units).
 */
export function orderKey(file: string, priority: number | undefined, position: number): OrderKey {
  const page = isHtmlFile(file);
  const styleOrScript = !page && STYLE_OR_SCRIPT.test(file);
  let depth = 1;
  for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1)) depth++;
  if (file === INDEX_FILE || file.endsWith(`/${INDEX_FILE}`)) depth--;
  const group = page || styleOrScript ? 0 : MEDIA_OR_DOWNLOAD.test(file) ? 2 : 1;
  return {
    rank: (file === INDEX_FILE ? 0 : 3) + group,
    priority: priority === undefined || Number.isNaN(priority) ? DEFAULT_PRIORITY : priority,
    rest: depth * 3 + (page ? 0 : styleOrScript ? 1 : 2),
    position,
  };
}

/** Compares two keys: negative when `a` goes first. */
export function compareKeys(a: OrderKey, b: OrderKey): number {
  return a.rank - b.rank || b.priority - a.priority || a.rest - b.rest || a.position - b.position;
}
