/**
 * Every ending of an in-process run — success, a stalled body, a stop or a deadline in each phase, a
 * refusing proxy — returns a result with every URL in it, and leaves nothing open: each server sees
 * its connections closed by the client, and no socket or timer of the run remains
 * (process.getActiveResourcesInfo()).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryLogger } from '../helpers/logger.js';
import type { RunResult } from '../../src/report/result.js';
import type { Config } from '../../src/config/config.js';
import { runPrefetch } from '../../src/run.js';
import { RunStop } from '../../src/runtime/stop.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../src/runtime/retry.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { configFrom } from '../helpers/inputs.js';
import { startProxy } from '../helpers/proxy.js';
import { allClosed, serve, silentServer, type Tracked } from '../helpers/tracked-servers.js';

/** A sitemap whose headers and first bytes come, and then nothing. */
const stallSitemap: Parameters<typeof serve>[0] = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.write(
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
  );
};

const AK = { accessKeyId: 'endings-ak-id', accessKeySecret: 'endings-secret-value' };
const URLS = Array.from({ length: 6 }, (_, i) => `https://www.example.com/end/${i}`);

const emulators = emulatorPerTest({ credentials: { [AK.accessKeyId]: AK.accessKeySecret } });
afterEach(() => vi.unstubAllEnvs());
const start = (options: EmulatorOptions = {}): Promise<Emulator> => emulators.start(options);

function config(inputs: Record<string, string>, env: Record<string, string> = {}): Config {
  return configFrom(inputs, { GITHUB_WORKSPACE: process.cwd(), ...env }, AK);
}

/** Long pauses between tries, so that a stop comes while the run waits to try again. */
const SLOW_RETRIES: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 2_000, maxDelayMs: 10_000 };

/** Sockets and timers open now, by kind. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * Runs to its end and checks that it left nothing behind: every server saw the client close its
 * connections (the emulator closes only those kept alive between calls; one still answering was
 * not given up), and no socket or timer is left beyond those open before.
 */
async function runAndSettle(
  cfg: Config,
  options: { stop?: RunStop; sites?: { open(): number }[]; retryPolicy?: RetryPolicy } = {},
): Promise<{ result: RunResult; logger: MemoryLogger; ms: number }> {
  const before = handles();
  const logger = new MemoryLogger();
  const started = Date.now();
  const result = await runPrefetch(cfg, {
    logger,
    ...(options.stop ? { stop: options.stop } : {}),
    retryPolicy: options.retryPolicy ?? SLOW_RETRIES,
  });
  const ms = Date.now() - started;
  for (const site of options.sites ?? []) await allClosed(site);
  const emulator = emulators.current;
  if (emulator) await allClosed({ open: () => emulator.closeIdleConnections() });
  await settled(before);
  return { result, logger, ms };
}

