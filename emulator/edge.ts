/**
 * The CDN as visitors see it, for the account's domains: a real HTTP server on 127.0.0.1 with a cache
 * per URL (edge-cache.ts) in front of an origin (origin.ts, a static file server a test switches
 * between deploys). It answers origin-form requests with a Host header (`GET /a/` + `Host:
 * www.example.com`) and absolute-form ones (`GET http://www.example.com/a/`), so a client reaches it
 * through `HTTP_PROXY`. A valid copy answers a HIT; otherwise the origin is asked (a MISS) and a 200 is
 * cached. The headers are Alibaba's (X-Cache, Via, Age, Ali-Swift-Global-Savetime, EagleId), with
 * real gzip when the request accepts it and the type is compressible.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  cacheKey,
  EdgeCache,
  type CachedCopy,
  type EdgeCounters,
  type EdgeEvent,
  type EdgeInspection,
} from './edge-cache.js';
import {
  resolveStatic,
  sitePaths,
  startOrigin,
  type Origin,
  type OriginAnswer,
  type OriginServer,
} from './origin.js';
import type { Task } from './state.js';
import { listenOnLoopback } from './listen.js';

export interface EdgeOptions {
  /** The folder the origin serves from the start; without it every path is a 404 until `origin.serve`. */
  originDir?: string;
  /** How long a stored copy stays valid; default: until a refresh expires it. */
  cacheTtlMs?: number;
  /** TCP ports on 127.0.0.1; default 0 = any free port. */
  port?: number;
  originPort?: number;
}

/**
 * Faults of the edge. Each matches requests for `path` (the path as requested, percent-encoded, no
 * query; omitted = every path), `times` times (omitted = for ever), first injected first.
 */
export type EdgeFault =
  | { kind: 'latency'; ms: number; path?: string; times?: number }
  | { kind: 'status'; status: number; path?: string; times?: number }
  | { kind: 'reset'; path?: string; times?: number }
  /** The origin keeps answering this path with what it answers now, whatever is deployed later. */
  | { kind: 'origin-old-copy'; path: string };

/** One visitor request, as the edge saw it. */
export interface EdgeRequest {
  seq: number;
  method: string;
  /** `absolute`: `GET http://host/path` (through a proxy); `origin`: `GET /path` with a Host header. */
  form: 'absolute' | 'origin';
  host: string;
  /** Path and query. */
  target: string;
  headers: IncomingHttpHeaders;
  /** Wall-clock ms (Date.now). */
  arrivedAt: number;
  answeredAt?: number;
  /** 0 when the connection was reset. */
  status: number;
  cache?: 'HIT' | 'MISS';
  /** Requests in flight when this one arrived, itself included. */
  inFlight: number;
  fault?: EdgeFault['kind'];
}

export interface Edge {
  /** `http://127.0.0.1:PORT`: use it as `HTTP_PROXY`, or send origin-form requests with a Host header. */
  readonly url: string;
  readonly origin: Origin;
  /** Every visitor request, in order of arrival. */
  readonly requests: readonly EdgeRequest[];
  /** What each CDN task did when it ended, in order. */
  readonly events: readonly EdgeEvent[];
  /** The most visitor requests in flight at once so far. */
  maxInFlight(): number;
  injectFaults(...faults: EdgeFault[]): void;
  /**
   * Caches every file of `dir` (default: the folder the origin serves) under `baseUrl` (default
   * https://www.example.com), as a site with visitors has it: `a/index.html` as `/a/`. Returns the URLs.
   */
  seed(options?: { dir?: string; baseUrl?: string }): string[];
  /** Empties the cache. */
  clear(): void;
  /** Where `url` stands against the current deploy, after every task that has ended is applied. */
  inspect(url: string): Promise<EdgeInspection>;
  counters(url: string): EdgeCounters;
  /** The counters of every URL, summed. */
  totals(): EdgeCounters;
  /** Waits (on the real clock) until every task recorded so far has ended and been applied. */
  settled(timeoutMs?: number): Promise<void>;
}

