/**
 * The look-up after a call whose outcome is unknown: several look-ups over a bounded window, only
 * tasks created after the send (by the CDN's clock) count, and what cannot be settled is in doubt.
 */
import { describe, expect, it } from 'vitest';
import { AlibabaClient } from '../../src/alibaba/client.js';
import { pushObjectCache, refreshObjectCaches } from '../../src/alibaba/operations.js';
import { createCallGate } from '../../src/runtime/gate.js';
import { DEFAULT_RETRY_POLICY } from '../../src/runtime/retry.js';
import {
  earliestCreation,
  lookUpCall,
  lookupPolicy,
  lookupTimes,
  type LookupPolicy,
  type SentCall,
} from '../../src/submit/confirm.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { emulatorClient, emulatorPerTest } from '../helpers/emulator.js';

const emulator = emulatorPerTest();

async function start(options: EmulatorOptions = {}): Promise<{ emu: Emulator; client: AlibabaClient }> {
  const emu = await emulator.start(options);
  // The run's gate: look-ups within DescribeRefreshTasks' 5 calls a second.
  return { emu, client: emulatorClient(emu.url, { gate: createCallGate(50) }) };
}

const FAST: LookupPolicy = { windowMs: 1_500, firstPauseMs: 250 };
const RETRY = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 20, maxDelayMs: 100 };
const URLS = ['https://www.example.com/c/1', 'https://www.example.com/c/2', 'https://www.example.com/c/3'];

/** Sends URLS with a fault that loses the answer; returns the call as the submitter knows it. */
async function lostCall(client: AlibabaClient, urls: readonly string[] = URLS): Promise<SentCall> {
  const sentAt = Date.now();
  await expect(pushObjectCache(client, urls, {})).rejects.toMatchObject({ outcomeUnknown: true });
  return { urls, objectType: 'preload', sentAt };
}

const lookUps = (e: Emulator) => e.calls.filter((c) => c.action === 'DescribeRefreshTasks');

describe('lookupTimes', () => {
  it('looks at once, then after pauses that double, the last at the end of the window', () => {
    expect(lookupTimes(lookupPolicy(30_000))).toEqual([0, 1_000, 3_000, 7_000, 15_000, 30_000]);
    expect(lookupTimes({ windowMs: 10_000, firstPauseMs: 2_000 })).toEqual([0, 2_000, 6_000, 10_000]);
  });

  it('spans request-timeout, and never less than 5 s', () => {
    expect(lookupPolicy(30_000).windowMs).toBe(30_000);
    expect(lookupPolicy(2_000).windowMs).toBe(5_000);
    expect(lookupTimes(lookupPolicy(1_000))).toEqual([0, 1_000, 3_000, 5_000]);
  });
});

describe('earliestCreation', () => {
  const sentAt = Date.parse('2026-03-01T04:00:10.700Z');

  it("dates the send by the CDN's clock, measured from an answer's Date header", () => {
    // The CDN's clock is 20 s behind ours; its Date (stamped 0.2 s before the answer arrived) says so.
    const clock = { serverMs: Date.parse('2026-03-01T03:59:55Z'), receivedMs: sentAt + 4_500 };
    // Offset ≥ 03:59:55 − 04:00:15.2 = −20.2 s; the send was at least 03:59:50.5 by its clock, less 1 s slack.
    expect(new Date(earliestCreation(sentAt, clock)).toISOString()).toBe('2026-03-01T03:59:49.000Z');
  });

  it('without a Date header, allows 5 s of clock difference', () => {
    expect(new Date(earliestCreation(sentAt, undefined)).toISOString()).toBe('2026-03-01T04:00:05.000Z');
  });
});