/** Waits (up to 1 s) for sockets being closed to be gone, then checks nothing is left beyond `before`. */
async function settled(before: Record<string, number>): Promise<void> {
  const left = (): string[] =>
    ['TCPSocketWrap', 'Timeout'].filter((kind) => (handles()[kind] ?? 0) > (before[kind] ?? 0));
  for (const until = Date.now() + 1_000; left().length > 0 && Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(left(), 'sockets or timers left open by the run').toEqual([]);
}

function stopAfter(ms: number, then: (stop: RunStop) => void = (s) => s.stop('cancelled', 4_000)): RunStop {
  const stop = new RunStop();
  setTimeout(() => then(stop), ms);
  return stop;
}

const sitemapUrl = (site: Tracked): string => `${site.origin}/sitemap.xml`;

describe('stalled bodies', () => {
  it('an API answer that stalls: given up at request-timeout, looked up, resent, and its socket closed', async () => {
    const em = await start();
    em.injectFaults({ kind: 'stall-body', action: 'DescribeRefreshQuota' }, { kind: 'stall-body', nth: 1 });
    const { result } = await runAndSettle(
      config({ urls: URLS.join('\n'), endpoint: em.url, 'request-timeout': '1' }),
      { retryPolicy: DEFAULT_RETRY_POLICY },
    );
    expect(result.counts.submitted).toBe(URLS.length);
    expect(em.calls.filter((c) => c.fault === 'stall-body')).toHaveLength(2);
  });

  it('a remote sitemap that stalls: the run fails after three tries, reports the rest, and its socket is closed', async () => {
    const site = await serve(stallSitemap);
    const { result } = await runAndSettle(
      config({ sitemap: sitemapUrl(site), urls: URLS[0] ?? '', 'request-timeout': '1', 'dry-run': 'true' }),
      { sites: [site], retryPolicy: DEFAULT_RETRY_POLICY },
    );
    expect(result.fatal).toMatch(
      /^Cannot read sitemap: .*timed out while downloading \(limit 1 s per request\) \(3 attempts\)$/,
    );
    expect(result.sitemap?.notRead).toBe(result.fatal);
    expect(result.outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['failed', 'not sent: the sitemap could not be read'],
    ]);
  });

  it('a baseline that stalls: a warning, nothing selected on a guess, and its socket is closed', async () => {
    const em = await start();
    const site = await serve((req, res) => {
      if (req.url === '/before.xml') return stallSitemap(req, res);
      res.end(
        `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${URLS.map((u) => `<url><loc>${u}</loc></url>`).join('')}</urlset>`,
      );
    });
    const { result, logger } = await runAndSettle(
      config({
        sitemap: sitemapUrl(site),
        'previous-sitemap': `${site.origin}/before.xml`,
        endpoint: em.url,
        'request-timeout': '1',
      }),
      { sites: [site], retryPolicy: DEFAULT_RETRY_POLICY },
    );
    expect(logger.messages('warning').join('\n')).toMatch(
      /previous-sitemap: the baseline cannot be read: .*timed out.*Nothing from the sitemap is selected/s,
    );
    expect(result.sitemap?.counts.unknown).toBe(URLS.length);
    expect(result.counts.submitted).toBe(0);
  });
});

