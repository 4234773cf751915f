// Every documented limit and parameter check, refused the way Alibaba refuses it.
import { describe, expect, it } from 'vitest';
import { emulatorPerTest } from '../helpers/emulator.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { rawCall, type RawCall } from '../helpers/sdk-client.js';

let emu: Emulator;
const emulator = emulatorPerTest();

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await emulator.start(options);
  return emu;
}

function urls(n: number, host = 'www.example.com'): string {
  return Array.from({ length: n }, (_, i) => `https://${host}/f${i}.js`).join('\n');
}

async function push(objectPath: string, extra: Partial<RawCall> = {}) {
  const res = await rawCall(emu.url, {
    action: 'PushObjectCache',
    ...extra,
    params: { ObjectPath: objectPath, ...extra.params },
  });
  return { status: res.status, body: res.json(), headers: res.headers };
}

async function quota(): Promise<Record<string, unknown>> {
  return (await rawCall(emu.url, { action: 'DescribeRefreshQuota' })).json();
}

describe('PushObjectCache limits', () => {
  it('accepts 100 URLs per call and refuses 101', async () => {
    await start();
    expect((await push(urls(100))).status).toBe(200);
    const res = await push(urls(101));
    expect(res).toMatchObject({ status: 400, body: { Code: 'InvalidObjectPath.ExceedsMaximum' } });
    expect(emu.acceptedPrefetches()).toHaveLength(100);
    expect(emu.calls.at(-1)).toMatchObject({ accepted: false, code: 'InvalidObjectPath.ExceedsMaximum' });
  });

  it('splits ObjectPath on \\n and \\r\\n, ignoring empty lines', async () => {
    await start();
    await push('https://www.example.com/a\r\nhttps://www.example.com/b\n\nhttps://www.example.com/c\n');
    expect(emu.acceptedPrefetches().map((p) => p.url)).toEqual([
      'https://www.example.com/a',
      'https://www.example.com/b',
      'https://www.example.com/c',
    ]);
  });

  it('refuses a call larger than PreloadRemain without spending anything', async () => {
    await start({ preloadQuota: 500 });
    emu.setPreloadRemain(3);
    expect(await push(urls(4))).toMatchObject({ status: 400, body: { Code: 'QuotaExceeded.Preload' } });
    expect(await quota()).toMatchObject({ PreloadQuota: '500', PreloadRemain: '3' });
    expect((await push(urls(3))).status).toBe(200);
    expect(await quota()).toMatchObject({ PreloadRemain: '0' });
  });

  it('refuses with PreloadQueueFull while too many prefetches are pending', async () => {
    let clock = Date.now();
    await start({ queueCapacity: 5, taskDurationMs: 60_000, now: () => clock });
    expect((await push(urls(3))).status).toBe(200);
    expect(await push(urls(3, 'cdn.example.com'))).toMatchObject({
      status: 403,
      body: { Code: 'PreloadQueueFull' },
    });
    expect((await push(urls(2, 'cdn.example.com'))).status).toBe(200);
    clock += 60_000; // the first tasks finish and leave the queue
    expect((await push(urls(3, 'static.example.com'), { date: new Date(clock) })).status).toBe(200);
  });

  it('refuses unknown and offline domains with 404', async () => {
    await start({
      domains: { 'www.example.com': 'online', 'old.example.com': 'offline', '*.example.org': 'online' },
    });
    expect(await push('https://nope.example.net/a')).toMatchObject({
      status: 404,
      body: { Code: 'InvalidDomain.NotFound' },
    });
    expect(await push('https://old.example.com/a')).toMatchObject({
      status: 404,
      body: { Code: 'InvalidDomain.Offline' },
    });
    expect((await push('https://img.example.org/a')).status).toBe(200);
    // One bad domain refuses the whole call.
    expect((await push('https://www.example.com/ok\nhttps://old.example.com/a')).status).toBe(404);
    expect(emu.acceptedPrefetches().map((p) => p.url)).toEqual(['https://img.example.org/a']);
  });

  it.each([
    ['a raw space', 'https://www.example.com/a b.js'],
    ['raw non-ASCII', 'https://www.example.com/ü.js'],
    ['no scheme', 'www.example.com/a.js'],
    ['an ftp URL', 'ftp://www.example.com/a.js'],
    ['bad percent-encoding', 'https://www.example.com/%zz.js'],
    ['more than 1024 characters', `https://www.example.com/${'a'.repeat(1024)}`],
    ['user info', 'https://me@www.example.com/a.js'],
  ])('refuses %s as InvalidObjectPath.Malformed', async (_, url) => {
    await start();
    expect(await push(url)).toMatchObject({ status: 400, body: { Code: 'InvalidObjectPath.Malformed' } });
  });

  it('accepts percent-encoded non-ASCII', async () => {
    await start();
    expect((await push('https://www.example.com/%C3%BC%20x.js?v=1')).status).toBe(200);
  });

  it.each([
    ['Area', 'everywhere'],
    ['L2Preload', 'yes'],
    ['QueryHashkey', '1'],
    ['WithHeader', '{"Accept-Encoding":"gzip"}'],
    ['WithHeader', 'not json'],
  ])('refuses %s=%s as InvalidParameter', async (name, value) => {
    await start();
    const res = await push('https://www.example.com/a.js', { params: { [name]: value } });
    expect(res).toMatchObject({ status: 400, body: { Code: 'InvalidParameter' } });
  });

  it('accepts every optional parameter when valid', async () => {
    await start();
    const params = {
      Area: 'domestic',
      L2Preload: 'false',
      QueryHashkey: 'true',
      WithHeader: '{"Accept-Encoding":["gzip","br"]}',
    };
    expect((await push('https://www.example.com/a.js', { params })).status).toBe(200);
  });
});

