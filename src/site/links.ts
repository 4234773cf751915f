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
  /** The decoded URL path of a reference, or undefined when it is not the site's (or not a path). */
  const pathOf = (raw: string, from: string): string | undefined => {
    let value = raw.trim();
    if (value.includes('&')) value = value.replace(/&amp;/g, '&');
    const cut = value.search(/[?#]/);
    if (cut >= 0) value = value.slice(0, cut);
    if (value === '') return undefined;
    let path: string;
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value);
    if (value.startsWith('//') || scheme !== null) {
      const rest = scheme === null ? value : value.slice(scheme[0].length);
      if (!rest.startsWith('//')) return undefined; // mailto:, data:, javascript:, tel:
      const slash = rest.indexOf('/', 2);
      const host = (slash < 0 ? rest.slice(2) : rest.slice(2, slash)).toLowerCase();
      if (host !== site.host) return undefined;
      path = slash < 0 ? '/' : decode(rest.slice(slash));
    } else {
      path = value.startsWith('/') ? decode(value) : from + decode(value);
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
    // srcset: "a.png 1x, b.png 2x": the first word of each candidate.
    const each =
      match[1]!.length === 6 ? value.split(',').map((part) => part.trim().split(/\s+/)[0] ?? '') : [value];
    for (const reference of each) {
      const path = pathOf(reference, from);
      if (path !== undefined && path.startsWith(site.path)) into.add(path.slice(site.path.length));
    }
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
  if (html.includes('published_time')) {
    const meta = /<meta\s[^>]*?article:published_time[^>]*>/i.exec(html);
    const found = meta === null ? 0 : day(/\scontent\s*=\s*["']?([^"'>]+)/i.exec(meta[0])?.[1]);
    if (found > 0) return found;
  }
  if (html.includes('datePublished')) {
    const found = day(/"datePublished"\s*:\s*"([^"]+)"/.exec(html)?.[1]);
    if (found > 0) return found;
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
 * How many pages link to or load `file` (relative to site-dir), from the counts by reference
 * (pageLinks' keys): a folder's `index.html` is referred to as `folder/` (or `folder`, or itself), a
 * page `p.html` also as `p` (clean URLs), anything else by its path.
 */
export function linkedBy(file: string, counts: ReadonlyMap<string, number>): number {
  if (counts.size === 0) return 0;
  const at = (key: string): number => counts.get(key) ?? 0;
  if (file === 'index.html') return at('') + at(file);
  if (file.endsWith('/index.html')) {
    const folder = file.slice(0, -'index.html'.length);
    return at(folder) + at(folder.slice(0, -1)) + at(file);
  }
  const page = /\.html?$/i.exec(file);
  return at(file) + (page === null ? 0 : at(file.slice(0, page.index)));
}