describe('lookUpCall', () => {
  it('finds a call accepted before its answer was lost, at the first look-up', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'reset-after' });
    const call = await lostCall(client);
    const lookup = await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY });
    const taskId = emu.acceptedPrefetches()[0]?.taskId;
    expect(lookup).toEqual({ kind: 'accepted', taskIds: new Map(URLS.map((url) => [url, taskId])) });
    // The ends decide a call: its first and last URLs, once.
    expect(lookUps(emu).map((c) => c.params['ObjectPath'])).toEqual([URLS[0], URLS[2]]);
  });

  it('finds a call that reaches the CDN after the failure', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'late-accept', delayMs: 600 });
    const call = await lostCall(client);
    expect(emu.acceptedPrefetches()).toHaveLength(0);
    const lookup = await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY });
    expect(lookup.kind).toBe('accepted');
    expect(emu.acceptedPrefetches()).toHaveLength(3);
  });

  it('finds a task the task list shows only later', async () => {
    const { emu, client } = await start({ taskListLagMs: 600 });
    emu.injectFaults({ kind: 'reset-after' });
    const call = await lostCall(client);
    const lookup = await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY });
    expect(lookup.kind).toBe('accepted');
    expect(lookUps(emu).length).toBeGreaterThan(2);
  });

  it('says absent only after the last look-up of the window found nothing', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'reset-before' });
    const call = await lostCall(client);
    const failedAt = Date.now();
    expect(await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY })).toEqual({ kind: 'absent' });
    const last = lookUps(emu).at(-1);
    expect(last?.arrivedAt ?? 0).toBeGreaterThanOrEqual(failedAt + FAST.windowMs - 20);
    expect(lookUps(emu)).toHaveLength(2 * lookupTimes(FAST).length);
  });

  it("never takes an earlier run's task for this call's", async () => {
    const { emu, client } = await start();
    const earlier = emu.seedTasks(URLS, { objectType: 'preload', ageMs: 17_000 });
    emu.injectFaults({ kind: 'reset-before' });
    const call = await lostCall(client);
    expect(await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY })).toEqual({ kind: 'absent' });
    // The earlier task was there to be seen: the look-ups answered it.
    expect(emu.taskRecords().filter((t) => t.taskId === earlier)).toHaveLength(3);
  });

  it("dates tasks by the CDN's clock, however far the runner's is off", async () => {
    for (const skew of [-40_000, 40_000]) {
      const { emu, client } = await start({ now: () => Date.now() + skew });
      emu.seedTasks(URLS, { objectType: 'preload', ageMs: 17_000 });
      emu.injectFaults({ kind: 'reset-after' });
      const call = await lostCall(client);
      const lookup = await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY });
      const accepted = emu.acceptedPrefetches()[0]?.taskId;
      expect(lookup.kind === 'accepted' && [...lookup.taskIds.values()]).toEqual([
        accepted,
        accepted,
        accepted,
      ]);
      await emu.close();
    }
  });

  it('is in doubt when only part of the call is found', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'reset-before' });
    const call = await lostCall(client);
    // Another job sends the first URL meanwhile.
    const other = emu.seedTasks([URLS[0] ?? ''], { objectType: 'preload', ageMs: 0 });
    const lookup = await lookUpCall(client, call, { policy: FAST, retryPolicy: RETRY });
    expect(lookup).toMatchObject({ kind: 'in-doubt', found: new Map([[URLS[0], other]]) });
    expect(lookup.kind === 'in-doubt' && lookup.why).toMatch(/found 1 of the call's 3 URLs accepted/);
    // Every URL was looked up once the ends disagreed.
    expect(new Set(lookUps(emu).map((c) => c.params['ObjectPath']))).toEqual(new Set(URLS));
  });

  it('is in doubt at once when the look-up is not permitted', async () => {
    const { emu, client } = await start({ denyActions: ['DescribeRefreshTasks'] });
    emu.injectFaults({ kind: 'reset-after' });
    const call = await lostCall(client);
    const started = Date.now();
    const lookup = await lookUpCall(client, call, { policy: lookupPolicy(30_000), retryPolicy: RETRY });
    expect(lookup).toMatchObject({ kind: 'in-doubt', code: 'Forbidden.RAM', found: new Map() });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is in doubt when the last look-up fails, though earlier ones may', async () => {
    const { emu, client } = await start();
    emu.injectFaults({ kind: 'reset-before' });
    const call = await lostCall(client);
    emu.injectFaults({ kind: 'internal-error', action: 'DescribeRefreshTasks', times: 100 });
    const lookup = await lookUpCall(client, call, {
      policy: FAST,
      retryPolicy: { ...RETRY, maxAttempts: 2 },
    });
    expect(lookup).toMatchObject({ kind: 'in-doubt', code: 'InternalError' });
  });

  it('stops looking, in doubt, when the run stops', async () => {
    const { client } = await start();
    const call = { urls: URLS, objectType: 'preload' as const, sentAt: Date.now() };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const lookup = await lookUpCall(client, call, {
      policy: lookupPolicy(30_000),
      retryPolicy: RETRY,
      signal: controller.signal,
    });
    expect(lookup).toMatchObject({ kind: 'in-doubt', why: 'the run stopped before the look-ups were done' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('gives each URL of a call over several hosts the task ID of its own host', async () => {
    const { emu, client } = await start();
    const urls = [...URLS, 'https://cdn.example.com/x/1', 'https://cdn.example.com/x/2'];
    emu.injectFaults({ kind: 'reset-after', action: 'RefreshObjectCaches' });
    const sentAt = Date.now();
    await expect(refreshObjectCaches(client, urls)).rejects.toMatchObject({ outcomeUnknown: true });
    const lookup = await lookUpCall(
      client,
      { urls, objectType: 'file', sentAt },
      { policy: FAST, retryPolicy: RETRY },
    );
    const expected = new Map(emu.acceptedRefreshes().map((r) => [r.url, r.taskId]));
    expect(new Set(expected.values()).size).toBe(2);
    expect(lookup).toEqual({ kind: 'accepted', taskIds: expected });
    // First and last URL of each host.
    expect(lookUps(emu)).toHaveLength(4);
  });

  it('looks a refresh up by its own task type', async () => {
    const { emu, client } = await start();
    emu.seedTasks(URLS, { objectType: 'preload', ageMs: 0 });
    emu.injectFaults({ kind: 'reset-after', action: 'RefreshObjectCaches' });
    const sentAt = Date.now();
    await expect(refreshObjectCaches(client, URLS)).rejects.toMatchObject({ outcomeUnknown: true });
    const lookup = await lookUpCall(
      client,
      { urls: URLS, objectType: 'file', sentAt },
      { policy: FAST, retryPolicy: RETRY },
    );
    const refreshId = emu.acceptedRefreshes()[0]?.taskId;
    expect(lookup.kind === 'accepted' && [...new Set(lookup.taskIds.values())]).toEqual([refreshId]);
    expect(lookUps(emu).every((c) => c.params['ObjectType'] === 'file')).toBe(true);
  });
});
