/**
 * Site files ↔ URLs. A file maps to the URL a browser asks for when a page links to it: a folder's
 * `index.html` is the folder's URL with a trailing slash, every other file its own path. Each path
 * segment is percent-encoded as UTF-8, keeping only the characters RFC 3986 allows raw in a path
 * segment (letters, digits, `-._~!$&'()*+,;=:@`): so a space is `%20`, `#` `%23`, `?` `%3F`, `%`
 * `%25`, `é` `%C3%A9`. Those are the spellings browsers send and generators write in links, and the
 * result is already in the canonical form urls/normalize.ts keeps, so it is never rewritten later.
 */
import { ConfigError } from '../base/errors.js';

/** The file a folder URL serves. */
export const INDEX_FILE = 'index.html';

/**
 * `base-url` as the prefix of every site URL: scheme, lower-case host, and a path ending in `/`
 * (`https://www.example.com` → `https://www.example.com/`; a site under `/docs` keeps that path).
 */
export function siteBase(baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl.trim());
  } catch {
    throw new ConfigError(
      `base-url: "${baseUrl}" is not a URL; write it as https://www.example.com`,
      'base-url',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`base-url: "${baseUrl}" is not an http(s) URL`, 'base-url');
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError(
      `base-url: "${baseUrl}" has a query or fragment; site URLs cannot start with one`,
      'base-url',
    );
  }
  const href = parsed.href.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
  return href.endsWith('/') ? href : `${href}/`;
}

/** Percent-encodes one path segment (see the module comment). */
export function encodeSegment(segment: string): string {
  if (RAW_SEGMENT.test(segment)) return segment; // most are: a quick look, a million times over
  // encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) raw; these sub-delimiters are raw in paths too.
  return encodeURIComponent(segment).replace(/%(?:24|26|2B|2C|3B|3D|3A|40)/g, decodeURIComponent);
}

/** A segment of only the characters a path segment keeps raw: encoded, it is itself. */
const RAW_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;

/** The URL of `file` (`/`-separated, relative to site-dir) under `base` (from siteBase()). */
export function fileToUrl(base: string, file: string): string {
  const segments = file.split('/');
  if (segments[segments.length - 1] === INDEX_FILE) segments[segments.length - 1] = '';
  // Joined, not concatenated: one flat string (a concatenation keeps a pair of pieces, per URL).
  return [base, segments.map(encodeSegment).join('/')].join('');
}

/**
 * Which site file a URL (a sitemap `<loc>`) is served from, or undefined when none is: `/p/` and
 * `/p/index.html` → `p/index.html`; `/p` → `p` if that file exists, else `p.html` (generators' "clean
 * URLs"), else `p/index.html` (a server that redirects to the slash). A URL outside `base`, or with a
 * query, is no file's. `exists` tells whether a relative path is a site file.
 */
export function urlToFile(base: string, url: string, exists: (file: string) => boolean): string | undefined {
  if (!url.startsWith(base) || /[?#]/.test(url)) return undefined;
  let rest: string;
  try {
    rest = url
      .slice(base.length)
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return undefined; // escapes that are not UTF-8 name no file we could have mapped
  }
  const candidates =
    rest === '' || rest.endsWith('/')
      ? [`${rest}${INDEX_FILE}`]
      : [rest, `${rest}.html`, `${rest}/${INDEX_FILE}`];
  return candidates.find(exists);
}
