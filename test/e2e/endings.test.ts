/**
 * The step ends by itself, always: the bundled action (and the CLI) exits without being killed in
 * every ending — success, failure, a stalled body, a stalled proxy, the deadline, SIGINT/SIGTERM in
 * each phase, GitHub's whole cancel sequence — within a bound of the event that ends it, and writes
 * its outputs, summary and report. The exit net (src/runtime/exit.ts) never has to step in: it would
 * say so in the log.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { describe, expect, type TestContext } from 'vitest';
import { concurrentTest } from '../helpers/emulator.js';
import { runCliBundle, type CliRun } from '../../emulator/cli-harness.js';
import { EXIT_NET_WARNING, runAction, type ActionRun, type RunOptions } from '../../emulator/harness.js';
import { startIdTokenService } from '../helpers/id-token-service.js';

const AK_ID = 'endings-ak-id';
const AK_SECRET = 'endings-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const URLS = Array.from({ length: 4 }, (_, i) => `https://www.example.com/ending/${i}`);
/** How long a run may take to end after what ends it (a limit, a deadline, a signal). */
const BOUND_MS = 3_000;
/** A document that stalls is tried three times at `request-timeout: 1`, with short pauses between. */
const STALLED_DOCUMENT_MS = 3 * 1_000 + 1_000;

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

/**
 * A web site on 127.0.0.1 whose handler decides per request; it counts requests by path. Closed when
 * the test that started it ends.
 */
async function site(
  onTestFinished: TestContext['onTestFinished'],
  handler: (req: IncomingMessage, res: ServerResponse) => void,
) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const SITEMAP_HEAD = '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">';
const sitemap = (urls: readonly string[]): string =>
  `${SITEMAP_HEAD}${urls.map((u) => `<url><loc>${u}</loc></url>`).join('')}</urlset>`;

/** Headers and the first bytes of a sitemap, then nothing. */
function stall(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.write(SITEMAP_HEAD);
}

/** A byte every 100 ms, for ever. */
function trickle(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.write(SITEMAP_HEAD);
  const timer = setInterval(() => res.write(' '), 100);
  res.on('close', () => clearInterval(timer));
}

/** It ended by itself, without the exit net, within `ms` of the start (or of its first signal). */
function expectEndedByItself(run: ActionRun | CliRun, ms: number): void {
  expect(run.killed, 'killed by the harness: it did not end by itself').toBe(false);
  expect(run.stdout + run.stderr).not.toMatch(EXIT_NET_WARNING);
  const from = run.signalledAtMs[0] ?? 0;
  expect(run.elapsedMs - from).toBeLessThan(ms);
}

/** Outputs, summary and report are all there, the report with every URL of `urls`. */
function expectEverythingWritten(run: ActionRun, urls: readonly string[]): void {
  expect(run.outputs['report']).toBeTruthy();
  expect(run.summary).toContain('## CDN prefetch');
  expect(run.report?.urls.map((u) => u.url).sort()).toEqual([...urls].sort());
  const counted = ['submitted-count', 'skipped-count', 'failed-count', 'planned-count'].map((n) =>
    Number(run.outputs[n]),
  );
  expect(counted.reduce((a, b) => a + b, 0)).toBe(urls.length);
}

function action(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  return runAction(inputs, { timeoutMs: 30_000, ...options, env: { ...env, ...options.env } });
}

