/**
 * The one door (src/http/fetch.ts) against real servers on 127.0.0.1: every way a request ends —
 * read to the end, timed out, stopped, let go, broken off, refused by a proxy — closes its socket,
 * and failures name the origin only, with the system's code.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetworkError } from '../../src/base/errors.js';
import { discard, httpFetch, readChunks, readText } from '../../src/http/fetch.js';
import { PROXY_AUTH_REQUIRED, PROXY_TUNNEL_FAILED } from '../../src/http/proxy.js';
import { startProxy } from '../helpers/proxy.js';
import { allClosed, serve, silentServer, stallAfterHeaders } from '../helpers/tracked-servers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

function stubProxyEnv(env: Record<string, string>): void {
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY']) {
    vi.stubEnv(name, env[name] ?? '');
  }
}

async function failure(promise: Promise<unknown>): Promise<NetworkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetworkError);
  return error as NetworkError;
}

describe('a body that stalls after its headers', () => {
  it('times out at the request limit, counted from the start, and its socket is closed', async () => {
    const server = await serve(stallAfterHeaders);
    const started = Date.now();
    const response = await httpFetch(`${server.origin}/answer`, { timeoutMs: 300 });
    const error = await failure(readText(response));
    expect(error.message).toBe(`${server.origin}: timed out after 0.3 s while reading the answer`);
    expect(error.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    await allClosed(server);
  });

  it('is given up when the run stops, and its socket is closed', async () => {
    const server = await serve(stallAfterHeaders);
    const stop = new AbortController();
    const response = await httpFetch(`${server.origin}/answer`, { timeoutMs: 0, signal: stop.signal });
    const read = readText(response);
    setTimeout(() => stop.abort(new Error('cancelled')), 50);
    const error = await failure(read);
    expect(error.message).toBe(`${server.origin}: given up, the run is stopping (cancelled)`);
    await allClosed(server);
  });

  it('read as chunks, times out the same way', async () => {
    const server = await serve(stallAfterHeaders);
    const response = await httpFetch(`${server.origin}/sitemap.xml`, { timeoutMs: 300 });
    const chunks: Buffer[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of readChunks(response)) chunks.push(chunk);
      })(),
    );
    expect(Buffer.concat(chunks).toString()).toBe('{"RequestId":"');
    expect(error.timedOut).toBe(true);
    await allClosed(server);
  });

  it('a body that trickles a byte at a time still ends at the limit', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('<'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const response = await httpFetch(`${server.origin}/sitemap.xml`, { timeoutMs: 400 });
    await failure(readText(response));
    expect(Date.now() - started).toBeLessThan(1500);
    await allClosed(server);
  });
});

describe('a body let go before its end', () => {
  it('discarded unread: the connection is closed, not left to the server', async () => {
    const server = await serve(stallAfterHeaders);
    const response = await httpFetch(`${server.origin}/redirected`, { timeoutMs: 0 });
    discard(response);
    await allClosed(server);
  });

  it('a loop over its chunks left early: the connection is closed', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.write('first chunk');
    });
    const response = await httpFetch(`${server.origin}/big.xml`, { timeoutMs: 0 });
    for await (const chunk of readChunks(response)) {
      expect(chunk.toString()).toBe('first chunk');
      break;
    }
    await allClosed(server);
  });

  it('read to the end: the answer arrives whole and the timeout is disarmed', async () => {
    const server = await serve((_req, res) => res.end('{"RequestId":"R"}'));
    const response = await httpFetch(`${server.origin}/ok`, { timeoutMs: 200 });
    expect(await readText(response)).toBe('{"RequestId":"R"}');
    // The timer would otherwise fire on a body already read; nothing may throw or linger.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});

describe('failures name the origin, never the query', () => {
  it('a refused connection: the code from the cause chain, and no URL beyond the origin', async () => {
    const server = await serve(() => undefined);
    const origin = server.origin;
    await server.close();
    const query = '?Action=PushObjectCache&ObjectPath=https%3A%2F%2Fwww.example.com%2Fa&Signature=abc';
    const error = await failure(httpFetch(`${origin}/${query}`, { timeoutMs: 2000 }));
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe(`${origin}: ECONNREFUSED (connect ECONNREFUSED ${origin.slice(7)})`);
    expect(error.message).not.toContain('?');
    expect(error.message).not.toContain('ObjectPath');
    expect(error.url).toBe(origin);
  });

  it('a connection cut mid-body: the break, without the URL', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.write('half');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const response = await httpFetch(`${server.origin}/?Signature=secret-ish`, { timeoutMs: 2000 });
    const error = await failure(readText(response));
    expect(error.message).toMatch(/the answer broke off/);
    expect(error.message).not.toContain('Signature');
  });
});

describe('through a proxy', () => {
  it('a proxy that never answers CONNECT: the request times out and the tunnel socket is closed', async () => {
    const silent = await silentServer();
    stubProxyEnv({ HTTPS_PROXY: silent.origin });
    const error = await failure(httpFetch('https://cdn.proxy-only.test/', { timeoutMs: 300 }));
    expect(error.timedOut).toBe(true);
    expect(silent.accepted()).toBe(1);
    await allClosed(silent);
  });

  it('a request stopped while CONNECT is pending: the tunnel socket is closed', async () => {
    const silent = await silentServer();
    stubProxyEnv({ HTTPS_PROXY: silent.origin });
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('deadline')), 100);
    const error = await failure(
      httpFetch('https://cdn.proxy-only.test/', { timeoutMs: 0, signal: stop.signal }),
    );
    expect(error.message).toContain('given up, the run is stopping (deadline)');
    await allClosed(silent);
  });

  it('a proxy that closes before answering CONNECT: nothing was sent, said with its own code', async () => {
    const proxy = await startProxy({ hosts: {}, onConnect: () => 'close' });
    try {
      stubProxyEnv({ HTTPS_PROXY: proxy.url });
      const error = await failure(httpFetch('https://cdn.proxy-only.test/?Signature=x', { timeoutMs: 2000 }));
      expect(error.code).toBe(PROXY_TUNNEL_FAILED);
      expect(error.message).toMatch(
        /the tunnel through the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) was not opened/,
      );
      expect(error.message).not.toContain('Signature');
    } finally {
      await proxy.close();
    }
  });

  it.each([
    ['a CONNECT tunnel', 'HTTPS_PROXY', 'https://cdn.proxy-only.test/'],
    ['a forwarded request', 'HTTP_PROXY', 'http://cdn.proxy-only.test/'],
  ])(
    '407 on %s: its own code, naming the variable and never the user or password',
    async (_, variable, url) => {
      const proxy = await startProxy({
        hosts: { 'cdn.proxy-only.test': '127.0.0.1' },
        auth: { username: 'runner', password: 'right-password' },
      });
      try {
        const wrong = proxy.url.replace('right-password', 'wrong-password');
        stubProxyEnv({ [variable]: wrong });
        const error = await failure(httpFetch(url, { timeoutMs: 2000 }));
        expect(error.code).toBe(PROXY_AUTH_REQUIRED);
        expect(error.message).toContain(
          `(${variable}) answered 407 Proxy Authentication Required: it refused the user:password in ${variable}`,
        );
        expect(error.message).not.toMatch(/wrong-password|runner/);
        expect(proxy.log).toHaveLength(1);
      } finally {
        await proxy.close();
      }
    },
  );
});
