// verifyEdge against a real server on 127.0.0.1: the second ask of a stale answer, verify-limit, at most
// 8 requests at once, the run's stop, timeouts, and what each request carries.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RunStop } from '../../src/runtime/stop.js';
import { hashBytes } from '../../src/site/hash.js';
import type { VerifyTarget } from '../../src/verify/select.js';
import { verifyEdge, type VerifyContext } from '../../src/verify/verify.js';
import { MemoryLogger } from '../helpers/logger.js';
import { allClosed, serve } from '../helpers/tracked-servers.js';

const BUILT = '<html><main>Version 2</main></html>';
const OLD = '<html><main>Version 1</main></html>';
const expected = { file: 'index.html', content: hashBytes(Buffer.from(BUILT), true, undefined).content };

interface Seen {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
}

/** A site whose `answer` decides each response; it records every request and the most in flight. */
async function site(answer: (path: string, count: number, res: ServerResponse) => unknown) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let most = 0;
  const counts = new Map<string, number>();
  const server = await serve((req, res) => {
    const path = req.url ?? '';
    seen.push({ path, at: Date.now(), headers: req.headers });
    counts.set(path, (counts.get(path) ?? 0) + 1);
    most = Math.max(most, ++inFlight);
    res.once('close', () => inFlight--);
    void answer(path, counts.get(path)!, res);
  });
  return { server, seen, most: () => most, url: (path: string) => `${server.origin}${path}` };
}

