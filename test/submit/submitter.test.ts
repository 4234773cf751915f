/**
 * The submitter against the emulator, with a short look-up window: a call whose outcome is unknown is
 * resent only when the look-ups show it was not accepted; what stays in doubt is reported as outcome
 * unknown; a run stopped while a call was being refused names the refusal.
 */
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { AlibabaClient } from '../../src/alibaba/client.js';
import { MemoryLogger } from '../helpers/logger.js';
import { packBatches } from '../../src/batch/pack.js';
import { createCallGate } from '../../src/runtime/gate.js';
import { DEFAULT_RETRY_POLICY } from '../../src/runtime/retry.js';
import { RunStop } from '../../src/runtime/stop.js';
import { readPreloadRemain } from '../../src/submit/quota.js';
import { submitBatches, type SubmitOptions } from '../../src/submit/submitter.js';
import type { Candidate } from '../../src/urls/prepare.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { emulatorClient, emulatorPerTest } from '../helpers/emulator.js';

const emulator = emulatorPerTest();
let stop: RunStop | undefined;
afterEach(() => {
  stop?.dispose();
  stop = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<{ emu: Emulator; client: AlibabaClient }> {
  const emu = await emulator.start(options);
  stop = new RunStop();
  const client = emulatorClient(emu.url, {
    timeoutMs: 2_000,
    gate: createCallGate(50),
    signal: stop.requestSignal,
    stopSending: stop.sendSignal,
  });
  return { emu, client };
}

const candidates = (count: number): Candidate[] =>
  Array.from({ length: count }, (_, i) => ({
    url: `https://www.example.com/s/${i}`,
    host: 'www.example.com',
    source: `urls: line ${i + 1}`,
    order: i,
  }));

function options(items: Candidate[], extra: Partial<SubmitOptions> = {}): SubmitOptions {
  return {
    batches: packBatches(items, 10).batches,
    batchSize: 10,
    push: {},
    concurrency: 2,
    retryPolicy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 20, maxDelayMs: 100 },
    lookup: { windowMs: 1_200, firstPauseMs: 200 },
    rereadQuota: () => Promise.resolve(undefined),
    ...(stop ? { stop } : {}),
    ...extra,
  };
}

const accepted = (e: Emulator) => e.acceptedPrefetches().map((a) => a.url);
const pushes = (e: Emulator) => e.calls.filter((c) => c.action === 'PushObjectCache').length;

describe('a call whose outcome is unknown', () => {
  it('is resent once the look-ups over the window show it was not accepted', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'html-502', nth: 1 });
    const result = await submitBatches(client, new MemoryLogger(), options(candidates(20)));
    expect(result.outcomes.every((o) => o.status === 'submitted')).toBe(true);
    expect(accepted(emu).sort()).toEqual(
      candidates(20)
        .map((c) => c.url)
        .sort(),
    );
    expect(pushes(emu)).toBe(3);
  });

  it('is not resent when it reaches the CDN during the window', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'late-accept', nth: 1, delayMs: 500 });
    const result = await submitBatches(client, new MemoryLogger(), options(candidates(10)));
    expect(accepted(emu)).toHaveLength(10);
    expect(pushes(emu)).toBe(1);
    expect(result.confirmedByLookup).toBe(10);
  });

  it('is reported outcome unknown, apart from refusals, when the look-ups cannot settle it', async () => {
    const { emu, client } = await start({ denyActions: ['DescribeRefreshTasks'] });
    emu.injectFaults({ kind: 'reset-after', nth: 1 }, { kind: 'service-busy', nth: 2, times: 20 });
    const logger = new MemoryLogger();
    const result = await submitBatches(
      client,
      logger,
      options(candidates(20), { retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, baseDelayMs: 10 } }),
    );
    const unknown = result.outcomes.filter((o) => o.outcomeUnknown);
    expect(unknown).toHaveLength(10);
    expect(unknown.every((o) => o.status === 'failed' && o.reason?.startsWith('outcome unknown: '))).toBe(
      true,
    );
    expect(unknown[0]?.code).toBe('Forbidden.RAM');
    const refused = result.outcomes.filter((o) => o.status === 'failed' && !o.outcomeUnknown);
    expect(refused.map((o) => o.code)).toEqual(Array(10).fill('ServiceBusy'));
    expect(accepted(emu)).toHaveLength(10);
    expect(logger.messages('warning').some((m) => m.includes('10 URLs: outcome unknown'))).toBe(true);
  });

  it('is reported outcome unknown when the run stops during the look-ups', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'reset-before', nth: 1 });
    setTimeout(() => stop?.stop('deadline', 0), 400);
    const result = await submitBatches(
      client,
      new MemoryLogger(),
      options(candidates(10), { lookup: { windowMs: 30_000, firstPauseMs: 1_000 } }),
    );
    expect(result.outcomes).toHaveLength(10);
    expect(result.outcomes.every((o) => o.outcomeUnknown)).toBe(true);
    expect(result.outcomes[0]?.reason).toMatch(/the run stopped before the look-ups were done/);
    expect(pushes(emu)).toBe(1);
  });
});