describe('RefreshObjectCaches limits', () => {
  async function refresh(objectPath: string, objectType?: string) {
    const form: Record<string, string> = {
      ObjectPath: objectPath,
      ...(objectType ? { ObjectType: objectType } : {}),
    };
    return (await rawCall(emu.url, { action: 'RefreshObjectCaches', form })).json();
  }

  it('refuses more than 1000 URLs and more than 10 domains', async () => {
    await start({ domains: { '*.example.org': 'online', 'www.example.com': 'online' } });
    expect((await refresh(urls(1001)))['Code']).toBe('InvalidObjectPath.ExceedsMaximum');
    const eleven = Array.from({ length: 11 }, (_, i) => `https://d${i}.example.org/x`).join('\n');
    expect((await refresh(eleven))['Code']).toBe('InvalidParameter');
    // 1,000 URLs of one domain in the same second: merged into task IDs of at most 500 URLs each.
    expect((await refresh(urls(1000)))['RefreshTaskId']).toMatch(/^\d+,\d+$/);
  });

  it('spends UrlRemain and refuses with QuotaExceeded.Refresh when short', async () => {
    await start({ refreshUrlQuota: 20 });
    emu.setUrlRemain(2);
    expect((await refresh(urls(3)))['Code']).toBe('QuotaExceeded.Refresh');
    expect(await quota()).toMatchObject({ UrlQuota: '20', UrlRemain: '2' });
    await refresh(urls(2));
    expect(await quota()).toMatchObject({ UrlRemain: '0' });
  });

  it('spends DirRemain for directories, which must end with /', async () => {
    await start();
    expect((await refresh('https://www.example.com/dir', 'Directory'))['Code']).toBe(
      'InvalidObjectPath.Malformed',
    );
    expect((await refresh('https://www.example.com/dir/', 'Directory'))['RefreshTaskId']).toMatch(/^\d+$/);
    expect(await quota()).toMatchObject({ DirQuota: '100', DirRemain: '99', UrlRemain: '10000' });
  });
});