const X_CACHE = { HIT: 'HIT TCP_MEM_HIT dirn:-2:-2', MISS: 'MISS TCP_MISS dirn:-2:-2' } as const;
const COMPRESSIBLE =
  /^(text\/|image\/svg\+xml|application\/(javascript|json|xml|rss\+xml|atom\+xml|manifest\+json))/;
const PULL_TIMEOUT_MS = 10_000;

/** Whether an Accept-Encoding header accepts gzip (`gzip` or `*`, with a q above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    if (name.toLowerCase() !== 'gzip' && name !== '*') return false;
    const q = params.find((p) => p.toLowerCase().startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The request's URL: absolute-form as sent, origin-form with its Host header; undefined if neither. */
function targetOf(req: IncomingMessage): { url: URL; form: EdgeRequest['form'] } | undefined {
  const raw = req.url ?? '';
  try {
    if (/^https?:\/\//i.test(raw)) return { url: new URL(raw), form: 'absolute' };
    if (raw.startsWith('/') && req.headers.host) {
      return { url: new URL(`http://${req.headers.host}${raw}`), form: 'origin' };
    }
  } catch {
    // falls through: not a URL
  }
  return undefined;
}

class EdgeServer implements Edge {
  url = '';
  readonly requests: EdgeRequest[] = [];
  private readonly cache: EdgeCache;
  private readonly faults: EdgeFault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private inFlight = 0;
  private mostInFlight = 0;
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      console.error('cdn edge emulator:', error);
      res.destroy();
    });
  });

  constructor(
    readonly origin: OriginServer,
    private readonly options: EdgeOptions,
    private readonly isDomain: (host: string) => boolean,
    private readonly now: () => number,
  ) {
    this.cache = new EdgeCache({
      now,
      ttlMs: options.cacheTtlMs,
      pull: (url) => this.pull(url),
      deployed: (urlPath) => origin.deployed(urlPath),
    });
  }

  get events(): readonly EdgeEvent[] {
    return this.cache.events;
  }

  async listen(port: number): Promise<void> {
    this.url = await listenOnLoopback(this.server, port);
  }

  /** The API accepted tasks: apply each when it ends, whether or not anyone asks the edge. */
  noticeTasks(tasks: readonly Task[]): void {
    this.cache.notice(tasks);
    this.wakeForNextEnd();
  }

  /** Keeps one timer set for the next task's end: it settles, then sets itself for the one after. */
  private wakeForNextEnd(): void {
    const next = this.cache.nextEnd();
    if (next === undefined || (this.wakeAt !== undefined && this.wakeAt <= next)) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = next;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeAt = undefined;
        this.wakeTimer = undefined;
        void this.cache.settle().then(() => this.wakeForNextEnd());
      },
      Math.max(0, next - this.now()),
    );
  }

  maxInFlight(): number {
    return this.mostInFlight;
  }

  injectFaults(...faults: EdgeFault[]): void {
    for (const fault of faults) {
      if (fault.kind === 'origin-old-copy') this.origin.keepOldCopy(fault.path);
      else this.faults.push({ ...fault });
    }
  }

  seed(options: { dir?: string; baseUrl?: string } = {}): string[] {
    const dir = options.dir ?? this.origin.dir;
    if (dir === undefined) throw new Error('edge.seed: no folder given and the origin serves none yet');
    const base = new URL(options.baseUrl ?? 'https://www.example.com');
    const urls: string[] = [];
    for (const { urlPath } of sitePaths(dir)) {
      const url = new URL(base.pathname.replace(/\/$/, '') + urlPath, base);
      const answer = resolveStatic(dir, urlPath);
      if (answer.status !== 200) continue;
      this.cache.store(cacheKey(url), answer);
      urls.push(url.href);
    }
    return urls;
  }

  clear(): void {
    this.cache.clear();
  }

  inspect(url: string): Promise<EdgeInspection> {
    return this.cache.inspect(url);
  }

  counters(url: string): EdgeCounters {
    return { ...this.cache.counters(cacheKey(url)) };
  }

  totals(): EdgeCounters {
    return this.cache.totals();
  }

  async settled(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.cache.settle();
      const next = this.cache.nextEnd();
      if (next === undefined) return;
      if (Date.now() > deadline) throw new Error(`edge.settled: tasks still running after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, next - this.now()))));
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.wakeTimer);
    this.wakeAt = Infinity; // no timer after close
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await Promise.all([closed, this.origin.close()]);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    res.once('close', () => this.inFlight--);
    const target = targetOf(req);
    const record: EdgeRequest = {
      seq: this.requests.length + 1,
      method: req.method ?? '',
      form: target?.form ?? 'origin',
      host: target?.url.hostname ?? req.headers.host ?? '',
      target: target ? target.url.pathname + target.url.search : (req.url ?? ''),
      headers: req.headers,
      arrivedAt: Date.now(),
      status: 0,
      inFlight: this.inFlight,
    };
    this.requests.push(record);
    if (!(await this.faultsAllow(req, res, record, target?.url.pathname))) return;
    const refusal = this.refusal(req, target?.url);
    if (refusal !== undefined || target === undefined) {
      return this.answer(req, res, record, plain(refusal?.status ?? 400, refusal?.text ?? 'Bad request'));
    }
    await this.cache.settle();
    const key = cacheKey(target.url);
    let copy = this.cache.valid(key);
    const counters = this.cache.counters(key);
    if (copy !== undefined) {
      counters.hits++;
      const { body, contentType } = copy;
      return this.answer(req, res, record, {
        status: 200,
        body,
        contentType,
        cache: { hit: true, copy, pullMs: 0 },
      });
    }
    counters.misses++;
    const started = Date.now();
    const answer = await this.pull(target.url).catch(() => plain(502, 'The origin could not be reached'));
    if (answer.status === 200) copy = this.cache.store(key, answer);
    this.answer(req, res, record, { ...answer, cache: { hit: false, copy, pullMs: Date.now() - started } });
  }

  /** Applies the faults matching the request; false when one of them answered (or reset) it. */
  private async faultsAllow(
    req: IncomingMessage,
    res: ServerResponse,
    record: EdgeRequest,
    urlPath: string | undefined,
  ): Promise<boolean> {
    const take = (kinds: readonly EdgeFault['kind'][]): EdgeFault | undefined => {
      const at = this.faults.findIndex(
        (f) => kinds.includes(f.kind) && (f.path === undefined || f.path === urlPath),
      );
      const fault = this.faults[at];
      if (fault === undefined) return undefined;
      if (fault.kind !== 'origin-old-copy' && fault.times !== undefined && --fault.times <= 0) {
        this.faults.splice(at, 1);
      }
      record.fault = fault.kind;
      return fault;
    };
    const latency = take(['latency']);
    if (latency?.kind === 'latency') await this.sleep(latency.ms);
    const fault = take(['status', 'reset']);
    if (fault?.kind === 'reset') {
      (req.socket as Socket).destroy();
      return false;
    }
    if (fault?.kind === 'status') {
      const reply = plain(fault.status, `Edge fault: ${fault.status}`);
      this.answer(req, res, record, { ...reply, cache: { hit: false, pullMs: 0 } });
      return false;
    }
    return true;
  }

  /** Why the edge will not serve the request: a method it does not serve, or a host not on this CDN. */
  private refusal(req: IncomingMessage, url: URL | undefined): { status: number; text: string } | undefined {
    if (url === undefined) {
      return {
        status: 400,
        text: 'Send an absolute-form request (GET http://host/path, as through HTTP_PROXY) or a Host header',
      };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, text: 'Only GET and HEAD' };
    if (!this.isDomain(url.hostname.toLowerCase())) {
      return { status: 404, text: `${url.hostname} is not an online domain of this CDN account` };
    }
    return undefined;
  }

  /** A real HTTP request to the origin, with the visitor's host. */
  private pull(url: URL): Promise<OriginAnswer> {
    const origin = new URL(this.origin.url);
    return new Promise((resolve, reject) => {
      const request = http.get(
        {
          host: origin.hostname,
          port: origin.port,
          path: url.pathname + url.search,
          headers: { host: url.host, 'accept-encoding': 'identity', via: 'cdn-prefetch-edge-emulator' },
          timeout: PULL_TIMEOUT_MS,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              body: Buffer.concat(chunks),
              contentType: response.headers['content-type'] ?? 'application/octet-stream',
              ...(response.headers.location ? { location: response.headers.location } : {}),
            }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error('the origin did not answer in time')));
      request.on('error', reject);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, record: EdgeRequest, reply: Reply): void {
    const headers: Record<string, string | number> = {
      server: 'Tengine',
      date: new Date(this.now()).toUTCString(),
      'content-type': reply.contentType,
      eagleid: randomBytes(16).toString('hex'),
      ...(reply.cache ? this.cacheHeaders(reply.cache, reply.status) : {}),
      ...(reply.location !== undefined ? { location: reply.location } : {}),
    };
    let payload = reply.body;
    if (COMPRESSIBLE.test(reply.contentType)) {
      headers['vary'] = 'Accept-Encoding';
      if (acceptsGzip(req.headers['accept-encoding']) && payload.length > 0) {
        payload = reply.cache?.copy ? gzipOf(reply.cache.copy) : gzipSync(payload);
        headers['content-encoding'] = 'gzip';
      }
    }
    headers['content-length'] = payload.length;
    record.status = reply.status;
    record.answeredAt = Date.now();
    if (reply.cache) record.cache = reply.cache.hit ? 'HIT' : 'MISS';
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }

  /** X-Cache, Via, Age and the save time, as Alibaba's edge sends them. */
  private cacheHeaders(cache: NonNullable<Reply['cache']>, status: number): Record<string, string> {
    const { hit, copy, pullMs } = cache;
    const mark = hit ? 'H' : 'M';
    const headers: Record<string, string> = {
      'x-cache': hit ? X_CACHE.HIT : X_CACHE.MISS,
      via:
        `cache36.l2cn1818[${pullMs},${status}-0,${mark}], cache14.l2cn1818[${pullMs},0], ` +
        `kunlun7.cn1481[${pullMs},${status}-0,${mark}]`,
    };
    if (copy !== undefined) {
      headers['ali-swift-global-savetime'] = String(Math.floor(copy.storedAt / 1000));
      if (this.options.cacheTtlMs !== undefined) {
        headers['x-swift-cachetime'] = String(Math.floor(this.options.cacheTtlMs / 1000));
      }
      if (hit) headers['age'] = String(Math.max(0, Math.floor((this.now() - copy.storedAt) / 1000)));
    }
    return headers;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }
}

/** An answer to a visitor: from the cache or the origin (with `cache`), or the edge's own refusal. */
interface Reply {
  status: number;
  body: Buffer;
  contentType: string;
  location?: string;
  cache?: { hit: boolean; copy?: CachedCopy | undefined; pullMs: number };
}

function plain(status: number, text: string): Reply {
  return { status, body: Buffer.from(`${text}\n`), contentType: 'text/plain; charset=utf-8' };
}

function gzipOf(copy: CachedCopy): Buffer {
  copy.gzip ??= gzipSync(copy.body);
  return copy.gzip;
}

/** Starts the origin, then the edge in front of it. */
export async function startEdge(
  options: EdgeOptions,
  isDomain: (host: string) => boolean,
  now: () => number,
): Promise<EdgeServer> {
  const origin = await startOrigin({ dir: options.originDir, port: options.originPort });
  const edge = new EdgeServer(origin, options, isDomain, now);
  try {
    await edge.listen(options.port ?? 0);
  } catch (error) {
    await origin.close();
    throw error;
  }
  return edge;
}

export type { EdgeServer };