describe('a run stopped while its calls are refused', () => {
  it('names the last refusal, not "not sent"', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'queue-full', times: 1000 });
    // Stopped in a pause between tries, never with a call in flight (that one's outcome is unknown):
    // 50 ms after the third refusal, in a pause of 200-400 ms; one batch, so no other call is under way.
    const watch = setInterval(() => {
      if (pushes(emu) < 3) return;
      clearInterval(watch);
      setTimeout(() => stop?.stop('deadline', 0), 50);
    }, 5);
    onTestFinished(() => clearInterval(watch));
    const result = await submitBatches(
      client,
      new MemoryLogger(),
      options(candidates(20), {
        batches: packBatches(candidates(20), 20).batches,
        batchSize: 20,
        retryPolicy: { ...DEFAULT_RETRY_POLICY, queueFullBaseDelayMs: 400, queueFullMaxDelayMs: 400 },
      }),
    );
    expect(pushes(emu)).toBe(3);
    expect(result.outcomes).toHaveLength(20);
    for (const outcome of result.outcomes) {
      expect(outcome).toMatchObject({
        status: 'failed',
        reason: "deadline: refused with PreloadQueueFull until the run's timeout",
        code: 'PreloadQueueFull',
      });
    }
  });

  it('says "not sent" for batches never sent', async () => {
    const { emu, client } = await start({ latencyMs: 300 });
    setTimeout(() => stop?.stop('cancelled', 5_000), 100);
    const result = await submitBatches(
      client,
      new MemoryLogger(),
      options(candidates(50), { concurrency: 1 }),
    );
    expect(pushes(emu)).toBe(1);
    expect(result.outcomes.filter((o) => o.status === 'submitted')).toHaveLength(10);
    expect(
      result.outcomes.filter((o) => o.reason === 'cancelled: not sent before the run was cancelled'),
    ).toHaveLength(40);
  });
});

describe('readPreloadRemain', () => {
  it.each([['-5'], ['abc'], ['Infinity'], [''], ['10.7'], ['1e3'], [null]])(
    'PreloadRemain %j: a warning, and no cap',
    async (answer) => {
      const { client } = await start({ quotaAnswers: { PreloadRemain: answer } });
      const logger = new MemoryLogger();
      expect(await readPreloadRemain(client, logger, DEFAULT_RETRY_POLICY)).toBeUndefined();
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(
          /^daily-quota: DescribeRefreshQuota answered PreloadRemain .*not a whole number/,
        ),
      ]);
    },
  );

  it.each([
    ['0', 0],
    ['731', 731],
    [' 12 ', 12],
  ])('PreloadRemain %j is %i', async (answer, value) => {
    const { client } = await start({ quotaAnswers: { PreloadRemain: answer } });
    const logger = new MemoryLogger();
    expect(await readPreloadRemain(client, logger, DEFAULT_RETRY_POLICY)).toBe(value);
    expect(logger.messages('warning')).toEqual([]);
  });
});
