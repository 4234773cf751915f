/**
 * Opens one sitemap document — a workspace file, an http(s) URL, or a file at a git ref — as a
 * stream of text, with the same caps everywhere: a sitemap is untrusted input even when it is a
 * local file produced by the build.
 */
import { promises as fs, createReadStream } from 'node:fs';
import { Readable, pipeline, type TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { NetworkError, systemErrorCode } from '../base/errors.js';
import { DocumentNotFoundError, DocumentReadError } from './errors.js';
import { isTransientStatus, openAtRef, type GitRefFile } from './git-baseline.js';
import {
  bodyChunks,
  discard,
  formatBytes,
  getFollowingRedirects,
  type OpenedResponse,
} from '../http/download.js';

/** Bounds on reading sitemaps; the defaults suit production, tests lower them. */
export interface SitemapLimits {
  /** Per HTTP request, body included. */
  timeoutMs: number;
  /** Redirect hops per request. */
  maxRedirects: number;
  /** Bytes read per document, before decompression. */
  maxBytes: number;
  /** Bytes per document after decompression: a gzip bomb stops here. */
  maxDecompressedBytes: number;
  /** How many sitemap indexes may be nested above a document. */
  maxDepth: number;
  /** Index children followed per sitemap, all indexes together. */
  maxChildren: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: SitemapLimits = {
  timeoutMs: 30_000,
  maxRedirects: 5,
  maxBytes: 50 * MiB,
  maxDecompressedBytes: 200 * MiB,
  maxDepth: 3,
  maxChildren: 50_000,
};

/** Where a document is read from; `label` names it in every message. */
export type DocumentLocation =
  | { kind: 'file'; path: string; label: string }
  | { kind: 'url'; url: string; label: string }
  | { kind: 'ref'; file: GitRefFile; label: string };

export interface ReadOptions {
  limits: SitemapLimits;
  signal?: AbortSignal | undefined;
}

/** What the answer said about the document, learnt once it is opened. */
export interface DocumentMeta {
  /** The server called it `text/html`: if it is not a sitemap, it is a page standing in for one. */
  html?: boolean;
}

/** A stable identity for cycle detection. */
export function locationKey(location: DocumentLocation): string {
  switch (location.kind) {
    case 'file':
      return `file:${location.path}`;
    case 'url':
      return `url:${location.url}`;
    case 'ref':
      return `ref:${location.file.ref}:${location.file.path}`;
  }
}

/**
 * The document's text, decompressed when its first bytes are the gzip magic (never judged by the
 * name: `.xml` files are served gzipped and `.gz` files plain) and decoded as UTF-8 (a BOM is
 * dropped). Throws DocumentNotFoundError when it does not exist, DocumentReadError when it could
 * not be fetched (transient or not), Error with the reason otherwise.
 */
export async function* readDocumentText(
  location: DocumentLocation,
  options: ReadOptions,
  meta: DocumentMeta = {},
): AsyncGenerator<string> {
  const bytes = await documentBytes(location, options, meta);
  yield* decodeUtf8(sniffGzip(bytes, location.label, options.limits.maxDecompressedBytes), location.label);
}

/** The document's bytes, with an HTTP Content-Encoding already undone. */
async function documentBytes(
  location: DocumentLocation,
  options: ReadOptions,
  meta: DocumentMeta,
): Promise<AsyncIterable<Buffer>> {
  const { limits, signal } = options;
  if (location.kind === 'file') return fileBytes(location.path, location.label, limits.maxBytes);

  const request = {
    label: location.label,
    timeoutMs: limits.timeoutMs,
    maxRedirects: limits.maxRedirects,
    signal,
  };
  let opened: OpenedResponse;
  try {
    opened =
      location.kind === 'ref'
        ? await openAtRef(location.file, request)
        : await openUrl(location.url, request);
  } catch (error) {
    throw noAnswer(error, signal);
  }
  const type = (opened.response.headers.get('content-type') ?? '').toLowerCase();
  if (/^\s*text\/html\b/.test(type)) meta.html = true;
  const encoded = contentEncoding(opened, location.label) === 'gzip';
  const chunks = transientBody(
    bodyChunks(opened, { label: location.label, maxBytes: limits.maxBytes, signal }),
    signal,
  );
  return encoded ? gunzip(chunks, location.label, limits.maxDecompressedBytes) : chunks;
}

/** A request that got no answer (refused, reset, DNS, timeout) may get one next time. */
function noAnswer(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true || !hasCause(error, NetworkError)) return error;
  return new DocumentReadError((error as Error).message, true, { cause: error });
}

/**
 * The body's chunks; a connection that drops or a download that runs out of time half-way is
 * transient. (A size cap is not: it has neither a system error code nor a passed deadline.)
 */
async function* transientBody(
  chunks: AsyncIterable<Buffer>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (error) {
    if (signal?.aborted === true) throw error;
    // A reset or a timeout reaches here as a NetworkError in the cause chain (http/download.ts).
    if (systemErrorCode(error) !== undefined || hasCause(error, NetworkError)) {
      throw new DocumentReadError((error as Error).message, true, { cause: error });
    }
    throw error;
  }
}

function hasCause(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof type) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

async function openUrl(
  url: string,
  request: Parameters<typeof getFollowingRedirects>[1],
): Promise<OpenedResponse> {
  const opened = await getFollowingRedirects(url, {
    ...request,
    headers: { 'Accept-Encoding': 'gzip', 'User-Agent': 'cdn-prefetch' },
  });
  const { status } = opened.response;
  if (status === 404 || status === 410) {
    discard(opened.response);
    throw new DocumentNotFoundError(`${request.label}: HTTP ${status} (not found)`);
  }
  if (!opened.response.ok) {
    discard(opened.response);
    throw new DocumentReadError(
      `${request.label}: HTTP ${status} ${opened.response.statusText}`.trimEnd(),
      isTransientStatus(status),
    );
  }
  return opened;
}

function contentEncoding(opened: OpenedResponse, label: string): 'gzip' | undefined {
  const value = (opened.response.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return undefined;
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  discard(opened.response);
  throw new Error(`${label}: the server sent Content-Encoding "${value}", which is not supported (gzip is)`);
}

async function fileBytes(path: string, label: string, maxBytes: number): Promise<AsyncIterable<Buffer>> {
  let size: number;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw new Error(`${label}: is a directory, not a sitemap file`);
    size = stat.size;
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DocumentNotFoundError(`${label}: no such file`);
    if (code !== undefined) throw new DocumentReadError(`${label}: cannot be read (${code})`, false);
    throw error;
  }
  if (size > maxBytes) {
    throw new Error(
      `${label}: is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit per sitemap document`,
    );
  }
  return capped(createReadStream(path, { highWaterMark: 256 * 1024 }), maxBytes, () => {
    return `${label}: more than the ${formatBytes(maxBytes)} limit per sitemap document`;
  });
}

/** Passes chunks through, failing once their total exceeds `max`. */
async function* capped(
  source: AsyncIterable<Buffer>,
  max: number,
  message: () => string,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw new Error(message());
    yield chunk;
  }
}