describe('the action ends by itself', () => {
  it('after a success', async ({ emulator: em }) => {
    const run = await action({ endpoint: em.url, urls: URLS.join('\n') });
    expect(run.exitCode).toBe(0);
    expectEndedByItself(run, 10_000);
    expectEverythingWritten(run, URLS);
  });

  it('after a failure that stops the run (credentials refused)', async ({ emulator: em }) => {
    em.injectFaults({ kind: 'signature-mismatch', action: 'DescribeRefreshQuota' });
    const run = await action({ endpoint: em.url, urls: URLS.join('\n') });
    expect(run.exitCode).toBe(1);
    expectEndedByItself(run, 10_000);
    expectEverythingWritten(run, URLS);
    expect(
      run.report?.urls.every((u) => u.reason === 'not sent: the run stopped at SignatureDoesNotMatch'),
    ).toBe(true);
  });

  it.for([
    ['stalls after its headers', stall],
    ['trickles a byte at a time', trickle],
  ] as const)(
    'when a remote sitemap %s: it fails after three tries of request-timeout each',
    async ([, handler], { emulator: em, onTestFinished }) => {
      const web = await site(onTestFinished, handler);
      const run = await action({
        endpoint: em.url,
        sitemap: `${web.origin}/sitemap.xml`,
        urls: URLS[0] ?? '',
        'request-timeout': '1',
      });
      expect(run.exitCode).toBe(1);
      expect(run.log).toMatch(
        /::error::Cannot read sitemap: .*timed out while downloading \(limit 1 s per request\) \(3 attempts\)/,
      );
      expectEndedByItself(run, STALLED_DOCUMENT_MS + BOUND_MS);
    },
  );

  it('when the baseline stalls: a warning, nothing selected on a guess, the report is written', async ({
    emulator: em,
    onTestFinished,
  }) => {
    const web = await site(onTestFinished, (req, res) =>
      req.url === '/before.xml' ? stall(req, res) : res.end(sitemap(URLS)),
    );
    const run = await action({
      endpoint: em.url,
      sitemap: `${web.origin}/sitemap.xml`,
      'previous-sitemap': `${web.origin}/before.xml`,
      'request-timeout': '1',
    });
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatch(/::warning::previous-sitemap: the baseline cannot be read: .*timed out/);
    expect(run.outputs['submitted-count']).toBe('0');
    expect(run.outputs['report']).toBeTruthy();
    expectEndedByItself(run, STALLED_DOCUMENT_MS + BOUND_MS);
  });

  it('when a proxy never answers CONNECT: the report at the run timeout (and its grace), then the exit', async ({
    onTestFinished,
  }) => {
    const sockets = new Set<Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const proxy = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const run = await action(
      { endpoint: 'https://cdn.proxy-only.test', urls: URLS.join('\n'), timeout: '2' },
      { env: { HTTPS_PROXY: proxy } },
    );
    expect(run.exitCode).toBe(1);
    // The deadline at 2 s; the call in flight (the quota read, whose request-timeout of 30 s is far off)
    // gets 5 s more to answer, then is given up.
    expectEndedByItself(run, 2_000 + 5_000 + BOUND_MS);
    expectEverythingWritten(run, URLS);
    expect(sockets.size).toBeGreaterThan(0);
  });

  it('at the run timeout while the sitemap downloads: the urls entries fail, the sitemap is noted as not read', async ({
    emulator: em,
    onTestFinished,
  }) => {
    const web = await site(onTestFinished, stall);
    const run = await action({
      endpoint: em.url,
      sitemap: `${web.origin}/sitemap.xml`,
      urls: URLS.slice(0, 2).join('\n'),
      timeout: '2',
    });
    expect(run.exitCode).toBe(1);
    expectEndedByItself(run, 2_000 + BOUND_MS);
    expectEverythingWritten(run, URLS.slice(0, 2));
    expect(
      run.report?.urls.every((u) => u.reason === 'deadline: not sent before the run reached its timeout'),
    ).toBe(true);
    expect(run.report?.['sitemap']).toMatchObject({ notRead: 'the run reached its timeout first' });
    expect(run.summary).toContain('**Not read:** the run reached its timeout first');
    expect(em.calls).toEqual([]);
  });
});

