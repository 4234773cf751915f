// The emulator's edge: visitors' HITs and MISSes against a real origin, what refresh and prefetch
// tasks do to the cache when they end, gzip, absolute-form requests through a proxy agent, faults.
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HttpProxyAgent } from 'http-proxy-agent';
import { describe, expect, it, vi } from 'vitest';
import type { Edge, Emulator, EmulatorOptions } from '../../emulator/index.js';
import { httpFetch, readText } from '../../src/http/fetch.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { rawCall } from '../helpers/sdk-client.js';
import { page, tempDir, writeSite } from '../helpers/site.js';

const SITE = 'https://www.example.com';
const MINUTE = 60_000;
let clock = 0;
const emulator = emulatorPerTest(() => ({ now: () => clock }));

/** Two deploys of a small site: v2 edits the home page and the stylesheet and adds a post. */
function deploys(): { v1: string; v2: string } {
  const root = tempDir();
  const common = {
    'about/index.html': page('About', 'Who we are.'),
    'notes.html': page('Notes', 'A clean URL.'),
    'img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]),
    '404.html': page('Not found', 'No such page.'),
  };
  const v1 = path.join(root, 'v1');
  const v2 = path.join(root, 'v2');
  writeSite(v1, { ...common, 'index.html': page('Home', 'Version 1.'), 'css/site.css': 'a{color:red}' });
  writeSite(v2, {
    ...common,
    'index.html': page('Home', 'Version 2.'),
    'css/site.css': 'a{color:blue}',
    'blog/new/index.html': page('New', 'A new post.'),
  });
  return { v1, v2 };
}

interface Visit {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as the client reads it, gzip decoded. */
  body: string;
  /** The bytes on the wire. */
  wireBytes: number;
}

/** A visitor's GET, origin-form with a Host header (absolute-form with `agent`). */
function visit(
  edge: Edge,
  urlPath: string,
  options: { headers?: Record<string, string>; host?: string; agent?: http.Agent } = {},
): Promise<Visit> {
  const { hostname, port } = new URL(edge.url);
  const host = options.host ?? 'www.example.com';
  return new Promise((resolve, reject) => {
    const read = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const status = res.statusCode ?? 0;
        resolve({ status, headers: res.headers, body: body.toString(), wireBytes: raw.length });
      });
    };
    const req = options.agent
      ? http.get(`http://${host}${urlPath}`, { agent: options.agent, headers: options.headers ?? {} }, read)
      : http.get({ host: hostname, port, path: urlPath, headers: { host, ...options.headers } }, read);
    req.on('error', reject);
  });
}

async function start(
  options: EmulatorOptions = {},
): Promise<{ emu: Emulator; edge: Edge; v1: string; v2: string }> {
  clock = Date.parse('2026-03-02T02:00:00Z');
  const { v1, v2 } = deploys();
  const emu = await emulator.start({
    edge: { originDir: v1 },
    taskDurationMs: 2 * MINUTE,
    refreshTaskDurationMs: 5 * MINUTE,
    ...options,
  });
  return { emu, edge: emu.edge, v1, v2 };
}

async function task(emu: Emulator, action: 'PushObjectCache' | 'RefreshObjectCaches', ...urls: string[]) {
  const res = await rawCall(emu.url, {
    action,
    params: { ObjectPath: urls.join('\n') },
    date: new Date(clock),
  });
  expect(res.status).toBe(200);
}

const freshness = async (edge: Edge, urlPath: string) => (await edge.inspect(SITE + urlPath)).freshness;