describe('rate limits (sliding one-second window by arrival)', () => {
  it('throttles PushObjectCache beyond 50 calls per second with Throttling.User and x-acs-retry-after', async () => {
    await start();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        rawCall(emu.url, {
          action: 'PushObjectCache',
          params: { ObjectPath: `https://www.example.com/r${i}` },
        }),
      ),
    );
    const throttled = results.filter((r) => r.status !== 200);
    expect(throttled.length).toBeGreaterThanOrEqual(10);
    for (const r of throttled) {
      expect(r.status).toBe(400);
      expect(r.json()['Code']).toBe('Throttling.User');
      expect(Number(r.headers['x-acs-retry-after'])).toBeGreaterThan(0);
      expect(Number(r.headers['x-acs-retry-after'])).toBeLessThanOrEqual(1000);
    }
    expect(emu.acceptedPrefetches().length).toBe(60 - throttled.length);
    expect(emu.calls.filter((c) => c.code === 'Throttling.User')).toHaveLength(throttled.length);
  });

  it('limits DescribeRefreshTasks to 5 per second and admits again after the window', async () => {
    await start();
    const call = () => rawCall(emu.url, { action: 'DescribeRefreshTasks' });
    const burst = await Promise.all(Array.from({ length: 6 }, call));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(5);
    const retryAfter = Number(burst.find((r) => r.status !== 200)?.headers['x-acs-retry-after']);
    await new Promise((r) => setTimeout(r, retryAfter + 20));
    expect((await call()).status).toBe(200);
  });

  it('keeps each action in its own window', async () => {
    await start({ rateLimitPerSecond: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await push(`https://www.example.com/w${i}`)).status);
    expect(statuses).toEqual([200, 200, 400]);
    expect((await rawCall(emu.url, { action: 'DescribeRefreshQuota' })).status).toBe(200);
  });
});

describe('request checks', () => {
  it.each(['v3', 'v1'] as const)('refuses a %s timestamp more than 15 minutes old', async (signature) => {
    await start();
    const call = { action: 'DescribeRefreshQuota', signature };
    const old = await rawCall(emu.url, { ...call, date: new Date(Date.now() - 16 * 60_000) });
    expect(old.json()['Code']).toBe('InvalidTimeStamp.Expired');
    expect((await rawCall(emu.url, { ...call, date: new Date(Date.now() - 14 * 60_000) })).status).toBe(200);
  });

  it.each(['v3', 'v1'] as const)('refuses a reused %s nonce', async (signature) => {
    await start();
    const call = { action: 'DescribeRefreshQuota', signature, nonce: 'fixed-nonce' };
    expect((await rawCall(emu.url, call)).status).toBe(200);
    expect((await rawCall(emu.url, call)).json()['Code']).toBe('SignatureNonceUsed');
  });

  it('answers unknown actions, missing parameters, wrong versions and denied actions', async () => {
    await start({ denyActions: ['DescribeRefreshQuota'] });
    const unknown = await rawCall(emu.url, { action: 'DeleteEverything' });
    expect([unknown.status, unknown.json()['Code']]).toEqual([404, 'InvalidAction.NotFound']);
    const missing = await rawCall(emu.url, { action: 'PushObjectCache' });
    expect([missing.status, missing.json()['Code']]).toEqual([400, 'MissingParameter']);
    const version = await rawCall(emu.url, { action: 'DescribeRefreshTasks', version: '2014-11-11' });
    expect(version.json()['Code']).toBe('InvalidVersion');
    const denied = await rawCall(emu.url, { action: 'DescribeRefreshQuota' });
    expect([denied.status, denied.json()['Code']]).toEqual([403, 'Forbidden.RAM']);
    expect(denied.json()).toMatchObject({
      HostId: 'cdn.aliyuncs.com',
      RequestId: expect.any(String),
      Recommend: expect.any(String),
    });
  });

  it('answers XML when a V1 call omits Format', async () => {
    await start();
    const res = await rawCall(emu.url, {
      action: 'PushObjectCache',
      signature: 'v1',
      format: null,
      params: { ObjectPath: 'https://www.example.com/x.js' },
    });
    expect(res.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(res.text).toMatch(
      /<PushObjectCacheResponse><PushTaskId>\d+<\/PushTaskId><RequestId>[-\w]+<\/RequestId><\/PushObjectCacheResponse>$/,
    );
  });
});