describe('the action ends by itself when cancelled', () => {
  it.for(['SIGINT', 'SIGTERM'] as const)(
    'by %s while the sitemap downloads',
    async (signal, { emulator: em, onTestFinished }) => {
      const web = await site(onTestFinished, stall);
      const run = await action(
        { endpoint: em.url, sitemap: `${web.origin}/sitemap.xml`, urls: URLS.slice(0, 2).join('\n') },
        { signals: [{ signal, when: () => web.requests.length > 0 }] },
      );
      expect(run.exitCode).toBe(1);
      expectEndedByItself(run, BOUND_MS);
      expectEverythingWritten(run, URLS.slice(0, 2));
      expect(
        run.report?.urls.every((u) => u.reason === 'cancelled: not sent before the run was cancelled'),
      ).toBe(true);
      expect(run.report?.['sitemap']).toMatchObject({ notRead: 'the run was cancelled first' });
    },
  );

  it("by GitHub's cancel sequence while the quota read retries: done before the SIGTERM", async ({
    emulator: em,
  }) => {
    em.injectFaults({ kind: 'service-unavailable', action: 'DescribeRefreshQuota', times: 100 });
    const quotaReads = (): number => em.calls.filter((c) => c.action === 'DescribeRefreshQuota').length;
    const run = await action(
      { endpoint: em.url, urls: URLS.join('\n') },
      {
        signals: [
          { signal: 'SIGINT', when: () => quotaReads() >= 2 },
          { signal: 'SIGTERM', afterMs: 7_500 },
          { signal: 'SIGKILL', afterMs: 2_500 },
        ],
      },
    );
    expect(run.signalledAtMs, 'only the SIGINT was needed').toHaveLength(1);
    expect(run.exitCode).toBe(1);
    expectEndedByItself(run, BOUND_MS);
    expectEverythingWritten(run, URLS);
  });

  it('by SIGINT while the role is being assumed (STS does not answer)', async ({ start, onTestFinished }) => {
    const tokens = await startIdTokenService();
    onTestFinished(() => tokens.close());
    const em = await start({ credentials: {} });
    em.injectFaults({ kind: 'hang', action: 'AssumeRoleWithOIDC', times: 10 });
    const run = await action(
      {
        'role-arn': 'acs:ram::1234567890123456:role/github-cdn-prefetch',
        'oidc-provider-arn': 'acs:ram::1234567890123456:oidc-provider/github',
        endpoint: em.url,
        'sts-endpoint': em.url,
        urls: URLS.join('\n'),
      },
      {
        env: tokens.env,
        signals: [{ signal: 'SIGINT', when: () => em.calls.some((c) => c.action === 'AssumeRoleWithOIDC') }],
      },
    );
    expect(run.exitCode).toBe(1);
    expectEndedByItself(run, BOUND_MS);
    expectEverythingWritten(run, URLS);
  });

  it.for([
    [
      'refresh retries',
      { refresh: 'true' },
      { kind: 'service-unavailable', action: 'RefreshObjectCaches', times: 100 },
    ],
    ['submission retries', {}, { kind: 'service-unavailable', times: 100 }],
  ] as const)('by SIGINT while the %s', async ([, inputs, fault], { emulator: em }) => {
    em.injectFaults(fault);
    const run = await action(
      { endpoint: em.url, urls: URLS.join('\n'), 'daily-quota': '100', ...inputs },
      { signals: [{ signal: 'SIGINT', when: () => em.calls.filter((c) => c.fault).length >= 2 }] },
    );
    expect(run.exitCode).toBe(1);
    expectEndedByItself(run, BOUND_MS);
    expectEverythingWritten(run, URLS);
  });

  it('by SIGINT while waiting for the tasks', async ({ start }) => {
    const em = await start({ taskDurationMs: 600_000 });
    const run = await action(
      { endpoint: em.url, urls: URLS.join('\n'), 'daily-quota': '100', wait: 'true', 'poll-interval': '1' },
      {
        signals: [
          { signal: 'SIGINT', when: () => em.calls.some((c) => c.action === 'DescribeRefreshTaskById') },
        ],
      },
    );
    expect(run.exitCode).toBe(1);
    expectEndedByItself(run, BOUND_MS);
    expectEverythingWritten(run, URLS);
    expect(run.outputs['submitted-count']).toBe(String(URLS.length));
  });
});

describe('the CLI ends by itself', () => {
  const cli = (args: string[], options: RunOptions = {}): Promise<CliRun> =>
    runCliBundle(args, { timeoutMs: 30_000, ...options, env: { ...env, ...options.env } });

  it('after a success', async ({ emulator: em }) => {
    const run = await cli(['--endpoint', em.url, '--urls', URLS.join(' ')]);
    expect(run.exitCode).toBe(0);
    expectEndedByItself(run, 10_000);
  });

  it('when a remote sitemap stalls', async ({ emulator: em, onTestFinished }) => {
    const web = await site(onTestFinished, stall);
    const run = await cli([
      '--endpoint',
      em.url,
      '--sitemap',
      `${web.origin}/sitemap.xml`,
      '--request-timeout',
      '1',
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/timed out while downloading/);
    expectEndedByItself(run, STALLED_DOCUMENT_MS + BOUND_MS);
  });

  it.for(['SIGINT', 'SIGTERM'] as const)(
    'by %s while the sitemap downloads, with the report',
    async (signal, { emulator: em, onTestFinished }) => {
      const web = await site(onTestFinished, stall);
      const run = await cli(
        ['--endpoint', em.url, '--sitemap', `${web.origin}/sitemap.xml`, '--urls', URLS[0] ?? '', '--json'],
        { signals: [{ signal, when: () => web.requests.length > 0 }] },
      );
      expect(run.exitCode).toBe(signal === 'SIGINT' ? 130 : 143);
      expectEndedByItself(run, BOUND_MS);
      const report = JSON.parse(run.stdout) as {
        urls: { reason?: string }[];
        sitemap?: { notRead?: string };
      };
      expect(report.urls.map((u) => u.reason)).toEqual(['cancelled: not sent before the run was cancelled']);
      expect(report.sitemap?.notRead).toBe('the run was cancelled first');
    },
  );
});
