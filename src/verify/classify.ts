/**
 * One answer of the site, classified: the status decides missing and redirect; a 2xx body is compared
 * with the file built for this deploy, hashed exactly as the site scan hashes it (site/hash.ts, after
 * `content-ignore`), so a page the site serves byte for byte as built is fresh, and a build stamp that
 * `content-ignore` removes does not make it stale.
 */
import { hashBytes } from '../site/hash.js';
import type { ContentIgnore } from '../site/ignore.js';
import type { CacheHeaders, EdgeCheck } from './types.js';

/** What the site answered: a status with its headers and decoded body, or no usable answer. */
export type EdgeAnswer =
  | {
      status: number;
      headers: CacheHeaders;
      /** 3xx: the Location header, as sent. */
      location?: string;
      /** 2xx: the decoded body; absent when the status alone decides, or there is nothing to compare it with. */
      body?: Buffer;
    }
  | { error: string };

/** The file built for this deploy at a URL: its content hash as the state keeps it. */
export interface Expected {
  /** The site file, relative to site-dir. */
  file: string;
  /** `FileHashes.content`: SHA-256 (96 bits, base64url) after `content-ignore`. */
  content: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The check of `url` from one answer. Without `expected` (no built site, or a URL that is no site
 * file) a 2xx is `served`: the status and headers are all there is to say.
 */
export function classify(
  url: string,
  answer: EdgeAnswer,
  expected: Expected | undefined,
  ignore: ContentIgnore | undefined,
): EdgeCheck {
  if ('error' in answer) return { url, edge: 'error', note: answer.error };
  const { status, headers } = answer;
  const seen = { url, status, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
  if (REDIRECTS.has(status)) {
    return {
      ...seen,
      edge: 'redirect',
      ...(answer.location ? { location: answer.location } : { note: 'a redirect without a Location header' }),
    };
  }
  if (status >= 400) return { ...seen, edge: 'missing' };
  if (status < 200 || status >= 300) {
    return { ...seen, edge: 'error', note: `HTTP ${status} is not an answer a visitor can use` };
  }
  if (expected === undefined) return { ...seen, edge: 'served' };
  if (answer.body === undefined) return { ...seen, edge: 'error', note: 'the body was not read' };
  return { ...seen, edge: contentHash(answer.body, ignore) === expected.content ? 'fresh' : 'stale' };
}

/** The body's content hash, as the site scan hashes a file of this size (see site/hash.ts). */
export function contentHash(body: Buffer, ignore: ContentIgnore | undefined): string {
  return hashBytes(body, false, ignore).content;
}

/** The cache headers of an answer, those present, in the spelling Alibaba's edge sends. */
export function cacheHeaders(get: (name: string) => string | null): CacheHeaders {
  const headers: CacheHeaders = {};
  for (const name of ['X-Cache', 'Age', 'Via'] as const) {
    const value = get(name);
    if (value !== null && value !== '') headers[name] = value;
  }
  return headers;
}