function context(options: Partial<VerifyContext> = {}): VerifyContext & { logger: MemoryLogger } {
  return {
    options: { limit: 200 },
    requestTimeoutMs: 5_000,
    stop: new RunStop(),
    logger: new MemoryLogger(),
    compared: true,
    secondAskAfterMs: 200,
    ...options,
  } as VerifyContext & { logger: MemoryLogger };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('verifyEdge', () => {
  it('asks a stale answer again after the pause; a fresh second answer makes it fresh', async () => {
    const s = await site((_path, count, res) => res.end(count === 1 ? OLD : BUILT));
    const result = await verifyEdge([{ url: s.url('/a/'), expected }], context());

    expect(result.checks).toEqual([
      expect.objectContaining({
        edge: 'fresh',
        askedTwice: true,
        note: 'stale at the first ask, fresh at the second',
      }),
    ]);
    expect(s.seen).toHaveLength(2);
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(195);
    expect(result.requests).toBe(2);
  });

  it('calls a URL stale only when the second answer is stale too, with the likely cause', async () => {
    const s = await site((_path, _count, res) => res.end(OLD));
    const ctx = context();
    const result = await verifyEdge([{ url: s.url('/a/'), expected, staleHint: 'its refresh failed' }], ctx);

    expect(result.checks[0]).toMatchObject({
      edge: 'stale',
      status: 200,
      askedTwice: true,
      note: 'its refresh failed',
    });
    expect(result.counts).toMatchObject({ stale: 1, total: 1 });
    expect(ctx.logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^Stale at the edge: http:\/\/127\.0\.0\.1:\d+\/a\/ \(HTTP 200; its refresh failed\)$/,
      ),
    ]);
  });

  it('keeps the first stale answer when the second is no answer at all', async () => {
    const s = await site((_path, count, res) => (count === 1 ? res.end(OLD) : res.destroy()));
    const result = await verifyEdge([{ url: s.url('/a/'), expected }], context());
    expect(result.checks[0]).toMatchObject({ edge: 'stale', askedTwice: true });
    expect(result.checks[0]!.note).toMatch(/^stale at the first ask; the second: error, /);
  });

  it('asks at most verify-limit URLs, in order; decided ones do not count against it, and all add up', async () => {
    const s = await site((_path, _count, res) => res.end(BUILT));
    const targets: VerifyTarget[] = [
      {
        url: s.url('/pending/'),
        expected,
        unchecked: 'prefetch-pending',
        note: 'its prefetch task was Pending',
      },
      ...['/1', '/2', '/3', '/4'].map((path) => ({ url: s.url(path), expected })),
    ];
    const result = await verifyEdge(targets, context({ options: { limit: 2 } }));

    expect(result.checks.map((c) => [c.url.replace(s.server.origin, ''), c.edge, c.unchecked])).toEqual([
      ['/pending/', 'unchecked', 'prefetch-pending'],
      ['/1', 'fresh', undefined],
      ['/2', 'fresh', undefined],
      ['/3', 'unchecked', 'limit'],
      ['/4', 'unchecked', 'limit'],
    ]);
    expect(s.seen.map((r) => r.path).sort()).toEqual(['/1', '/2']);
    expect(result.counts).toMatchObject({ fresh: 2, unchecked: 3, total: 5 });
  });

  it('never has more than 8 requests in flight, and uses all 8', async () => {
    const s = await site(async (_path, _count, res) => {
      await delay(80);
      res.end(BUILT);
    });
    const targets = Array.from({ length: 30 }, (_, i) => ({ url: s.url(`/p/${i}`), expected }));
    const result = await verifyEdge(targets, context());
    expect(result.counts.fresh).toBe(30);
    expect(s.most()).toBe(8);
    await allClosed(s.server);
  });

  it('asks nothing new once the run stops, and counts the rest unchecked with the reason', async () => {
    const ctx = context();
    const s = await site(async (path, _count, res) => {
      // The deadline comes as the second round begins: requests in flight are still answered.
      if (path === '/p/8') ctx.stop.stop('deadline', 5_000);
      await delay(50);
      res.end(BUILT);
    });
    const targets = Array.from({ length: 40 }, (_, i) => ({ url: s.url(`/p/${i}`), expected }));
    const result = await verifyEdge(targets, ctx);

    expect(result.counts.fresh).toBeGreaterThanOrEqual(9);
    expect(result.counts.fresh).toBeLessThanOrEqual(16);
    expect(result.counts.fresh + result.counts.unchecked).toBe(40);
    expect(s.seen).toHaveLength(result.counts.fresh);
    const unchecked = result.checks.filter((c) => c.edge === 'unchecked');
    expect(unchecked.every((c) => c.unchecked === 'deadline')).toBe(true);
    expect(unchecked[0]!.note).toBe('not asked for: the run reached its timeout first');
    ctx.stop.dispose();
  });

  it('gives up a request after request-timeout: an error, its connection closed', async () => {
    const s = await site(() => undefined);
    const result = await verifyEdge([{ url: s.url('/slow'), expected }], context({ requestTimeoutMs: 300 }));
    expect(result.checks[0]).toMatchObject({ edge: 'error' });
    expect(result.checks[0]!.note).toMatch(/timed out after 0\.3 s/);
    await allClosed(s.server);
  });

  it('without a built file, never reads the body: a large file is served, its connection closed', async () => {
    const s = await site((_path, _count, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(64 * 1024 * 1024) });
      res.write(Buffer.alloc(1024 * 1024));
    });
    const result = await verifyEdge([{ url: s.url('/video.mp4') }], context({ compared: false }));
    expect(result.checks[0]).toMatchObject({ edge: 'served', status: 200 });
    await allClosed(s.server);
  });

  it('with a built file, gives up a body over 16 MiB: an error, not a comparison', async () => {
    const s = await site((_path, _count, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      for (let i = 0; i < 17; i++) res.write(Buffer.alloc(1024 * 1024, 0x20));
      res.end();
    });
    const result = await verifyEdge([{ url: s.url('/huge.html'), expected }], context());
    expect(result.checks[0]).toMatchObject({ edge: 'error', note: 'HTTP 200: the body is over 16 MiB' });
    await allClosed(s.server);
  });

  it('asks as a browser does, without credentials, and reads a br body', async () => {
    const s = await site((_path, _count, res) => {
      res.writeHead(200, { 'content-encoding': 'br', 'x-cache': 'MISS TCP_MISS dirn:-2:-2' });
      res.end(brotliCompressSync(Buffer.from(BUILT)));
    });
    const result = await verifyEdge([{ url: s.url('/a/'), expected }], context());

    expect(result.checks[0]).toMatchObject({
      edge: 'fresh',
      headers: { 'X-Cache': 'MISS TCP_MISS dirn:-2:-2' },
    });
    const headers = s.seen[0]!.headers;
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(headers['authorization']).toBeUndefined();
    expect(headers['cookie']).toBeUndefined();
  });
});
