// Proxy settings as GitHub's runner and actions read them, and httpFetch going through a real proxy.
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpFetch } from '../../src/http/fetch.js';
import {
  bypassesProxy,
  isLoopback,
  noProxyForActionsHttpClient,
  proxyFor,
  proxyPasswords,
} from '../../src/http/proxy.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const PROXIES = {
  https_proxy: 'http://lower-https:3128',
  HTTPS_PROXY: 'http://upper-https:3128',
  http_proxy: 'http://lower-http:3128',
  HTTP_PROXY: 'http://upper-http:3128',
};

function proxyHost(url: string, env: Record<string, string>): string | undefined {
  return proxyFor(new URL(url), env)?.host;
}

describe('proxyFor', () => {
  it.each([
    [
      'https URLs use https_proxy, lower case first',
      'https://cdn.aliyuncs.com/',
      PROXIES,
      'lower-https:3128',
    ],
    ['http URLs use http_proxy, lower case first', 'http://cdn.aliyuncs.com/', PROXIES, 'lower-http:3128'],
    [
      'upper case when lower case is unset',
      'https://cdn.aliyuncs.com/',
      { HTTPS_PROXY: 'http://upper-https:3128' },
      'upper-https:3128',
    ],
    [
      'upper case when lower case is empty',
      'https://x.test/',
      { https_proxy: ' ', HTTPS_PROXY: 'http://u:1' },
      'u:1',
    ],
    ['an https URL never uses http_proxy', 'https://x.test/', { http_proxy: 'http://p:1' }, undefined],
    ['an http URL never uses https_proxy', 'http://x.test/', { https_proxy: 'http://p:1' }, undefined],
    [
      'a proxy without a scheme is http',
      'https://x.test/',
      { https_proxy: 'proxy.corp:8080' },
      'proxy.corp:8080',
    ],
    ['nothing set: direct', 'https://x.test/', {}, undefined],
  ])('%s', (_name, url, env, expected) => {
    expect(proxyHost(url, env)).toBe(expected);
  });

  it('an https proxy is allowed; other schemes, and values that are not URLs, fail without echoing the value', () => {
    expect(proxyFor(new URL('https://x.test/'), { HTTPS_PROXY: 'https://p:443' })?.protocol).toBe('https:');
    expect(() => proxyFor(new URL('https://x.test/'), { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(
      'HTTPS_PROXY: only http:// and https:// proxies are supported, not socks5://',
    );
    const bad = () => proxyFor(new URL('https://x.test/'), { https_proxy: 'http://user:se cret@[bad' });
    expect(bad).toThrow('https_proxy is not a proxy URL');
    expect(bad).not.toThrow(/se cret/);
  });

  it.each([
    'http://localhost:8080/',
    'http://api.localhost/',
    'http://127.0.0.1:9000/',
    'http://127.8.9.10/',
    'http://[::1]:9000/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
  ])('never proxies loopback: %s', (url) => {
    expect(proxyFor(new URL(url), { http_proxy: 'http://p:1', HTTP_PROXY: 'http://p:1' })).toBeUndefined();
  });

  it('uses no_proxy before NO_PROXY', () => {
    const env = { https_proxy: 'http://p:1', no_proxy: 'a.test', NO_PROXY: 'b.test' };
    expect(proxyHost('https://a.test/', env)).toBeUndefined();
    expect(proxyHost('https://b.test/', env)).toBe('p:1');
    expect(proxyHost('https://b.test/', { ...env, no_proxy: '' })).toBeUndefined();
  });
});

describe('bypassesProxy (NO_PROXY)', () => {
  it.each([
    ['*', 'https://anything.test/', true],
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://cdn.example.com/', true],
    ['example.com', 'https://a.b.example.com/', true],
    ['example.com', 'https://badexample.com/', false],
    ['.example.com', 'https://cdn.example.com/', true],
    ['.example.com', 'https://example.com/', true],
    ['*.example.com', 'https://cdn.example.com/', true],
    ['EXAMPLE.com', 'https://Cdn.Example.COM/', true],
    ['example.com.', 'https://cdn.example.com/', true],
    ['a.test,example.com', 'https://cdn.example.com/', true],
    ['a.test example.com', 'https://cdn.example.com/', true],
    ['a.test,\texample.com', 'https://cdn.example.com/', true],
    [' a.test , b.test ', 'https://b.test/', true],
    ['example.com:8443', 'https://cdn.example.com:8443/', true],
    ['example.com:8443', 'https://cdn.example.com/', false],
    ['example.com:443', 'https://cdn.example.com/', true],
    ['example.com:80', 'http://cdn.example.com/', true],
    ['example.com:80', 'https://cdn.example.com/', false],
    ['10.1.2.3', 'http://10.1.2.3:8080/', true],
    ['10.1.2.3', 'http://10.1.2.30/', false],
    ['10.1.2.3:8080', 'http://10.1.2.3:8080/', true],
    ['10.1.2.3:8080', 'http://10.1.2.3:9090/', false],
    ['[fd00::1]:8080', 'http://[fd00::1]:8080/', true],
    ['fd00::1', 'http://[fd00::1]:8080/', true],
    ['', 'https://example.com/', false],
    [', ,', 'https://example.com/', false],
    ['.', 'https://example.com/', false],
  ])('%j for %s: %s', (noProxy, url, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });
});

describe('isLoopback', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['127.0.0.53', true],
    ['[::1]', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['[fd00::1]', false],
  ])('%s: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('noProxyForActionsHttpClient', () => {
  it('rewrites the list into the form @actions/http-client reads the same way', () => {
    expect(
      noProxyForActionsHttpClient({ NO_PROXY: 'a.test  .b.test\t*.c.test,d.test:8080 * 10.0.0.1' }),
    ).toBe('a.test,b.test,c.test,d.test:8080,*,10.0.0.1');
    expect(noProxyForActionsHttpClient({ no_proxy: 'x.test', NO_PROXY: 'y.test' })).toBe('x.test');
    expect(noProxyForActionsHttpClient({})).toBeUndefined();
  });
});

describe('proxyPasswords', () => {
  it('finds the (decoded) password of every proxy URL, once', () => {
    expect(
      proxyPasswords({
        https_proxy: 'http://user:p%40ss@proxy:3128',
        HTTPS_PROXY: 'http://user:p%40ss@proxy:3128',
        http_proxy: 'other:pw2@proxy:3128',
        HTTP_PROXY: 'http://nopassword@proxy:3128',
      }),
    ).toEqual(['p@ss', 'pw2']);
  });
});

describe('httpFetch through a real proxy', () => {
  let origin: Server;
  let originPort: number;
  let proxy: TestProxy;
  const seen: { host: string | undefined; path: string | undefined }[] = [];

  beforeAll(async () => {
    origin = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, path: req.url });
      res.end('sitemap body');
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originPort = (origin.address() as AddressInfo).port;
    proxy = await startProxy({
      hosts: { 'site.proxy-only.test': '127.0.0.1' },
      auth: { username: 'u', password: 'proxy-pass' },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => origin.close(() => resolve()));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    seen.length = 0;
    proxy.log.length = 0;
  });

  function stubProxyEnv(env: Record<string, string>): void {
    for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY']) {
      vi.stubEnv(name, env[name] ?? '');
    }
  }

  it('reaches a host only the proxy can resolve, with the Host header unchanged', async () => {
    stubProxyEnv({ HTTP_PROXY: proxy.url });
    const url = `http://site.proxy-only.test:${originPort}/sitemap.xml?x=1`;
    const response = await httpFetch(url, { timeoutMs: 5000 });
    expect(await response.text()).toBe('sitemap body');
    expect(proxy.log).toEqual([
      {
        kind: 'forward',
        target: `site.proxy-only.test:${originPort}`,
        hostHeader: `site.proxy-only.test:${originPort}`,
        authorized: true,
      },
    ]);
    expect(seen).toEqual([{ host: `site.proxy-only.test:${originPort}`, path: '/sitemap.xml?x=1' }]);
  });

  it('goes direct for a NO_PROXY host, so a proxy-only name fails to resolve', async () => {
    stubProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'other.test proxy-only.test' });
    const error = await httpFetch(`http://site.proxy-only.test:${originPort}/`, { timeoutMs: 5000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(proxy.log).toEqual([]);
  });

  it('never sends loopback to the proxy, even a dead one', async () => {
    stubProxyEnv({ HTTP_PROXY: 'http://127.0.0.1:1', http_proxy: 'http://127.0.0.1:1' });
    const response = await httpFetch(`http://127.0.0.1:${originPort}/direct`, { timeoutMs: 5000 });
    expect(response.status).toBe(200);
    expect(seen.map((s) => s.path)).toEqual(['/direct']);
  });
});
