/**
 * The bundled action (dist/index.js) run as the runner runs it, against the emulator.
 */
import { describe, expect } from 'vitest';
import { type Emulator } from '../../emulator/index.js';
import { acceptedUrls, concurrentTest } from '../helpers/emulator.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';

const AK_ID = 'test-ak-id';
const AK_SECRET = 'test-ak-secret';
const creds = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

function urlsOn(host: string, count: number, prefix = 'p'): string[] {
  return Array.from({ length: count }, (_, i) => `https://${host}/${prefix}/${i}.html`);
}

function pushCalls(em: Emulator) {
  return em.calls.filter((call) => call.action === 'PushObjectCache');
}

function run(
  emulator: Emulator,
  inputs: Record<string, string>,
  env: Record<string, string> = creds,
): Promise<ActionRun> {
  return runAction({ endpoint: emulator.url, ...inputs }, { env });
}

function expectCountsAddUp(result: ActionRun, distinct: number): void {
  const { outputs } = result;
  const sum = ['submitted-count', 'skipped-count', 'failed-count', 'planned-count'].reduce(
    (total, name) => total + Number(outputs[name]),
    0,
  );
  expect(sum).toBe(distinct);
  expect(result.report?.urls).toHaveLength(distinct);
}

describe('the log of a run on the runtime the runners use', () => {
  it('has no deprecation warning of the bundled dependencies (Node 24 warns of url.parse and punycode)', async ({
    emulator,
  }) => {
    // Through node-fetch (the API calls, the verify requests) and its URL library, as every run goes.
    const result = await run(emulator, {
      urls: urlsOn('www.example.com', 2).join('\n'),
      wait: 'true',
      'poll-interval': '1',
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(acceptedUrls(emulator)).toHaveLength(2);
    expect(result.log).not.toMatch(/DeprecationWarning|DEP0040|DEP0169/);
  });
});

describe('a URL list', () => {
  it.for(['v3', 'v1'])(
    'is sent in signed batches (%s) and its task IDs come out in input order',
    async (signatureVersion, { emulator }) => {
      const urls = [...urlsOn('www.example.com', 150), ...urlsOn('static.example.com', 30)];
      const result = await run(emulator, { urls: urls.join('\n'), 'signature-version': signatureVersion });

      expect(result.exitCode).toBe(0);
      const calls = pushCalls(emulator);
      expect(calls.map((c) => c.urls.length)).toEqual([100, 50, 30]);
      expect(calls.every((c) => c.code === undefined && c.signatureVersion === signatureVersion)).toBe(true);
      expect(calls.every((c) => new Set(c.urls.map((u) => new URL(u).host)).size === 1)).toBe(true);
      expect(acceptedUrls(emulator)).toEqual([...urls].sort());
      expect(result.outputs['submitted-count']).toBe('180');
      expect(result.outputs['failed-count']).toBe('0');
      // Task IDs: distinct, earliest URL's task first (the emulator merges same-second tasks per domain).
      const expectedIds: string[] = [];
      for (const accepted of emulator.acceptedPrefetches()) {
        for (const id of accepted.taskId.split(',')) if (!expectedIds.includes(id)) expectedIds.push(id);
      }
      const reportIds = result.report?.urls.flatMap((u) => (u.taskId ?? '').split(',')) ?? [];
      expect(result.outputs['task-ids']?.split(',')).toEqual([...new Set(reportIds)]);
      expect(new Set(result.outputs['task-ids']?.split(','))).toEqual(new Set(expectedIds));
      expect(result.outputs['request-ids']?.split(',')).toHaveLength(3);
      expectCountsAddUp(result, 180);
    },
  );

  it('normalizes before dedup, sends each distinct URL once, and fails bad entries alone', async ({
    emulator,
  }) => {
    const result = await run(emulator, {
      urls: [
        '# the home page',
        'https://www.example.com/',
        'HTTPS://WWW.EXAMPLE.COM:443/#top',
        '/blog/new-post/',
        'www.example.com/blog/new-post/',
        '',
        'ftp://x',
        'https://www.example.com/über uns',
        'https://www.example.com/%e5%95%86',
        'https://www.example.com/%E5%95%86',
        'javascript:alert(1)',
        `https://www.example.com/${'a'.repeat(1100)}`,
      ].join('\n'),
      'base-url': 'https://www.example.com',
    });

    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual([
      'https://www.example.com/',
      'https://www.example.com/blog/new-post/',
      'https://www.example.com/%C3%BCber%20uns',
      'https://www.example.com/%E5%95%86',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['submitted-count']).toBe('4');
    expect(result.outputs['failed-count']).toBe('3');
    const failed = result.report?.urls.filter((u) => u.status === 'failed').map((u) => u.reason);
    expect(failed).toEqual([
      'urls: line 7 "ftp://x" is not an http(s) URL',
      'urls: line 11 "javascript:alert(1)" is not an http(s) URL',
      expect.stringMatching(
        /^urls: line 12 ".*" is 1124 characters once encoded; the CDN accepts at most 1024$/,
      ),
    ]);
    expect(result.log).toContain('::error::3 of 7 URLs failed');
    expectCountsAddUp(result, 7);
  });

  it('with fail-on: never, bad entries do not fail the step', async ({ emulator }) => {
    const result = await run(emulator, {
      urls: 'https://www.example.com/\nmailto:a@b.c',
      'fail-on': 'never',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['failed-count']).toBe('1');
  });

  it('reads urls-file relative to the workspace, and fails clearly when it is missing', async ({
    emulator,
  }) => {
    const list = `${urlsOn('www.example.com', 3).join('\r\n')}\r\n`;
    const ok = await runAction(
      { endpoint: emulator.url, 'urls-file': 'list.txt' },
      { env: creds, files: { 'list.txt': `\uFEFF${list}` } },
    );
    expect(ok.exitCode).toBe(0);
    expect(ok.outputs['submitted-count']).toBe('3');

    const missing = await run(emulator, { 'urls-file': 'nope.txt' });
    expect(missing.exitCode).toBe(1);
    expect(missing.log).toContain(
      `urls-file: cannot read "nope.txt" (no such file; the path resolves to ${missing.workspace}/nope.txt)`,
    );
  });

  it('warns and succeeds with zero counts when there is nothing to send', async ({ emulator }) => {
    const result = await run(emulator, { urls: '\n# nothing today\n' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('::warning::No URLs to prefetch');
    expect(result.outputs['submitted-count']).toBe('0');
    expect(result.outputs['task-ids']).toBe('');
    expect(emulator.calls).toHaveLength(0);
  });

  it('skips hosts outside the domains allow-list without failing', async ({ emulator }) => {
    const result = await run(emulator, {
      urls: 'https://www.example.com/x\nhttps://example.com/y\nhttps://evil.test/z\nhttps://cdn.example.com/w',
      domains: '*.example.com',
      'fail-on': 'skipped',
    });
    expect(result.exitCode).toBe(0);
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual([
      'https://www.example.com/x',
      'https://cdn.example.com/w',
    ]);
    const skipped = result.report?.urls.filter((u) => u.status === 'skipped').map((u) => u.url);
    expect(skipped).toEqual(['https://example.com/y', 'https://evil.test/z']);
  });

  it('passes Area, L2Preload, WithHeader and QueryHashkey through, and omits them when empty', async ({
    emulator,
  }) => {
    await run(emulator, {
      urls: 'https://www.example.com/a',
      area: 'overseas',
      'l2-preload': 'true',
      'with-header': '{"Accept-Encoding":["gzip","br"]}',
      'query-hashkey': 'false',
    });
    await run(emulator, { urls: 'https://www.example.com/b' });
    const [withOptions, plain] = pushCalls(emulator);
    expect(withOptions?.params).toMatchObject({
      Area: 'overseas',
      L2Preload: 'true',
      WithHeader: '{"Accept-Encoding":["gzip","br"]}',
      QueryHashkey: 'false',
    });
    expect(Object.keys(plain?.params ?? {})).not.toContain('Area');
    expect(Object.keys(plain?.params ?? {})).not.toContain('WithHeader');
  });

  it('rejects a configuration error before sending anything', async ({ emulator }) => {
    const result = await run(emulator, { urls: 'https://www.example.com/', 'requests-per-second': '80' });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('requests-per-second: "80" must be a whole number from 1 to 50');
    expect(emulator.calls).toHaveLength(0);
  });
});

describe('the quota', () => {
  it('is read with DescribeRefreshQuota and spent exactly, in input order', async ({ start }) => {
    const emulator = await start({ preloadQuota: 130 });
    const urls = [...urlsOn('www.example.com', 120), ...urlsOn('static.example.com', 40)];
    const result = await run(emulator, { urls: urls.join('\n') });
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual(urls.slice(0, 130));
    expect(result.outputs['skipped-count']).toBe('30');
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(
      /::warning::30 URLs skipped: the daily prefetch quota had 130 URLs left at the start\./,
    );
    const skipped = result.report?.urls.filter((u) => u.status === 'skipped');
    expect(skipped?.map((u) => u.url)).toEqual(urls.slice(130));
    expect(skipped?.[0]?.reason).toMatch(/^quota: /);
    expectCountsAddUp(result, 160);
  });

  it('fails the step on quota skips with fail-on: skipped', async ({ start }) => {
    const emulator = await start({ preloadQuota: 2 });
    const result = await run(emulator, {
      urls: urlsOn('www.example.com', 3).join('\n'),
      'fail-on': 'skipped',
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('1 URL was skipped for lack of quota');
  });

  it('after a QuotaExceeded refusal, re-reads the remainder and fills it', async ({ start }) => {
    const emulator = await start({ preloadQuota: 150 });
    const urls = urlsOn('www.example.com', 250);
    // A number caps the run without reading the quota, so the server's refusal is what stops it.
    const result = await run(emulator, {
      urls: urls.join('\n'),
      'daily-quota': '1000',
      'requests-per-second': '1',
    });
    expect(pushCalls(emulator).some((c) => c.code === 'QuotaExceeded.Preload')).toBe(true);
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual(urls.slice(0, 150));
    expect(result.outputs['submitted-count']).toBe('150');
    expect(result.outputs['skipped-count']).toBe('100');
    expectCountsAddUp(result, 250);
  });

  it('goes on without a cap, with a warning, when DescribeRefreshQuota is not permitted', async ({
    start,
  }) => {
    const emulator = await start({ denyActions: ['DescribeRefreshQuota'] });
    const result = await run(emulator, { urls: urlsOn('www.example.com', 5).join('\n') });
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::warning::daily-quota: cannot read the prefetch quota \(Forbidden\.RAM\)/);
    expect(result.outputs['submitted-count']).toBe('5');
  });
});

describe('errors', () => {
  it.for([
    ['throttling', { kind: 'throttling', retryAfterMs: 50 }],
    ['5xx', { kind: 'service-unavailable' }],
    ['internal error', { kind: 'internal-error' }],
    ['queue full', { kind: 'queue-full' }],
    ['a dropped connection', { kind: 'reset-before' }],
    ['an HTML 502 page', { kind: 'html-502' }],
    ['an XML error body', { kind: 'xml-error' }],
  ] as const)('retries %s, signed afresh, and gets through', async ([, fault], { emulator }) => {
    emulator.injectFaults({ ...fault, nth: 2, times: 2 });
    const urls = urlsOn('www.example.com', 300);
    // A dropped connection or a gateway page may hide an accepted call: it is looked up over a window
    // as long as request-timeout (at least 5 s) before it is sent again; keep that window short here.
    const result = await run(emulator, {
      urls: urls.join('\n'),
      'requests-per-second': '2',
      'request-timeout': '2',
    });
    expect(result.exitCode).toBe(0);
    expect(acceptedUrls(emulator)).toEqual([...urls].sort());
    const calls = pushCalls(emulator);
    expect(calls.filter((c) => c.fault !== undefined)).toHaveLength(2);
    expect(calls.filter((c) => c.accepted)).toHaveLength(3);
    // The emulator refuses a reused nonce or a stale time, so a retry that was not signed afresh fails here.
    expect(
      calls.filter((c) => c.code === 'SignatureNonceUsed' || c.code === 'SignatureDoesNotMatch'),
    ).toEqual([]);
  });

  it('stops at once on a signature error, says what to check, and never prints the secret', async ({
    emulator,
  }) => {
    const wrongSecret = 'wrong-secret-value-123';
    const result = await run(
      emulator,
      {
        urls: [...urlsOn('www.example.com', 250), ...urlsOn('cdn.example.com', 50)].join('\n'),
        'daily-quota': '1000',
      },
      { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrongSecret },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/::error::PushObjectCache: SignatureDoesNotMatch.*Check access-key-secret/);
    expect(pushCalls(emulator).length).toBeLessThanOrEqual(4);
    expect(result.log).toContain(`::add-mask::${wrongSecret}`);
    const everything = [
      result.log.replace(`::add-mask::${wrongSecret}`, ''),
      JSON.stringify(result.outputs),
      result.summary,
      JSON.stringify(result.report),
    ].join('\n');
    expect(everything).not.toContain(wrongSecret);
    expectCountsAddUp(result, 300);
  });

  it('splits a batch refused for one URL until that URL is alone, and sends the others', async ({
    start,
  }) => {
    const emulator = await start({
      refuseUrls: (url) => (url.includes('|') ? 'raw "|" in the path' : undefined),
    });
    const urls = urlsOn('www.example.com', 100);
    urls[37] = 'https://www.example.com/p/a|b.html';
    const result = await run(emulator, { urls: urls.join('\n') });
    expect(result.exitCode).toBe(1);
    const accepted = emulator.acceptedPrefetches().map((a) => a.url);
    expect(accepted.sort()).toEqual(urls.filter((_, i) => i !== 37).sort());
    const failed = result.report?.urls.filter((u) => u.status === 'failed');
    expect(failed).toEqual([expect.objectContaining({ url: urls[37], code: 'InvalidObjectPath.Malformed' })]);
    // Halving 100 URLs isolates one in at most 7 levels: 1 + 2 per level.
    expect(pushCalls(emulator).length).toBeLessThanOrEqual(15);
    expectCountsAddUp(result, 100);
  });

  it('fails a host that is not an accelerated domain, and carries on with the others', async ({ start }) => {
    const emulator = await start({
      domains: { 'www.example.com': 'online', 'old.example.com': 'offline' },
    });
    const urls = [
      ...urlsOn('unknown.example.com', 150),
      ...urlsOn('www.example.com', 20),
      ...urlsOn('old.example.com', 5),
    ];
    const result = await run(emulator, { urls: urls.join('\n'), 'requests-per-second': '1' });
    expect(result.exitCode).toBe(1);
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual(urlsOn('www.example.com', 20));
    // The second batch of the unknown host is failed without a call.
    expect(pushCalls(emulator).filter((c) => c.code === 'InvalidDomain.NotFound')).toHaveLength(1);
    const codes = new Set(result.report?.urls.filter((u) => u.status === 'failed').map((u) => u.code));
    expect(codes).toEqual(new Set(['InvalidDomain.NotFound', 'InvalidDomain.Offline']));
    expectCountsAddUp(result, 175);
  });
});

describe('pipelining under the rate limit', () => {
  it('sends 120 calls with several in flight and none throttled', async ({ start }) => {
    const emulator = await start({ preloadQuota: 20_000, latencyMs: 40 });
    const urls = Array.from({ length: 120 }, (_, i) => urlsOn(`www.example.com`, 100, `b${i}`)).flat();
    const result = await runAction(
      { endpoint: emulator.url, 'urls-file': 'urls.txt' },
      { env: creds, files: { 'urls.txt': urls.join('\n') } },
    );
    expect(result.exitCode).toBe(0);
    const calls = pushCalls(emulator);
    expect(calls).toHaveLength(120);
    expect(calls.filter((c) => c.code !== undefined)).toEqual([]);
    const maxInFlight = Math.max(
      ...calls.map(
        (c) =>
          calls.filter((o) => o.arrivedAt <= c.arrivedAt && (o.answeredAt ?? Infinity) > c.arrivedAt).length,
      ),
    );
    expect(maxInFlight).toBeGreaterThan(1);
  });
});

describe('dry-run', () => {
  it('plans without credentials and sends nothing', async ({ emulator }) => {
    const result = await run(
      emulator,
      { urls: urlsOn('www.example.com', 3).join('\n'), 'dry-run': 'true' },
      {},
    );
    expect(result.exitCode).toBe(0);
    expect(emulator.calls).toHaveLength(0);
    expect(result.outputs['submitted-count']).toBe('0');
    expect(result.outputs['planned-count']).toBe('3');
    expect(result.report?.urls.every((u) => u.status === 'planned')).toBe(true);
    expect(result.log).toContain('the daily prefetch quota was not read');
  });

  it('with credentials, reads the quota but changes nothing', async ({ start }) => {
    const emulator = await start({ preloadQuota: 2 });
    const result = await run(emulator, { urls: urlsOn('www.example.com', 3).join('\n'), 'dry-run': 'true' });
    expect(emulator.calls.map((c) => c.action)).toEqual(['DescribeRefreshQuota']);
    expect(result.outputs['planned-count']).toBe('2');
    expect(result.outputs['skipped-count']).toBe('1');
    expect(result.summary).toContain('(dry run)');
  });
});

describe('secrets', () => {
  it('masks every credential and keeps it out of outputs, summary and report', async ({ emulator }) => {
    const sts = emulator.issueStsCredentials();
    const result = await run(
      emulator,
      { urls: 'https://www.example.com/\nftp://bad', 'security-token': sts.securityToken },
      { ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret },
    );
    expect(result.outputs['submitted-count']).toBe('1');
    for (const secret of [sts.accessKeyId, sts.accessKeySecret, sts.securityToken]) {
      expect(result.log).toContain(`::add-mask::${secret}`);
      const rest = result.log
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      expect(rest).not.toContain(secret);
      expect(JSON.stringify(result.outputs)).not.toContain(secret);
      expect(result.summary).not.toContain(secret);
      expect(JSON.stringify(result.report)).not.toContain(secret);
    }
  });
});
