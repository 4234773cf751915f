/**
 * The site's own link graph, for the order a small quota is spent in: how many built pages link to or
 * load each file (`href`, `src`, `srcset`: links, stylesheets, scripts, images), and the date each page
 * says it was published.
 *
 * The reader threads (read.ts) already read every page, so they extract these as they go, each page
 * once: pageLinks and pageDate run there, as their source text (Function.prototype.toString), which is
 * why each is self-contained — no import, no name from this module. The main thread adds up what the
 * readers counted (linkedBy) and reads dates from paths (pathDate).
 *
 * Only same-site references count: a URL under base-url (any scheme; the host compared without case), a
 * root-relative path under base-url's path, or a relative one, resolved against the page's own folder
 * (or its `<base href>`). Query strings and fragments are dropped: `style.css?v=3` loads style.css.
 * A page counts once per file, however often it names it.
 */

/** base-url as the readers compare references with it: its host (lower case) and its path, decoded, ending in `/`. */
export interface SiteOrigin {
  host: string;
  path: string;
}

/** The origin of a site base (from siteBase(): `https://www.example.com/docs/`). */
export function siteOrigin(base: string): SiteOrigin {
  const url = new URL(base);
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // kept as written: no reference decodes to it either
  }
  return { host: url.host.toLowerCase(), path: path.endsWith('/') ? path : `${path}/` };
}

/**
 * Adds to `into` the site-relative path (decoded: `''` for the home page, `posts/` for a folder,
 * `css/site.css`) of every same-site reference of the page `html` (its bytes as latin1: one character a
 * byte), the site file `file` (relative to site-dir). Self-contained: it runs on the reader threads as
 * its source text.
 */
export function pageLinks(html: string, file: string, site: SiteOrigin, into: Set<string>): void {
  // The page's folder, as a decoded URL path: `docs/a.html` and `docs/index.html` are both in /docs/.
  const dir = site.path + file.slice(0, file.lastIndexOf('/') + 1);
  // Character by character where it counts: a million pages run this on the readers.
  const utf8 = (text: string): string =>
    // eslint-disable-next-line no-control-regex
    /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
  const decode = (text: string): string => {
    if (!text.includes('%')) return text;
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  /** Where `value` ends as a path: before its query or fragment. */
  const pathEnd = (value: string): number => {
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code === 63 || code === 35) return i; // ? #
    }
    return value.length;
  };
  /** The decoded URL path of a reference, or undefined when it is not the site's (or not a path). */
  const pathOf = (raw: string, from: string): string | undefined => {
    let value = raw.charCodeAt(0) <= 32 || raw.charCodeAt(raw.length - 1) <= 32 ? raw.trim() : raw;
    if (value.includes('&')) value = value.replace(/&amp;/g, '&');
    const end = pathEnd(value);
    if (end === 0) return undefined;
    if (end < value.length) value = value.slice(0, end);
    let path: string;
    const first = value.charCodeAt(0);
    if (first === 47 && value.charCodeAt(1) !== 47) {
      path = decode(value); // /root-relative
    } else {
      const colon = value.indexOf(':');
      const slash = value.indexOf('/');
      const scheme =
        colon > 0 && (slash < 0 || colon < slash) && /^[a-z][a-z0-9+.-]*$/i.test(value.slice(0, colon));
      if (first === 47 || scheme) {
        const rest = scheme ? value.slice(colon + 1) : value;
        if (!rest.startsWith('//')) return undefined; // mailto:, data:, javascript:, tel:
        const hostEnd = rest.indexOf('/', 2);
        const host = (hostEnd < 0 ? rest.slice(2) : rest.slice(2, hostEnd)).toLowerCase();
        if (host !== site.host) return undefined;
        path = hostEnd < 0 ? '/' : decode(rest.slice(hostEnd));
      } else {
        path = from + decode(value); // relative to the page's folder
      }
    }
    if (path.includes('/.')) {
      const out: string[] = [];
      const segments = path.split('/');
      for (let i = 1; i < segments.length; i++) {
        const segment = segments[i]!;
        if (segment === '..') out.pop();
        else if (segment !== '.') out.push(segment);
        else if (i === segments.length - 1) out.push('');
      }
      path = `/${out.join('/')}`;
    }
    return path;
  };
  const add = (reference: string): void => {
    const path = pathOf(reference, from);
    if (path !== undefined && path.startsWith(site.path)) into.add(path.slice(site.path.length));
  };
  let from = dir;
  let page = html;
  if (html.includes('<base')) {
    const tag = /<base\s[^>]*>/i.exec(html);
    const href = tag === null ? null : /\shref\s*=\s*["']?([^"'\s>]+)/i.exec(tag[0]);
    const resolved = href === null ? undefined : pathOf(utf8(href[1]!), dir);
    if (resolved !== undefined) from = resolved.endsWith('/') ? resolved : resolved.replace(/[^/]*$/, '');
    // The <base> itself links to nothing.
    if (tag !== null) page = html.slice(0, tag.index) + html.slice(tag.index + tag[0].length);
  }
  const references = /\s(href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+))/gi;
  for (let match = references.exec(page); match !== null; match = references.exec(page)) {
    const value = utf8(match[2] ?? match[3] ?? match[4] ?? '');
    if (value === '') continue;
    if (match[1]!.length !== 6) {
      add(value);
      continue;
    }
    // srcset: "a.png 1x, b.png 2x": the first word of each candidate.
    for (const part of value.split(',')) add(part.trim().split(/\s+/)[0] ?? '');
  }
}

