/**
 * Remote sitemap requests. Redirects are followed by hand (redirect: 'manual') so that the hop cap
 * and the http(s)-only check apply at every hop, not just the first. The per-request timeout and the
 * stop signal are httpFetch's, which cover the body too and close the socket of a body given up.
 */
import { NetworkError } from '../base/errors.js';
import { discard, httpFetch, readChunks, type Response } from './fetch.js';

export { discard } from './fetch.js';

export interface RequestOptions {
  /** Names the document in messages (the URL, or `path at ref`). */
  label: string;
  headers?: Record<string, string>;
  /** Whole request, body included; 0 means no limit. */
  timeoutMs: number;
  maxRedirects: number;
  signal?: AbortSignal | undefined;
}

export interface OpenedResponse {
  response: Response;
  /** The request's limit, body included, for messages. */
  timeoutMs: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** GET `url`, following at most `maxRedirects` redirects; returns the first non-redirect response, any status. */
export async function getFollowingRedirects(url: string, options: RequestOptions): Promise<OpenedResponse> {
  let current = checkScheme(url, options.label);
  let headers = options.headers ?? {};
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await httpFetch(current, {
        method: 'GET',
        headers,
        redirect: 'manual',
        // We decode Content-Encoding ourselves so that the decompressed-size cap applies to it.
        compress: false,
        timeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      // NetworkError names the origin; say which document it was.
      throw new Error(`${options.label}: ${(error as Error).message}`, { cause: error });
    }
    if (!REDIRECT_STATUSES.has(response.status)) return { response, timeoutMs: options.timeoutMs };

    discard(response);
    const location = response.headers.get('location');
    if (location === null || location === '') {
      throw new Error(`${options.label}: HTTP ${response.status} redirect without a Location header`);
    }
    if (hop >= options.maxRedirects) {
      throw new Error(`${options.label}: more than ${options.maxRedirects} redirects (the limit)`);
    }
    const next = checkScheme(resolveLocation(location, current), options.label);
    // Never hand the token to another host.
    if (new URL(next).origin !== new URL(current).origin) headers = withoutAuthorization(headers);
    current = next;
  }
}

/**
 * The body as chunks, failing cleanly once more than `maxBytes` arrived, the request's time is up or
 * the run stops. Leaving the loop early (error or break) closes the connection.
 */
export async function* bodyChunks(
  opened: OpenedResponse,
  options: { label: string; maxBytes: number; signal?: AbortSignal | undefined },
): AsyncGenerator<Buffer> {
  const { response } = opened;
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    discard(response);
    throw new Error(
      `${options.label}: is ${formatBytes(declared)}, more than the ${formatBytes(options.maxBytes)} download limit`,
    );
  }
  let total = 0;
  const chunks = readChunks(response);
  try {
    for await (const chunk of chunks) {
      total += chunk.length;
      if (total > options.maxBytes) {
        throw new Error(`${options.label}: more than the ${formatBytes(options.maxBytes)} download limit`);
      }
      yield chunk;
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    if (error.timedOut) {
      const limit = `${opened.timeoutMs / 1000} s per request`;
      throw new Error(`${options.label}: timed out while downloading (limit ${limit})`, { cause: error });
    }
    if (options.signal?.aborted) {
      const reason = options.signal.reason instanceof Error ? ` (${options.signal.reason.message})` : '';
      throw new Error(`${options.label}: not read to the end, the run is stopping${reason}`, {
        cause: error,
      });
    }
    throw new Error(`${options.label}: ${error.message}`, { cause: error });
  } finally {
    await chunks.return(undefined);
  }
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}

function checkScheme(url: string, label: string): string {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`${label}: ${JSON.stringify(url)} is not a valid URL`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(`${label}: ${url} is not an http(s) URL; only http and https are fetched`);
  }
  return url;
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location; // checkScheme reports it
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
}
