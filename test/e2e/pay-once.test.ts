/**
 * "A URL is never sent twice" (issue 13, items 7–11, 15, 20), through the bundled action: each fault
 * that once made the action pay twice, or report wrongly what it paid for, and what the emulator saw.
 */
import { describe, expect } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { concurrentTest } from '../helpers/emulator.js';
import { runAction, type ActionRun, type RunOptions } from '../../emulator/harness.js';

const AK_ID = 'pay-once-ak-id';
const AK_SECRET = 'pay-once-secret-4b1e';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET }, preloadQuota: 10_000 });

const urls = (count: number, path = 'p'): string[] =>
  Array.from({ length: count }, (_, i) => `https://www.example.com/${path}/${i}`);

function run(
  em: Emulator,
  list: readonly string[],
  inputs: Record<string, string> = {},
  options: RunOptions = {},
): Promise<ActionRun> {
  return runAction(
    { endpoint: em.url, urls: list.join('\n'), 'request-timeout': '2', ...inputs },
    { env, ...options },
  );
}

/** Every URL accepted exactly once by this run (an earlier run's seeded tasks are not counted). */
function expectAcceptedOnce(accepted: { url: string }[], list: readonly string[]): void {
  expect(accepted.map((a) => a.url).sort()).toEqual([...list].sort());
}

const pushCalls = (em: Emulator) => em.calls.filter((c) => c.action === 'PushObjectCache');

describe('a call that reaches the CDN late, or shows in the task list late (item 7)', () => {
  it('is found by the look-ups over the window, not sent again: 300 URLs accepted once', async ({
    start,
  }) => {
    const em = await start();
    // Each of the three calls is dropped, then reaches the CDN 2.5 s later.
    em.injectFaults({ kind: 'late-accept', nth: 1, times: 3, delayMs: 2_500 });
    const list = urls(300);
    const result = await run(em, list, { 'batch-size': '100' });
    expectAcceptedOnce(em.acceptedPrefetches(), list);
    expect(pushCalls(em)).toHaveLength(3);
    expect(result.outputs['submitted-count']).toBe('300');
    expect(result.outputs['confirmed-count']).toBe('300');
    expect(result.exitCode).toBe(0);
  });

  it('a task list that lags behind is looked at again', async ({ start }) => {
    const em = await start({ taskListLagMs: 2_500 });
    em.injectFaults({ kind: 'reset-after', nth: 1, times: 3 });
    const list = urls(300);
    const result = await run(em, list, { 'batch-size': '100' });
    expectAcceptedOnce(em.acceptedPrefetches(), list);
    expect(pushCalls(em)).toHaveLength(3);
    expect(result.outputs['confirmed-count']).toBe('300');
    // Every URL reports the task ID the CDN gave it.
    const taskOf = new Map(em.acceptedPrefetches().map((a) => [a.url, a.taskId]));
    for (const entry of result.report?.urls ?? []) expect(entry.taskId).toBe(taskOf.get(entry.url));
  });

  it('what the look-ups cannot settle is outcome unknown, told apart from refusals, never resent', async ({
    start,
  }) => {
    // Without cdn:DescribeRefreshTasks, a lost answer cannot be looked up.
    const em = await start({ denyActions: ['DescribeRefreshTasks'] });
    em.injectFaults({ kind: 'reset-after', nth: 1 });
    const list = [...urls(10), ...urls(5).map((u) => u.replace('www.example.com', 'unknown.example.org'))];
    const result = await run(em, list, { 'batch-size': '10' });
    expect(pushCalls(em).filter((c) => c.urls[0]?.includes('www.example.com'))).toHaveLength(1);
    const report = result.report?.urls ?? [];
    const unknown = report.filter((u) => u.outcomeUnknown);
    expect(unknown.map((u) => u.url).sort()).toEqual(urls(10).sort());
    expect(unknown.every((u) => u.status === 'failed' && u.reason?.startsWith('outcome unknown: '))).toBe(
      true,
    );
    const refused = report.filter((u) => u.status === 'failed' && !u.outcomeUnknown);
    expect(refused.map((u) => u.code)).toEqual(Array(5).fill('InvalidDomain.NotFound'));
    // Counts add up, unknown ones among the failed; the report and the summary count them apart.
    expect(result.outputs['failed-count']).toBe('15');
    expect(result.report?.['outcomeUnknown']).toBe(10);
    expect(result.summary).toContain('10 of the failed URLs have an unknown outcome');
    expect(result.exitCode).toBe(1);
  });
});

describe('answers that do not prove a refusal (item 8)', () => {
  it.for(['html-504-after', 'json-500-after'] as const)(
    '%s after the CDN accepted: looked up, not sent again',
    async (kind, { start }) => {
      const em = await start();
      em.injectFaults({ kind, nth: 1, times: 2 });
      const list = urls(200);
      const result = await run(em, list, { 'batch-size': '100' });
      expectAcceptedOnce(em.acceptedPrefetches(), list);
      expect(pushCalls(em)).toHaveLength(2);
      expect(result.outputs['confirmed-count']).toBe('200');
    },
  );

  it('a gateway page that came before the CDN saw the call: resent once the look-ups find nothing', async ({
    start,
  }) => {
    const em = await start();
    em.injectFaults({ kind: 'html-502', nth: 1 });
    const list = urls(10);
    const started = Date.now();
    const result = await run(em, list);
    expectAcceptedOnce(em.acceptedPrefetches(), list);
    expect(pushCalls(em)).toHaveLength(2);
    // The resend waited for the whole window (request-timeout 2 s, so 5 s) of look-ups.
    const [first, second] = pushCalls(em);
    expect((second?.arrivedAt ?? 0) - (first?.arrivedAt ?? 0)).toBeGreaterThanOrEqual(5_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.outputs['submitted-count']).toBe('10');
  });
});

