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

/** What the order needs to know of a file. */
export interface OrderKey {
  home: boolean;
  group: number;
  priority: number;
  depth: number;
  kind: number;
  path: string;
}

/** The order key of `file` (relative path) with its sitemap priority (NaN or undefined: none). */
export function orderKey(file: string, priority: number | undefined): OrderKey {
  const page = isHtmlFile(file);
  const styleOrScript = !page && STYLE_OR_SCRIPT.test(file);
  const segments = file.split('/');
  return {
    home: file === INDEX_FILE,
    group: page || styleOrScript ? 0 : MEDIA_OR_DOWNLOAD.test(file) ? 2 : 1,
    priority: priority === undefined || Number.isNaN(priority) ? DEFAULT_PRIORITY : priority,
    depth: segments[segments.length - 1] === INDEX_FILE ? segments.length - 1 : segments.length,
    kind: page ? 0 : styleOrScript ? 1 : 2,
    path: file,
  };
}

/** Compares two keys: negative when `a` goes first. */
export function compareKeys(a: OrderKey, b: OrderKey): number {
  if (a.home !== b.home) return a.home ? -1 : 1;
  return (
    a.group - b.group ||
    b.priority - a.priority ||
    a.depth - b.depth ||
    a.kind - b.kind ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}
