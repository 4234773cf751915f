/**
 * The one door every outgoing HTTP request goes through (CDN API, STS, remote sitemaps, GitHub, and the
 * site itself for `verify`), so that limits, the run's stop signal and proxy settings apply to all of
 * them alike — from connecting to the last byte of the body — and no socket outlives its request.
 *
 * node-fetch v2 alone leaves sockets open: its abort signal no longer reaches the request once the
 * body is under way if the caller lets go of it, and a body destroyed by its reader (a cap, a timeout,
 * a stopped run) is only a PassThrough piped from the response: the response, and its socket, stay
 * open. So the request is aborted — which closes the socket — whenever its body ends any way but at
 * its end, and the timeout and the stop signal stay armed until then.
 */
import type { Readable } from 'node:stream';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import { NetworkError, systemErrorCode } from '../base/errors.js';
import {
  PROXY_AUTH_REQUIRED,
  PROXY_TUNNEL_FAILED,
  ProxyError,
  proxyAgentFor,
  proxyAuthMessage,
  proxySettingFor,
} from './proxy.js';

export type { Response } from 'node-fetch';

export interface HttpRequestInit extends Omit<RequestInit, 'signal' | 'timeout'> {
  /** The whole exchange (connecting, the answer and its body) ends after this long; 0 means no limit. */
  timeoutMs?: number;
  /** Ends the exchange, body included, when the run as a whole is stopped. */
  signal?: AbortSignal;
}

/** What is known of an exchange while its body is read. */
interface Exchange {
  origin: string;
  /** Why the exchange was given up, once it was: the error every reader of the body gets. */
  failure?: NetworkError;
}

const exchanges = new WeakMap<Response, Exchange>();

/**
 * fetch with a timeout and a stop signal that cover the body too; failures become `NetworkError`
 * naming the origin only (node-fetch's messages quote the whole URL, signature and all). The proxy is
 * chosen per request URL from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. The body must be read with
 * readText or readChunks, or let go with discard: either way its socket is closed or reused.
 */
export async function httpFetch(url: string, init: HttpRequestInit = {}): Promise<Response> {
  const { timeoutMs = 30_000, signal, ...rest } = init;
  const exchange: Exchange = { origin: originOf(url) };
  const controller = new AbortController();
  let response: Response | undefined;
  let reading = false;
  const giveUp = (failure: NetworkError): void => {
    exchange.failure ??= failure;
    // node-fetch aborts the request (closing its socket) and fails the body's readers.
    controller.abort();
    if (response) (response.body as unknown as Readable).destroy(exchange.failure);
  };
  const timer =
    timeoutMs > 0
      ? setTimeout(() => giveUp(timedOut(exchange.origin, timeoutMs, reading)), timeoutMs)
      : undefined;
  const onStop = (): void => giveUp(stopped(exchange.origin, signal));
  const release = (): void => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onStop);
  };
  if (signal?.aborted) exchange.failure = stopped(exchange.origin, signal);
  else signal?.addEventListener('abort', onStop, { once: true });
  try {
    if (exchange.failure) throw exchange.failure;
    response = await fetch(url, {
      // node-fetch hands over a legacy url.parse() object; its href is the WHATWG-normalized URL.
      agent: (parsed: { href: string }) => proxyAgentFor(new URL(parsed.href)),
      ...rest,
      // node-fetch's AbortSignal type predates the DOM one; they are compatible at run time.
      signal: controller.signal as never,
    });
  } catch (error) {
    release();
    throw exchange.failure ?? requestFailure(exchange.origin, error);
  }
  reading = true;
  watchBody(response, controller, release);
  exchanges.set(response, exchange);
  if (response.status === 407) {
    // A forwarding proxy's answer (a CONNECT tunnel's 407 is an error of the agent already).
    const setting = proxySettingFor(new URL(url));
    if (setting !== undefined) {
      discard(response);
      const cause = new ProxyError(proxyAuthMessage(setting.variable, setting.proxy), PROXY_AUTH_REQUIRED);
      throw new NetworkError(`${exchange.origin}: ${cause.message}`, exchange.origin, false, cause);
    }
  }
  return response;
}

/** The body as text; a body that breaks off, times out or is stopped throws NetworkError. */
export async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw bodyFailure(response, error);
  }
}

/** The body as chunks; leaving the loop early (a cap, an error) closes the connection. */
export async function* readChunks(response: Response): AsyncGenerator<Buffer> {
  const body = response.body as unknown as Readable;
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (error) {
    throw bodyFailure(response, error);
  } finally {
    body.destroy();
  }
}

/** Lets go of a response whose body will not be read: its connection is closed. */
export function discard(response: Response): void {
  (response.body as unknown as Readable).destroy();
}

/**
 * Keeps the request answerable to its timeout and stop signal until the body is done, and aborts the
 * request (closing its socket) when the body ends any way but at its end.
 */
function watchBody(response: Response, controller: AbortController, release: () => void): void {
  const body = response.body as unknown as Readable;
  let complete = false;
  // node-fetch emits its own AbortError on the body when the request is aborted, read or not.
  body.on('error', () => undefined);
  body.once('end', () => {
    complete = true;
  });
  body.once('close', () => {
    release();
    if (!complete) controller.abort();
  });
}

function bodyFailure(response: Response, error: unknown): NetworkError {
  const exchange = exchanges.get(response);
  if (exchange?.failure) return exchange.failure;
  if (error instanceof NetworkError) return error;
  const origin = exchange?.origin ?? originOf(response.url);
  return new NetworkError(`${origin}: the answer broke off (${describeCause(error)})`, origin, false, error);
}

function requestFailure(origin: string, error: unknown): NetworkError {
  return new NetworkError(`${origin}: ${describeCause(error)}`, origin, false, error);
}

function timedOut(origin: string, timeoutMs: number, reading: boolean): NetworkError {
  const what = `timed out after ${timeoutMs / 1000} s${reading ? ' while reading the answer' : ''}`;
  return new NetworkError(`${origin}: ${what}`, origin, true);
}

function stopped(origin: string, signal: AbortSignal | undefined): NetworkError {
  const reason = signal?.reason instanceof Error ? ` (${signal.reason.message})` : '';
  return new NetworkError(`${origin}: given up, the run is stopping${reason}`, origin, false);
}

/** node-fetch's wording around a system error's message, which quotes the whole URL. */
const NODE_FETCH_WRAPPING =
  /^(request to \S+ failed, reason: |Invalid response body while trying to fetch \S+: )/;

/**
 * What went wrong, without the URL: node-fetch's messages quote it whole (`request to https://…?…
 * failed, reason: …`), query, signature and ObjectPaths included. The system's code comes first.
 */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = withoutUrls(error.message.replace(NODE_FETCH_WRAPPING, ''));
  const code = systemErrorCode(error);
  // A proxy's refusal says it in words; its code is for the caller.
  if (code === undefined || code === PROXY_AUTH_REQUIRED || code === PROXY_TUNNEL_FAILED) return message;
  return `${code} (${message})`;
}

/** Every http(s) URL in a message, cut down to its origin. */
function withoutUrls(message: string): string {
  return message.replace(/https?:\/\/[^\s"'<>]+/g, (url) => originOf(url));
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(an invalid URL)';
  }
}