describe('a stop or a deadline in every phase: every URL reported', () => {
  it.each([
    [
      'cancelled',
      (s: RunStop) => s.stop('cancelled', 4_000),
      'cancelled: not sent before the run was cancelled',
    ],
    [
      'deadline',
      (s: RunStop) => s.stop('deadline', 4_000),
      'deadline: not sent before the run reached its timeout',
    ],
  ] as const)(
    'while the sitemap downloads (%s): the urls entries fail, the sitemap is noted as not read',
    async (reason, stopIt, why) => {
      const em = await start();
      const site = await serve(stallSitemap);
      const { result, ms } = await runAndSettle(
        config({ sitemap: sitemapUrl(site), urls: URLS.slice(0, 2).join('\n'), endpoint: em.url }),
        { stop: stopAfter(300, stopIt), sites: [site] },
      );
      expect(ms).toBeLessThan(2_000);
      expect(result.stopped).toBe(reason);
      expect(result.sitemap?.notRead).toMatch(/first$/);
      expect(result.outcomes.map((o) => [o.url, o.status, o.reason])).toEqual(
        URLS.slice(0, 2).map((url) => [url, 'failed', why]),
      );
      expect(em.calls).toEqual([]);
    },
  );

  it('at the run timeout while the sitemap downloads', async () => {
    const site = await serve(stallSitemap);
    const em = await start();
    const { result, ms } = await runAndSettle(
      config({ sitemap: sitemapUrl(site), urls: URLS[0] ?? '', endpoint: em.url, timeout: '1' }),
      { sites: [site] },
    );
    expect(ms).toBeLessThan(2_500);
    expect(result.stopped).toBe('deadline');
    expect(result.counts).toMatchObject({ failed: 1, total: 1 });
  });

  it('while the quota read is retrying: no retry after the stop, the URLs fail at once', async () => {
    const em = await start();
    em.injectFaults({ kind: 'service-unavailable', action: 'DescribeRefreshQuota', times: 50 });
    const { result, ms, logger } = await runAndSettle(config({ urls: URLS.join('\n'), endpoint: em.url }), {
      stop: stopAfter(300),
    });
    expect(ms).toBeLessThan(1_500);
    expect(em.calls.filter((c) => c.action === 'DescribeRefreshQuota').length).toBeLessThanOrEqual(2);
    expect(result.counts).toMatchObject({ failed: URLS.length, submitted: 0 });
    expect(logger.messages('warning').join('\n')).not.toMatch(/cannot read the prefetch quota/);
  });

  it('while a call hangs: the second signal gives it up and its socket is closed', async () => {
    const em = await start();
    em.injectFaults({ kind: 'hang', times: 10 });
    const stop = stopAfter(300, (s) => {
      s.stop('cancelled', 60_000);
      setTimeout(() => s.abortRequests(), 200);
    });
    const { result } = await runAndSettle(
      config({ urls: URLS.join('\n'), endpoint: em.url, 'daily-quota': '100' }),
      { stop },
    );
    expect(result.counts.failed).toBe(URLS.length);
    expect(result.outcomes.some((o) => o.reason?.startsWith('outcome unknown'))).toBe(true);
  });

  it('while the refresh retries', async () => {
    const em = await start();
    em.injectFaults({ kind: 'service-unavailable', action: 'RefreshObjectCaches', times: 50 });
    const { result, ms } = await runAndSettle(
      config({ urls: URLS.join('\n'), endpoint: em.url, refresh: 'true', 'daily-quota': '100' }),
      { stop: stopAfter(300) },
    );
    expect(ms).toBeLessThan(1_500);
    expect(result.counts).toMatchObject({ failed: URLS.length, total: URLS.length });
  });

  it('while waiting for the tasks: the wait ends, the submitted URLs stay submitted', async () => {
    const em = await start({ taskDurationMs: 600_000 });
    const { result, ms } = await runAndSettle(
      config({ urls: URLS.join('\n'), endpoint: em.url, wait: 'true', 'daily-quota': '100' }),
      { stop: stopAfter(800) },
    );
    expect(ms).toBeLessThan(2_000);
    expect(result.counts.submitted).toBe(URLS.length);
    expect(result.follow?.wait?.ended).toBe('stopped');
  });
});

describe('through a proxy', () => {
  it('one that never answers CONNECT: the run ends at its timeout and the tunnel sockets are closed', async () => {
    const proxy = await silentServer();
    vi.stubEnv('HTTPS_PROXY', proxy.origin);
    const { result, ms } = await runAndSettle(
      config({
        urls: URLS.join('\n'),
        endpoint: 'https://cdn.proxy-only.test',
        timeout: '2',
        'request-timeout': '1',
      }),
      { sites: [proxy] },
    );
    expect(ms).toBeLessThan(4_000);
    expect(result.counts.failed).toBe(URLS.length);
    expect(proxy.accepted()).toBeGreaterThan(0);
  });

  it('one that refuses its credentials (407): the run stops at once, naming the variable, without retries', async () => {
    const em = await start();
    const proxy = await startProxy({
      hosts: { 'cdn.proxy-only.test': '127.0.0.1' },
      auth: { username: 'runner', password: 'right-password' },
    });
    try {
      vi.stubEnv('HTTP_PROXY', proxy.url.replace('right-password', 'wrong-password'));
      const port = new URL(em.url).port;
      const { result } = await runAndSettle(
        config({ urls: URLS.join('\n'), endpoint: `http://cdn.proxy-only.test:${port}` }),
        { sites: [{ open: () => proxy.openConnections() }] },
      );
      expect(proxy.log).toHaveLength(1);
      expect(result.fatal).toMatch(/\(HTTP_PROXY\) answered 407 Proxy Authentication Required/);
      expect(result.fatal).not.toMatch(/wrong-password|runner/);
      expect(result.outcomes.every((o) => o.status === 'failed' && o.reason?.startsWith('not sent'))).toBe(
        true,
      );
      expect(em.calls).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
