/**
 * The one door every outgoing HTTP request goes through (CDN API, STS, remote sitemaps, GitHub), so
 * that timeouts and proxy settings apply to all of them alike.
 */
import fetch, { type RequestInit, type Response } from 'node-fetch';
import { NetworkError } from '../base/errors.js';
import { proxyAgentFor } from './proxy.js';

export type { Response } from 'node-fetch';

export interface HttpRequestInit extends Omit<RequestInit, 'signal' | 'timeout'> {
  /** Aborts the request (connect included) when it takes longer than this; 0 means no limit. */
  timeoutMs?: number;
  /** Aborts the request when the run as a whole is cancelled or out of time. */
  signal?: AbortSignal;
}

/**
 * fetch with a per-request timeout that also covers connecting; failures become `NetworkError`.
 * The proxy is chosen per request URL (redirects included) from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
 */
export async function httpFetch(url: string, init: HttpRequestInit = {}): Promise<Response> {
  const { timeoutMs = 30_000, signal, ...rest } = init;
  const controller = new AbortController();
  const timer = timeoutMs > 0 ? setTimeout(() => controller.abort(), timeoutMs) : undefined;
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // node-fetch's AbortSignal type predates the DOM one; they are compatible at run time.
    return await fetch(url, {
      // node-fetch hands over a legacy url.parse() object; its href is the WHATWG-normalized URL.
      agent: (parsed: { href: string }) => proxyAgentFor(new URL(parsed.href)),
      ...rest,
      signal: controller.signal as never,
    });
  } catch (error) {
    const timedOut = controller.signal.aborted && !(signal?.aborted ?? false);
    const what = timedOut ? `timed out after ${timeoutMs / 1000} s` : describeCause(error);
    throw new NetworkError(`${new URL(url).origin}: ${what}`, url, timedOut, error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}
