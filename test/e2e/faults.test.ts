/**
 * The fault matrix: every fault kind the emulator can inject, at the first, a middle and the last
 * call, with several calls in flight, through the bundled action. The invariants are checked on every
 * run: no URL accepted twice, every URL in the report exactly once, counts that add up, the exit code
 * per fail-on, and no secret anywhere.
 */
import { describe, expect } from 'vitest';
import { CALL_FAULT_KINDS, type Emulator } from '../../emulator/index.js';
import { concurrentTest } from '../helpers/emulator.js';
import { EXIT_NET_WARNING, runAction, type ActionRun, type RunOptions } from '../../emulator/harness.js';

const AK_ID = 'matrix-ak-id';
const AK_SECRET = 'matrix-secret-7f3a9c';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET }, preloadQuota: 10_000 });

const URLS = Array.from({ length: 100 }, (_, i) => `https://www.example.com/m/${i}`);

function run(em: Emulator, inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  return runAction(
    { endpoint: em.url, urls: URLS.join('\n'), 'batch-size': '10', 'request-timeout': '2', ...inputs },
    { env: { ...env, ...options.env }, ...options },
  );
}

/** The invariants every run must keep, whatever went wrong. */
function checkInvariants(em: Emulator, result: ActionRun, urls: readonly string[] = URLS): void {
  const accepted = em.acceptedPrefetches().map((a) => a.url);
  expect(new Set(accepted).size, 'a URL was accepted twice').toBe(accepted.length);

  const reported = result.report?.urls.map((u) => u.url) ?? [];
  expect([...reported].sort(), 'every URL in the report exactly once').toEqual([...urls].sort());

  const counts = ['submitted-count', 'skipped-count', 'failed-count', 'planned-count'].map((name) =>
    Number(result.outputs[name]),
  );
  expect(
    counts.reduce((a, b) => a + b, 0),
    'counts add up',
  ).toBe(urls.length);

  // Nothing accepted is missing from the report (it is submitted, or failed with its outcome
  // honestly unknown), and nothing reported as submitted was refused.
  const submitted = new Set(result.report?.urls.filter((u) => u.status === 'submitted').map((u) => u.url));
  const unknown = new Set(
    result.report?.urls.filter((u) => u.reason?.startsWith('outcome unknown')).map((u) => u.url),
  );
  // The report marks exactly those, and counts them apart from refusals.
  const marked = result.report?.urls.filter((u) => u.outcomeUnknown === true).map((u) => u.url) ?? [];
  expect(new Set(marked)).toEqual(unknown);
  expect(result.report?.['outcomeUnknown']).toBe(unknown.size);
  for (const url of accepted) {
    expect(submitted.has(url) || unknown.has(url), `${url} accepted but not reported`).toBe(true);
  }
  for (const url of submitted) expect(accepted.includes(url), `${url} reported but not accepted`).toBe(true);

  const failed = Number(result.outputs['failed-count']);
  expect(result.exitCode).toBe(failed > 0 ? 1 : 0);

  const visible = [
    result.log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    JSON.stringify(result.outputs),
    result.summary,
    JSON.stringify(result.report),
  ].join('\n');
  expect(visible).not.toContain(AK_SECRET);

  // It ended by itself: never killed, and the exit net never had to step in.
  expect(result.killed).toBe(false);
  expect(result.log).not.toMatch(EXIT_NET_WARNING);
}

const KINDS = CALL_FAULT_KINDS;
const ACCEPTED_ANSWER_LOST: readonly string[] = [
  'reset-after',
  'garbage-200',
  'html-504-after',
  'json-500-after',
  'late-accept',
];
const POSITIONS = [
  ['first', 1],
  ['middle', 5],
  ['last', 10],
] as const;

