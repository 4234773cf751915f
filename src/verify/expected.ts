/**
 * What the site should serve at each URL: the file the build wrote for it (site/mapping.ts maps the
 * URL back, `/a/` to `a/index.html`, `/a` to `a` or `a.html`), with the content hash the scan made of
 * it. Files over the size a scan reads whole are hashed raw, without `content-ignore`, and are not
 * downloaded for a check.
 */
import { WHOLE_FILE_LIMIT } from '../site/hash.js';
import { urlToFile } from '../site/mapping.js';
import type { SiteFile, SiteScan } from '../site/scan.js';
import type { ExpectedOf } from './select.js';

/** The largest body a check downloads and decodes: the size the scan hashes with `content-ignore`. */
export const MAX_CHECKED_BYTES = WHOLE_FILE_LIMIT;

/** Looks URLs up in `scan`; undefined for a URL that is no file of it. */
export function expectedFromScan(scan: SiteScan): ExpectedOf {
  const byPath = new Map<string, SiteFile>(scan.files.map((file) => [file.path, file]));
  return (url) => {
    const path = urlToFile(scan.base, url, (file) => byPath.has(file));
    const file = path === undefined ? undefined : byPath.get(path);
    if (file === undefined) return undefined;
    if (file.size > MAX_CHECKED_BYTES) {
      return { tooLarge: `${file.path} is over ${MAX_CHECKED_BYTES / (1024 * 1024)} MiB: not downloaded` };
    }
    return { expected: { file: file.path, content: file.hashes.content } };
  };
}