describe('a reset is classified by its error code, not its text (item 9)', () => {
  it('URLs that spell ECONNREFUSED, reset after acceptance: looked up, not sent again', async ({ start }) => {
    const em = await start();
    em.injectFaults({ kind: 'reset-after', nth: 1 });
    const list = urls(20, 'ECONNREFUSED');
    const result = await run(em, list, { 'batch-size': '20' });
    expectAcceptedOnce(em.acceptedPrefetches(), list);
    expect(pushCalls(em)).toHaveLength(1);
    expect(result.outputs['confirmed-count']).toBe('20');
  });
});

describe('refresh: true (item 10)', () => {
  it.for(['reset-after', 'html-504-after'] as const)(
    'a RefreshObjectCaches call accepted and then lost (%s) is looked up, not sent again',
    async (kind, { start }) => {
      const em = await start();
      em.injectFaults({ kind, action: 'RefreshObjectCaches', nth: 1 });
      const list = urls(30, 'r');
      const result = await run(em, list, { refresh: 'true', 'wait-timeout': '30', 'poll-interval': '1' });
      expectAcceptedOnce(em.acceptedRefreshes(), list);
      expect(em.calls.filter((c) => c.action === 'RefreshObjectCaches')).toHaveLength(1);
      expect(
        em.calls.some((c) => c.action === 'DescribeRefreshTasks' && c.params['ObjectType'] === 'file'),
      ).toBe(true);
      // Followed to completion under the task ID the look-up found, then prefetched once.
      const refreshId = em.acceptedRefreshes()[0]?.taskId ?? '';
      expect(result.outputs['refresh-task-ids']).toBe(refreshId);
      expectAcceptedOnce(em.acceptedPrefetches(), list);
      expect(result.exitCode).toBe(0);
    },
  );
});

describe("an earlier run's task for the same URLs (item 11)", () => {
  it("is not taken for this run's: the lost call is resent, and reported with its own task", async ({
    start,
  }) => {
    const em = await start();
    const list = urls(10, 'again');
    const earlier = em.seedTasks(list, { objectType: 'preload', ageMs: 17_000 });
    // This run's call never reaches the CDN; the look-up sees only the earlier run's tasks.
    em.injectFaults({ kind: 'reset-before', nth: 1 });
    const result = await run(em, list);
    expectAcceptedOnce(em.acceptedPrefetches(), list);
    const own = em.acceptedPrefetches()[0]?.taskId;
    expect(own).not.toBe(earlier);
    expect(result.outputs['task-ids']).toBe(own);
    expect(result.outputs['confirmed-count']).toBe('0');
    expect(result.report?.urls.every((u) => u.status === 'submitted' && u.taskId === own)).toBe(true);
  });
});

describe('odd DescribeRefreshQuota answers (item 15)', () => {
  it.for([['-5'], ['abc'], ['Infinity'], [''], ['10.7'], [null]] as const)(
    'PreloadRemain %j: a warning, and the run goes on uncapped',
    async ([answer], { start }) => {
      const em = await start({ quotaAnswers: { PreloadRemain: answer } });
      const list = urls(12, 'q');
      const result = await run(em, list);
      expect(result.exitCode).toBe(0);
      expect(result.log).toMatch(/::warning::daily-quota: DescribeRefreshQuota answered PreloadRemain/);
      expect(result.outputs['submitted-count']).toBe('12');
      expect(result.outputs['skipped-count']).toBe('0');
      expectAcceptedOnce(em.acceptedPrefetches(), list);
      expect(result.report?.['quotaRemain']).toBeUndefined();
    },
  );

  it('UrlRemain that is not a whole number: the refresh goes on uncapped, with a warning', async ({
    start,
  }) => {
    const em = await start({ quotaAnswers: { UrlRemain: '-1' } });
    const list = urls(5, 'qr');
    const result = await run(em, list, { refresh: 'true', 'wait-timeout': '30', 'poll-interval': '1' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::warning::refresh: DescribeRefreshQuota answered UrlRemain "-1"/);
    expectAcceptedOnce(em.acceptedRefreshes(), list);
  });
});

describe('a deadline reached while every call is refused (item 20)', () => {
  it('names the refusal: "refused with PreloadQueueFull until the run\'s timeout"', async ({ start }) => {
    const em = await start();
    em.injectFaults({ kind: 'queue-full', times: 1_000 });
    const result = await run(em, urls(20, 'full'), { timeout: '4', 'batch-size': '10' });
    expect(result.exitCode).toBe(1);
    expect(pushCalls(em).length).toBeGreaterThanOrEqual(2);
    for (const entry of result.report?.urls ?? []) {
      expect(entry).toMatchObject({
        status: 'failed',
        reason: "deadline: refused with PreloadQueueFull until the run's timeout",
        code: 'PreloadQueueFull',
      });
    }
    expect(result.report?.urls).toHaveLength(20);
    expect(result.report?.['stopped']).toBe('deadline');
  });
});