describe('fault matrix', () => {
  for (const kind of KINDS) {
    for (const [where, nth] of POSITIONS) {
      it(`${kind} at the ${where} call: every URL submitted once`, async ({ start }) => {
        const em = await start({ latencyMs: 30 });
        em.injectFaults({ kind, nth, retryAfterMs: 100, delayMs: 1500 });
        const result = await run(em, {});
        checkInvariants(em, result);
        expect(result.outputs['submitted-count']).toBe('100');
        const pushes = em.calls.filter((c) => c.action === 'PushObjectCache');
        expect(pushes.filter((c) => c.fault === kind)).toHaveLength(1);
        // Several calls were in flight at once.
        const overlapping = pushes.some((a) =>
          pushes.some(
            (b) => a !== b && b.arrivedAt >= a.arrivedAt && b.arrivedAt < (a.answeredAt ?? Infinity),
          ),
        );
        expect(overlapping).toBe(true);
        if (ACCEPTED_ANSWER_LOST.includes(kind)) {
          // Accepted, answer lost (or the call arrived late): found by look-up, never resent.
          expect(result.outputs['confirmed-count']).toBe('10');
          expect(em.calls.some((c) => c.action === 'DescribeRefreshTasks')).toBe(true);
          expect(result.report?.urls.filter((u) => u.confirmedByLookup)).toHaveLength(10);
        }
        if (kind === 'empty-task-id') {
          expect(result.report?.urls.every((u) => u.taskId !== undefined && u.taskId !== '')).toBe(true);
        }
      });
    }
  }

  it('a fault on every call of a run keeps the invariants', async ({ start }) => {
    const em = await start({ latencyMs: 10 });
    em.injectFaults(
      { kind: 'reset-after', nth: 1 },
      { kind: 'throttling', nth: 2, retryAfterMs: 50 },
      { kind: 'hang', nth: 3 },
      { kind: 'garbage-200', nth: 4 },
      { kind: 'html-502', nth: 5 },
      { kind: 'queue-full', nth: 6 },
      { kind: 'xml-error', nth: 7 },
      { kind: 'empty-200', nth: 8 },
      { kind: 'reset-before', nth: 9 },
      { kind: 'empty-task-id', nth: 10 },
    );
    const result = await run(em, {});
    checkInvariants(em, result);
    expect(result.outputs['submitted-count']).toBe('100');
  });

  it('when the look-up fails too, the batch is reported failed and never resent', async ({ start }) => {
    const em = await start();
    em.injectFaults(
      { kind: 'reset-after', nth: 1 },
      { kind: 'internal-error', action: 'DescribeRefreshTasks', times: 50 },
    );
    const result = await run(em, { urls: URLS.slice(0, 10).join('\n') });
    checkInvariants(em, result, URLS.slice(0, 10));
    expect(result.exitCode).toBe(1);
    expect(result.report?.urls[0]?.reason).toMatch(/^outcome unknown: .*not sent again/);
    expect(em.calls.filter((c) => c.action === 'PushObjectCache')).toHaveLength(1);
  }, 120_000);
});

describe('deadlines and cancellation', () => {
  it('at the run timeout, stops sending, fails the rest with reason deadline, and writes everything', async ({
    start,
  }) => {
    const em = await start({ latencyMs: 400 });
    const result = await run(em, { 'requests-per-second': '1', timeout: '2' });
    checkInvariants(em, result);
    const deadline = result.report?.urls.filter((u) => u.reason?.startsWith('deadline:')) ?? [];
    expect(deadline.length).toBeGreaterThan(0);
    expect(Number(result.outputs['submitted-count'])).toBeGreaterThan(0);
    expect(result.report?.['stopped']).toBe('deadline');
    expect(result.summary).toContain('reached its timeout');
  });

  it('a call that hangs is given up after request-timeout, looked up, and resent once', async ({ start }) => {
    const em = await start();
    em.injectFaults({ kind: 'hang', nth: 1 });
    const started = Date.now();
    const result = await run(em, { urls: URLS.slice(0, 10).join('\n'), 'request-timeout': '1' });
    checkInvariants(em, result, URLS.slice(0, 10));
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(em.calls.filter((c) => c.action === 'PushObjectCache')).toHaveLength(2);
  });

  it.for(['SIGINT', 'SIGTERM'] as const)(
    'on %s, stops sending, lets calls in flight settle, and reports everything that was accepted',
    async (signal, { start }) => {
      const em = await start({ latencyMs: 300 });
      // Once a call has been answered: something is accepted, and the rest is still to send.
      const answered = () =>
        em.calls.some((c) => c.action === 'PushObjectCache' && c.answeredAt !== undefined);
      const result = await run(em, { 'requests-per-second': '2' }, { signals: [{ signal, when: answered }] });
      checkInvariants(em, result);
      expect(result.exitCode).toBe(1);
      expect(result.log).toContain(`${signal}: cancelling`);
      expect(result.report?.['stopped']).toBe('cancelled');
      const submitted = Number(result.outputs['submitted-count']);
      expect(submitted).toBeGreaterThan(0);
      expect(submitted).toBeLessThan(100);
    },
  );
});

describe('credentials that expire mid-run', () => {
  it('stop the run with a clear message, without looping on InvalidSecurityToken.Expired', async ({
    start,
  }) => {
    const em = await start({ latencyMs: 200 });
    const sts = em.issueStsCredentials({ expiresInMs: 1200 });
    const result = await run(
      em,
      { 'requests-per-second': '2', 'daily-quota': '1000' },
      {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: sts.securityToken,
        },
      },
    );
    const expired = em.calls.filter((c) => c.code === 'InvalidSecurityToken.Expired');
    expect(expired.length).toBeGreaterThan(0);
    expect(expired.length).toBeLessThanOrEqual(2);
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/::error::.*InvalidSecurityToken\.Expired.*security-token/);
    const accepted = em.acceptedPrefetches().map((a) => a.url);
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(result.report?.urls).toHaveLength(100);
    for (const secret of [sts.accessKeySecret, sts.securityToken]) {
      expect(result.summary + JSON.stringify(result.report)).not.toContain(secret);
    }
  });
});
