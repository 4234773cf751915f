/**
 * Cancellation of the bundled action, as the runner does it: SIGINT, then SIGTERM. The run stops
 * sending, yet still writes its outputs and report with every URL's fate.
 */
import { expect } from 'vitest';
import { type Emulator } from '../../emulator/index.js';
import { acceptedUrls, concurrentTest } from '../helpers/emulator.js';
import { EXIT_NET_WARNING, runAction, type ActionRun } from '../../emulator/harness.js';

const creds = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'test-ak-id',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'test-ak-secret',
};
const it = concurrentTest({ credentials: { 'test-ak-id': 'test-ak-secret' } });

/** Ended by itself, within 6 s of the first signal (4 s of grace for calls in flight, then the report). */
function expectEndedByItself(result: ActionRun): void {
  expect(result.killed).toBe(false);
  expect(result.log).not.toMatch(EXIT_NET_WARNING);
  expect(result.elapsedMs - (result.signalledAtMs[0] ?? 0)).toBeLessThan(6_000);
}

const pushCalls = (emulator: Emulator): number =>
  emulator.calls.filter((call) => call.action === 'PushObjectCache').length;
const urls = Array.from({ length: 30 }, (_, i) => `https://www.example.com/cancel/${i}`);
const slowly = { urls: urls.join('\n'), 'batch-size': '1', 'requests-per-second': '1' };

it.for(['SIGINT', 'SIGTERM'] as const)(
  'on %s, stops sending, reports every URL and fails the step',
  async (signal, { emulator }) => {
    const result = await runAction(
      { endpoint: emulator.url, ...slowly },
      { env: creds, signals: [{ signal, when: () => pushCalls(emulator) >= 2 }] },
    );
    expect(result.exitCode).toBe(1);
    expectEndedByItself(result);
    expect(result.log).toContain(`${signal}: cancelling`);
    const report = result.report?.urls ?? [];
    expect(report).toHaveLength(30);
    const submitted = report.filter((u) => u.status === 'submitted').map((u) => u.url);
    expect(submitted.sort()).toEqual(acceptedUrls(emulator));
    const cancelled = report.filter((u) => u.reason === 'cancelled: not sent before the run was cancelled');
    expect(submitted.length + cancelled.length).toBe(30);
    expect(cancelled.length).toBeGreaterThan(0);
    expect(Number(result.outputs['submitted-count']) + Number(result.outputs['failed-count'])).toBe(30);
  },
);

it('a second signal gives up the calls in flight at once, and the report is still written', async ({
  emulator,
}) => {
  // Every call hangs: only giving up the request ends it.
  emulator.injectFaults({ kind: 'hang', times: 100 });
  const result = await runAction(
    { endpoint: emulator.url, ...slowly, 'daily-quota': '100' },
    {
      env: creds,
      signals: [
        { signal: 'SIGINT', when: () => pushCalls(emulator) >= 1 },
        { signal: 'SIGTERM', when: (output) => output.includes('SIGINT: cancelling') },
      ],
    },
  );
  expect(result.log).toContain('SIGTERM again: giving up the calls in flight');
  expect(result.exitCode).toBe(1);
  expectEndedByItself(result);
  const report = result.report?.urls ?? [];
  expect(report).toHaveLength(30);
  expect(report.every((u) => u.status === 'failed')).toBe(true);
  expect(report.some((u) => u.reason?.startsWith('outcome unknown'))).toBe(true);
});