/**
 * The day (since 1970-01-01, UTC) the page `html` (latin1) says it was published: its
 * `article:published_time` meta, else its JSON-LD `datePublished`, else its first `<time datetime>` —
 * unless it has more than two: a list of posts dates each of them, and was published on none of those
 * days. 0 when it says none (or nothing between 1990 and 2100). Self-contained: it runs on the reader
 * threads.
 */
export function pageDate(html: string): number {
  const day = (text: string | undefined): number => {
    const ms = text === undefined ? NaN : Date.parse(text.trim());
    if (Number.isNaN(ms) || ms < Date.UTC(1990, 0, 1) || ms >= Date.UTC(2100, 0, 1)) return 0;
    return Math.floor(ms / 86_400_000);
  };
  // One look for both `article:published_time` and `datePublished`: most pages have neither.
  if (html.includes('ublished')) {
    const meta = /<meta\s[^>]*?article:published_time[^>]*>/i.exec(html);
    const found = meta === null ? 0 : day(/\scontent\s*=\s*["']?([^"'>]+)/i.exec(meta[0])?.[1]);
    if (found > 0) return found;
    const ld = day(/"datePublished"\s*:\s*"([^"]+)"/.exec(html)?.[1]);
    if (ld > 0) return ld;
  }
  if (!html.includes('datetime')) return 0;
  const times = /<time\s[^>]*?datetime\s*=\s*["']?([^"'\s>]+)/gi;
  const first = times.exec(html);
  if (first === null || (times.exec(html) !== null && times.exec(html) !== null)) return 0;
  return day(first[1]);
}

/**
 * A date in a file's path, as blogs write them (`2024/05/03/post/`, `2024-05-03-post.html`): the day
 * since 1970-01-01 UTC, or 0.
 */
export function pathDate(file: string): number {
  const found = /(?:^|\/)((?:19|20)\d\d)[-/](0[1-9]|1[0-2])[-/](0[1-9]|[12]\d|3[01])(?=[-/._]|$)/.exec(file);
  if (found === null) return 0;
  return Math.floor(Date.UTC(Number(found[1]), Number(found[2]) - 1, Number(found[3])) / 86_400_000);
}

/**
 * The counts by reference (pageLinks' paths) as counts by the file each may be: `folder/` (and `''`)
 * is the folder's `index.html`; a path without an extension, `p`, may be the file `p`, `p.html` (clean
 * URLs) or `p/index.html` (a server that redirects to the slash); anything else is that file. Made
 * once, so that each of a million files is looked up once, by its own path.
 */
export function countsByFile(counts: ReadonlyMap<string, number>): Map<string, number> {
  const byFile = new Map<string, number>();
  const add = (file: string, pages: number): void => {
    byFile.set(file, (byFile.get(file) ?? 0) + pages);
  };
  for (const [path, pages] of counts) {
    if (path === '' || path.endsWith('/')) {
      add(`${path}index.html`, pages);
      continue;
    }
    add(path, pages);
    if (!path.slice(path.lastIndexOf('/') + 1).includes('.')) {
      add(`${path}.html`, pages);
      add(`${path}/index.html`, pages);
    }
  }
  return byFile;
}

/** How many pages link to or load `file` (relative to site-dir), from countsByFile's map. */
export function linkedBy(file: string, byFile: ReadonlyMap<string, number>): number {
  return byFile.get(file) ?? 0;
}