describe('visitors', () => {
  it('answers a first request from the origin (MISS) and caches it; the next is a HIT with its Age', async () => {
    const { edge } = await start();
    const first = await visit(edge, '/');
    expect(first).toMatchObject({ status: 200, body: page('Home', 'Version 1.') });
    expect(first.headers['x-cache']).toMatch(/^MISS TCP_MISS dirn:/);
    expect(first.headers['via']).toMatch(/^cache\d+\.l2\w+\[\d+,200-0,M\], /);
    expect(first.headers['age']).toBeUndefined();
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    clock += 7_000;
    const second = await visit(edge, '/');
    expect(second.body).toBe(first.body);
    expect(second.headers['x-cache']).toMatch(/^HIT TCP_MEM_HIT dirn:/);
    expect(second.headers['via']).toMatch(/^cache\d+\.l2\w+\[\d+,200-0,H\], /);
    expect(second.headers['age']).toBe('7');
    expect(edge.origin.requests.map((r) => [r.host, r.target])).toEqual([['www.example.com', '/']]);
    expect(edge.counters(`${SITE}/`)).toMatchObject({ hits: 1, misses: 1 });
  });

  it('maps URLs to files as static hosts do, and caches only 200 answers', async () => {
    const { edge } = await start();
    expect((await visit(edge, '/about/')).body).toBe(page('About', 'Who we are.'));
    const redirect = await visit(edge, '/about');
    expect(redirect).toMatchObject({ status: 301, headers: { location: '/about/' } });
    expect((await visit(edge, '/notes')).body).toBe(page('Notes', 'A clean URL.'));
    expect((await visit(edge, '/css/site.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await visit(edge, '/img/logo.png')).headers['content-type']).toBe('image/png');
    for (let i = 0; i < 2; i++) {
      const missing = await visit(edge, '/no/such/page/');
      expect(missing).toMatchObject({ status: 404, body: page('Not found', 'No such page.') });
      expect(missing.headers['x-cache']).toMatch(/^MISS/);
    }
    expect(edge.origin.requests.filter((r) => r.target === '/no/such/page/')).toHaveLength(2);
    expect((await visit(edge, '/../../etc/passwd')).status).toBe(404);
  });

  it('sends real gzip when the request accepts it and the type is compressible', async () => {
    const { edge } = await start();
    const gzipped = await visit(edge, '/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(gzipped.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
    expect(gzipped.body).toBe(page('Home', 'Version 1.'));
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.wireBytes);
    const cached = await visit(edge, '/', { headers: { 'accept-encoding': 'gzip' } });
    expect(cached.headers).toMatchObject({
      'x-cache': expect.stringMatching(/^HIT/),
      'content-encoding': 'gzip',
    });
    expect(cached.body).toBe(gzipped.body);
    const plain = await visit(edge, '/');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(gzipped.body);
    const refused = await visit(edge, '/', { headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const image = await visit(edge, '/img/logo.png', { headers: { 'accept-encoding': 'gzip' } });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.headers['vary']).toBeUndefined();
    expect(image.wireBytes).toBe(8);
  });

  it('serves absolute-form requests, as a client configured with HTTP_PROXY sends them', async () => {
    const { edge } = await start();
    const agent = new HttpProxyAgent(edge.url);
    try {
      const answer = await visit(edge, '/about/', { agent });
      expect(answer).toMatchObject({ status: 200, body: page('About', 'Who we are.') });
      const other = await visit(edge, '/', { agent, host: 'static.example.com' });
      expect(other.status).toBe(200);
      const foreign = await visit(edge, '/', { agent, host: 'www.not-this-account.com' });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toMatch(/www\.not-this-account\.com is not an online domain/);
    } finally {
      agent.destroy();
    }
    expect(edge.requests.map((r) => [r.form, r.host, r.target, r.status])).toEqual([
      ['absolute', 'www.example.com', '/about/', 200],
      ['absolute', 'static.example.com', '/', 200],
      ['absolute', 'www.not-this-account.com', '/', 404],
    ]);
  });

  it("is reached through HTTP_PROXY by the project's own client, which decodes its gzip", async () => {
    const { edge } = await start();
    vi.stubEnv('HTTP_PROXY', edge.url);
    vi.stubEnv('http_proxy', '');
    vi.stubEnv('NO_PROXY', '');
    vi.stubEnv('no_proxy', '');
    try {
      const response = await httpFetch('http://www.example.com/about/', {
        headers: { 'accept-encoding': 'gzip' },
        timeoutMs: 5_000,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(await readText(response)).toBe(page('About', 'Who we are.'));
    } finally {
      vi.unstubAllEnvs();
    }
    expect(edge.requests.map((r) => [r.form, r.host, r.target])).toEqual([
      ['absolute', 'www.example.com', '/about/'],
    ]);
  });

  it('records every request and the most that were in flight at once', async () => {
    const { edge } = await start();
    edge.injectFaults({ kind: 'latency', ms: 150 });
    await Promise.all(
      ['/', '/about/', '/notes', '/css/site.css', '/img/logo.png'].map((p) => visit(edge, p)),
    );
    expect(edge.maxInFlight()).toBe(5);
    await visit(edge, '/');
    await visit(edge, '/');
    expect(edge.maxInFlight()).toBe(5);
    expect(edge.requests).toHaveLength(7);
    expect(edge.requests.slice(5).map((r) => r.inFlight)).toEqual([1, 1]);
    for (const request of edge.requests) {
      expect(request.answeredAt! - request.arrivedAt).toBeGreaterThanOrEqual(140);
      expect(request.headers['host']).toBe('www.example.com');
    }
  });
});

describe('what tasks do when they end', () => {
  it('a refresh expires the cached copy when its task completes; the next visitor gets the new deploy', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    await task(emu, 'RefreshObjectCaches', `${SITE}/`);
    clock += 4 * MINUTE;
    const before = await visit(edge, '/');
    expect(before.body).toBe(page('Home', 'Version 1.'));
    expect(before.headers['x-cache']).toMatch(/^HIT/);
    expect(await freshness(edge, '/')).toBe('stale');
    clock += MINUTE;
    expect(await freshness(edge, '/')).toBe('fresh-cold');
    const after = await visit(edge, '/');
    expect(after.body).toBe(page('Home', 'Version 2.'));
    expect(after.headers['x-cache']).toMatch(/^MISS/);
    expect(await edge.inspect(`${SITE}/`)).toMatchObject({
      freshness: 'fresh-warm',
      counters: { refreshesCompleted: 1, hits: 1, misses: 1 },
    });
    expect(await freshness(edge, '/css/site.css')).toBe('stale');
  });

  it('a prefetch of a URL with a valid cached copy fills nothing', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    await task(emu, 'PushObjectCache', `${SITE}/`);
    clock += 2 * MINUTE;
    expect(await edge.inspect(`${SITE}/`)).toMatchObject({
      freshness: 'stale',
      counters: { prefetchesFilled: 0, prefetchesNotFilled: 1 },
    });
    expect(edge.events).toEqual([
      expect.objectContaining({
        kind: 'prefetch-not-filled',
        url: `${SITE}/`,
        detail: expect.stringMatching(/valid copy/),
      }),
    ]);
    expect(edge.origin.requests).toEqual([]);
  });

  it('a prefetch sent before the refresh completes fills nothing, and the refresh then leaves the URL cold', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    await task(emu, 'RefreshObjectCaches', `${SITE}/css/site.css`);
    await task(emu, 'PushObjectCache', `${SITE}/css/site.css`);
    clock += 5 * MINUTE;
    expect(await edge.inspect(`${SITE}/css/site.css`)).toMatchObject({
      freshness: 'fresh-cold',
      counters: { refreshesCompleted: 1, prefetchesNotFilled: 1, prefetchesFilled: 0 },
    });
    expect(edge.events.map((e) => e.kind)).toEqual(['prefetch-not-filled', 'refresh-expired']);
  });

  it('a prefetch sent after the refresh completed fills the cache with the new deploy', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    await task(emu, 'RefreshObjectCaches', `${SITE}/css/site.css`);
    clock += 5 * MINUTE;
    await task(emu, 'PushObjectCache', `${SITE}/css/site.css`);
    clock += 2 * MINUTE;
    expect(await edge.inspect(`${SITE}/css/site.css`)).toMatchObject({
      freshness: 'fresh-warm',
      counters: { refreshesCompleted: 1, prefetchesFilled: 1, prefetchesNotFilled: 0 },
    });
    const visitor = await visit(edge, '/css/site.css');
    expect(visitor.body).toBe('a{color:blue}');
    expect(visitor.headers['x-cache']).toMatch(/^HIT/);
    expect(edge.origin.requests.map((r) => r.target)).toEqual(['/css/site.css']);
  });

  it('a prefetch fills an uncached URL; one the origin lacks fills nothing', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    expect(await freshness(edge, '/blog/new/')).toBe('fresh-cold');
    expect(await freshness(edge, '/gone/')).toBe('absent');
    await task(emu, 'PushObjectCache', `${SITE}/blog/new/`, `${SITE}/gone/`);
    clock += 2 * MINUTE;
    expect(await freshness(edge, '/blog/new/')).toBe('fresh-warm');
    expect(await edge.inspect(`${SITE}/gone/`)).toMatchObject({
      freshness: 'absent',
      deployed: { status: 404 },
      counters: { prefetchesNotFilled: 1 },
    });
    expect(edge.events.map((e) => [e.kind, e.detail])).toEqual([
      ['prefetch-filled', ''],
      ['prefetch-not-filled', 'the origin answered 404'],
    ]);
  });

  it('a task that ends Failed changes nothing', async () => {
    const { emu, edge, v2 } = await start({
      failRefreshUrls: () => 'Refresh failed',
      failUrls: () => 'Origin Return StatusCode 5XX',
    });
    edge.seed();
    edge.origin.serve(v2);
    await task(emu, 'RefreshObjectCaches', `${SITE}/`);
    await task(emu, 'PushObjectCache', `${SITE}/blog/new/`);
    clock += 5 * MINUTE;
    expect(await edge.inspect(`${SITE}/`)).toMatchObject({
      freshness: 'stale',
      counters: { refreshesFailed: 1 },
    });
    expect(await edge.inspect(`${SITE}/blog/new/`)).toMatchObject({
      freshness: 'fresh-cold',
      counters: { prefetchesFailed: 1 },
    });
  });

  it('a directory refresh expires every copy under the folder', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    const res = await rawCall(emu.url, {
      action: 'RefreshObjectCaches',
      params: { ObjectPath: `${SITE}/css/`, ObjectType: 'Directory' },
      date: new Date(clock),
    });
    expect(res.status).toBe(200);
    clock += 5 * MINUTE;
    expect(await freshness(edge, '/css/site.css')).toBe('fresh-cold');
    expect(await freshness(edge, '/')).toBe('stale');
  });

  it('tasks that had ended before they were recorded (an earlier run, seedTasks) are history', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.origin.serve(v2);
    emu.seedTasks([`${SITE}/`], { objectType: 'file', ageMs: 60 * MINUTE });
    emu.seedTasks([`${SITE}/css/site.css`], { objectType: 'file', ageMs: MINUTE });
    clock += 4 * MINUTE;
    expect(await freshness(edge, '/')).toBe('stale');
    expect(await freshness(edge, '/css/site.css')).toBe('fresh-cold');
  });

  it('on the real clock, each prefetch pulls what the origin serves when its task completes, with no one asking', async () => {
    const { emu, edge, v1, v2 } = await start({
      now: Date.now,
      taskDurationMs: 100,
      refreshTaskDurationMs: 100,
      taskDurationFor: (url) => (url.endsWith('/blog/new/') ? 400 : undefined),
    });
    edge.origin.serve(v2);
    edge.seed({ dir: v1 });
    await rawCall(emu.url, { action: 'RefreshObjectCaches', params: { ObjectPath: `${SITE}/` } });
    await edge.settled();
    await rawCall(emu.url, {
      action: 'PushObjectCache',
      params: { ObjectPath: `${SITE}/\n${SITE}/blog/new/` },
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    edge.origin.serve(v1); // between the two tasks' ends
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(edge.origin.requests.map((r) => [r.target, r.status])).toEqual([
      ['/', 200],
      ['/blog/new/', 404],
    ]);
    expect(await freshness(edge, '/')).toBe('stale'); // it holds v2's copy, pulled at completion
    expect(edge.events.map((e) => e.kind)).toEqual([
      'refresh-expired',
      'prefetch-filled',
      'prefetch-not-filled',
    ]);
  });
});

describe('faults', () => {
  it('an origin that keeps serving an old copy of one path: that URL is stale after its refresh', async () => {
    const { emu, edge, v2 } = await start();
    edge.seed();
    edge.injectFaults({ kind: 'origin-old-copy', path: '/' });
    edge.origin.serve(v2);
    await task(emu, 'RefreshObjectCaches', `${SITE}/`, `${SITE}/css/site.css`);
    clock += 5 * MINUTE;
    expect((await visit(edge, '/')).body).toBe(page('Home', 'Version 1.'));
    expect((await visit(edge, '/css/site.css')).body).toBe('a{color:blue}');
    expect(await freshness(edge, '/')).toBe('stale');
    expect(await freshness(edge, '/css/site.css')).toBe('fresh-warm');
  });

  it('a path that answers a chosen status, and a connection reset', async () => {
    const { edge } = await start();
    edge.injectFaults(
      { kind: 'status', status: 503, path: '/about/', times: 1 },
      { kind: 'reset', path: '/notes' },
    );
    const failed = await visit(edge, '/about/');
    expect(failed.status).toBe(503);
    expect(failed.headers['x-cache']).toMatch(/^MISS/);
    expect((await visit(edge, '/about/')).status).toBe(200);
    await expect(visit(edge, '/notes')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(edge.requests.map((r) => [r.target, r.status, r.fault])).toEqual([
      ['/about/', 503, 'status'],
      ['/about/', 200, undefined],
      ['/notes', 0, 'reset'],
    ]);
  });
});

it('an emulator started without an edge says how to get one', async () => {
  const emu = await emulator.start();
  expect(() => emu.edge).toThrow(/startEmulator\(\{ edge: \{\} \}\)/);
});
