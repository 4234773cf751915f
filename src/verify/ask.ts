/**
 * One request to the site, as a visitor's browser makes it: GET, a browser's Accept-Encoding, no
 * credentials of any kind (no Authorization, no cookies: the URLs carry no user name or password, which
 * urls/normalize.ts and base-url refuse), redirects not followed. It goes through the project's one
 * door (http/fetch.ts), so the proxy settings, the per-request timeout and the run's stop apply.
 */
import { errorMessage } from '../base/errors.js';
import { discard, httpFetch, readChunks, type Response } from '../http/fetch.js';
import { cacheHeaders, type EdgeAnswer } from './classify.js';
import { BROWSER_ACCEPT_ENCODING, decodeBody } from './decode.js';

/** The headers of every check: what a browser sends about encodings, and who is asking. */
export const VISITOR_HEADERS: Readonly<Record<string, string>> = {
  accept: '*/*',
  'accept-encoding': BROWSER_ACCEPT_ENCODING,
  'user-agent': 'Mozilla/5.0 (compatible; cdn-prefetch-verify/1.0)',
};

export interface AskOptions {
  /** `request-timeout`: the whole exchange, body included. */
  timeoutMs: number;
  /** Aborts the request in flight (the run's hard stop). */
  signal: AbortSignal;
  /** The most a body may be, before and after decoding. */
  maxBytes: number;
  /** Whether the body is wanted (there is a built file to compare it with); if not it is never read. */
  readBody: boolean;
}

/** Asks the site for `url`; never throws: a failure is an answer with `error`. */
export async function askSite(url: string, options: AskOptions): Promise<EdgeAnswer> {
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '') {
    // Never reached (such URLs are refused earlier); node-fetch would send them as Authorization.
    return { error: 'the URL carries a user name or password, which a check never sends' };
  }
  let response: Response;
  try {
    response = await httpFetch(url, {
      method: 'GET',
      headers: { ...VISITOR_HEADERS },
      redirect: 'manual',
      // Decoded here, within maxBytes, and with br too.
      compress: false,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    return { error: errorMessage(error) };
  }
  const status = response.status;
  const headers = cacheHeaders((name) => response.headers.get(name));
  if (status < 200 || status >= 300 || !options.readBody) {
    discard(response);
    const location = response.headers.get('location');
    return { status, headers, ...(location ? { location } : {}) };
  }
  try {
    const raw = await readCapped(response, options.maxBytes);
    const body = decodeBody(raw, response.headers.get('content-encoding'), options.maxBytes);
    return { status, headers, body };
  } catch (error) {
    return { error: `HTTP ${status}: ${errorMessage(error)}` };
  }
}

/** The raw body, given up (and its connection closed) once it is over `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of readChunks(response)) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new Error(`the body is over ${Math.round(maxBytes / (1024 * 1024))} MiB`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