/** Gunzips when the stream starts with 1f 8b; passes it through otherwise. */
async function* sniffGzip(
  source: AsyncIterable<Buffer>,
  label: string,
  maxOut: number,
): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  const all = (async function* () {
    // Inside the try: a reader that stops at the first chunk (a parser failing on an HTML page)
    // must still close the source, or its socket and its download timer keep the process alive.
    try {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  })();
  yield* head[0] === 0x1f && head[1] === 0x8b ? gunzip(all, label, maxOut) : all;
}

/** Streaming gunzip that stops at `maxOut` decompressed bytes (a bomb fails here, memory stays flat). */
async function* gunzip(source: AsyncIterable<Buffer>, label: string, maxOut: number): AsyncGenerator<Buffer> {
  // Inflating runs in the thread pool: let it work up to 1 MiB ahead of the parser. (zlib streams
  // take Transform options, which ZlibOptions does not list.)
  const options: ZlibOptions & TransformOptions = { chunkSize: 64 * 1024, highWaterMark: 1024 * 1024 };
  const inflater = createGunzip(options);
  // pipeline forwards an error of the source (a download cap, a timeout) to the inflater, so the
  // loop below sees it; leaving the loop early tears the source down in turn.
  pipeline(Readable.from(source, { objectMode: false }), inflater, () => undefined);
  const limitMessage = `${label}: more than ${formatBytes(maxOut)} once decompressed, the limit per sitemap document`;
  let total = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxOut) throw new Error(limitMessage);
      yield chunk;
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new Error(`${label}: the gzip data is corrupt or truncated (${(error as Error).message})`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    inflater.destroy();
  }
}

/** UTF-8 text chunks; a byte sequence that is not UTF-8 is an error, never silently replaced. */
async function* decodeUtf8(source: AsyncIterable<Buffer>, label: string): AsyncGenerator<string> {
  // fatal: a replacement character in a URL would send (and compare) a URL that does not exist.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const decode = (chunk?: Buffer): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw new Error(
        `${label}: is not valid UTF-8 (somewhere after byte ${offset}); a sitemap must be UTF-8`,
      );
    }
  };
  for await (const chunk of source) {
    const text = decode(chunk);
    offset += chunk.length;
    if (text !== '') yield text;
  }
  const rest = decode();
  if (rest !== '') yield rest;
}
