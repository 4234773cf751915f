/**
 * `refresh` and `wait`, through the bundled action (dist/index.js) against the emulator: tasks that take
 * time, fail, or outlast the wait; refresh before prefetch; quotas; polls in groups; failing polls.
 */
import { describe, expect } from 'vitest';
import { type CallRecord, type Emulator } from '../../emulator/index.js';
import { acceptedUrls, concurrentTest } from '../helpers/emulator.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';

const AK_ID = 'test-ak-id';
const AK_SECRET = 'follow-secret-value-42';
const creds = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

function urlsOn(host: string, count: number, prefix = 'p'): string[] {
  return Array.from({ length: count }, (_, i) => `https://${host}/${prefix}/${i}.html`);
}

function run(em: Emulator, inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({ endpoint: em.url, 'poll-interval': '1', ...inputs }, { env: creds });
}

const calls = (em: Emulator, action: string): CallRecord[] => em.calls.filter((c) => c.action === action);
const polls = (em: Emulator) => calls(em, 'DescribeRefreshTaskById');
const pollIds = (call: CallRecord) => (call.params['TaskId'] ?? '').split(',');
const reportUrls = (result: ActionRun) => (result.report?.urls ?? []) as unknown as Record<string, unknown>[];

/** Rounds of polls (calls of one round arrive together), by arrival time. */
function rounds(list: CallRecord[]): CallRecord[][] {
  const out: CallRecord[][] = [];
  for (const call of list) {
    const last = out.at(-1);
    if (last && call.arrivedAt - (last[0]?.arrivedAt ?? 0) < 500) last.push(call);
    else out.push([call]);
  }
  return out;
}

/** No round of polls starts sooner than `ms` after the previous round's answers. */
function expectSpacedPolls(list: CallRecord[], ms: number): void {
  const grouped = rounds(list);
  for (let i = 1; i < grouped.length; i++) {
    const previousEnd = Math.max(...(grouped[i - 1] ?? []).map((c) => c.answeredAt ?? c.arrivedAt));
    // A timer may fire a millisecond or two early.
    expect(grouped[i]?.[0]?.arrivedAt ?? 0).toBeGreaterThanOrEqual(previousEnd + ms - 5);
  }
}

describe('wait', () => {
  it('polls until every URL is Complete, with a log line per round and a table of tasks', async ({
    start,
  }) => {
    const em = await start({ taskDurationMs: 2000 });
    const urls = [...urlsOn('www.example.com', 150), ...urlsOn('static.example.com', 20)];
    const result = await run(em, { urls: urls.join('\n'), wait: 'true' });

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'submitted-count': '170',
      'completed-count': '170',
      'prefetch-failed-count': '0',
      'pending-count': '0',
      'refresh-task-ids': '',
    });
    expect(reportUrls(result).every((u) => u['taskStatus'] === 'Complete')).toBe(true);
    // Waiting starts after the last submission, and never asks sooner than poll-interval.
    const pushes = calls(em, 'PushObjectCache');
    const lastPush = Math.max(...pushes.map((c) => c.answeredAt ?? 0));
    expect(polls(em)[0]?.arrivedAt).toBeGreaterThanOrEqual(lastPush + 995);
    expectSpacedPolls(polls(em), 1000);
    // Every task ID was asked about, and the last round saw everything Complete.
    const taskIds = result.outputs['task-ids']?.split(',') ?? [];
    expect(new Set(polls(em).flatMap(pollIds))).toEqual(new Set(taskIds));
    const progress = result.log
      .split('\n')
      .filter((line) => /^Prefetch tasks, poll \d+ at \d+ s: /.test(line));
    expect(progress).toHaveLength(rounds(polls(em)).length);
    expect(progress.at(-1)).toMatch(/: 170 done, 0 failed, 0 pending \(of 170 URLs\)$/);
    expect(result.log).toContain('Prefetch tasks finished after');
    expect(result.summary).toContain('### Waiting for the prefetch');
    expect(result.summary).toContain('| task | URLs | status | progress |');
    for (const id of taskIds)
      expect(result.summary).toMatch(new RegExp(`\\| \`${id}\` \\| \\d+ \\| Complete \\| 100% `));
    expect(result.report?.['follow']).toMatchObject({ wait: { completed: 170, ended: 'finished' } });
    const everything = [
      result.log,
      JSON.stringify(result.outputs),
      result.summary,
      JSON.stringify(result.report),
    ];
    expect(everything.join('\n').replace(`::add-mask::${AK_SECRET}`, '')).not.toContain(AK_SECRET);
  });

  it('counts CDN failures in prefetch-failed-count only, names them with the reason, and fails fail-on: error', async ({
    start,
  }) => {
    const reasons: Record<string, string> = {
      'https://www.example.com/p/3.html': 'Origin Timeout',
      'https://www.example.com/p/7.html': 'Origin Return StatusCode 5XX',
      'https://cdn.example.com/p/1.html': 'Internal Error',
    };
    const em = await start({ taskDurationMs: 1000, failUrls: (url) => reasons[url] });
    const urls = [...urlsOn('www.example.com', 15), ...urlsOn('cdn.example.com', 5)];
    const result = await run(em, { urls: urls.join('\n'), wait: 'true' });

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      'submitted-count': '20',
      'failed-count': '0',
      'completed-count': '17',
      'prefetch-failed-count': '3',
      'pending-count': '0',
    });
    expect(result.log).toContain('::error::3 of 20 submitted URLs failed at the CDN (prefetch task Failed)');
    expect(result.log).toContain(
      '::warning::Prefetch failed at the CDN: https://www.example.com/p/3.html (Origin Timeout)',
    );
    for (const [url, reason] of Object.entries(reasons)) {
      expect(reportUrls(result).find((u) => u['url'] === url)).toMatchObject({
        status: 'submitted',
        taskStatus: 'Failed',
        description: reason,
      });
      expect(result.summary).toContain(`| ${url} | ${reason} |`);
    }
    expect(result.summary).toContain('#### Prefetch failed at the CDN (3)');
    expect(result.summary).toMatch(/\| `\d+` \| 15 \| Failed \| 100% \(13 done, 2 failed, 0 pending\) \|/);

    const tolerant = await run(em, { urls: urls.join('\n'), wait: 'true', 'fail-on': 'never' });
    expect(tolerant.exitCode).toBe(0);
    expect(tolerant.outputs['prefetch-failed-count']).toBe('3');
  });

  it('ends at wait-timeout with the unfinished URLs pending: a warning, not a failure', async ({ start }) => {
    const slow = (url: string) => url.includes('/slow/');
    const em = await start({
      taskDurationMs: 300,
      // Long enough to outlast the wait, short enough to show progress (Refreshing) within it.
      taskDurationFor: (url) => (slow(url) ? 60_000 : undefined),
    });
    // Two calls: the fast URLs' task finishes, the slow URLs' task does not.
    const urls = [...urlsOn('www.example.com', 10, 'fast'), ...urlsOn('static.example.com', 4, 'slow')];
    const result = await run(em, { urls: urls.join('\n'), wait: 'true', 'wait-timeout': '3' });

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'completed-count': '10',
      'prefetch-failed-count': '0',
      'pending-count': '4',
    });
    expect(result.log).toMatch(
      /::warning::Prefetch: 4 URLs still pending when wait-timeout \(3 s\) passed \(10 done, 0 failed, 4 pending\)/,
    );
    for (const u of reportUrls(result)) {
      expect(u['taskStatus']).toBe(slow(String(u['url'])) ? 'Refreshing' : 'Complete');
    }
    // One last poll at the deadline (3 s after the wait began, which is after the last submission).
    const lastPush = Math.max(...calls(em, 'PushObjectCache').map((c) => c.answeredAt ?? 0));
    const lastPoll = polls(em).at(-1);
    expect(lastPoll?.arrivedAt).toBeGreaterThanOrEqual(lastPush + 2995);
    // The finished task is no longer asked about.
    expect(pollIds(lastPoll as CallRecord)).toHaveLength(1);
    expectSpacedPolls(polls(em), 1000);
    expect(result.summary).toContain('wait-timeout passed after 3 s with 4 URLs pending');
  });

  it('matches answers to URLs by normalized ObjectPath; a URL missing from the answers is pending', async ({
    start,
  }) => {
    const em = await start({
      answerObjectPath: (url) =>
        url.endsWith('/gone')
          ? undefined
          : url === 'https://www.example.com/%C3%BCber'
            ? 'HTTPS://WWW.EXAMPLE.COM:443/über'
            : url,
    });
    const result = await run(em, {
      urls: 'https://www.example.com/über\nhttps://www.example.com/plain\nhttps://www.example.com/gone',
      wait: 'true',
      'wait-timeout': '2',
    });

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ 'completed-count': '2', 'pending-count': '1' });
    const byUrl = new Map(reportUrls(result).map((u) => [u['url'], u['taskStatus']]));
    expect(byUrl).toEqual(
      new Map([
        ['https://www.example.com/%C3%BCber', 'Complete'],
        ['https://www.example.com/plain', 'Complete'],
        ['https://www.example.com/gone', 'Pending'],
      ]),
    );
  });

  it("ends the wait early at the run's own deadline (timeout), with the report written", async ({
    start,
  }) => {
    const em = await start({ taskDurationMs: 60_000 });
    const result = await run(em, {
      urls: urlsOn('www.example.com', 4).join('\n'),
      wait: 'true',
      'wait-timeout': '120',
      timeout: '3',
    });

    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::warning::Prefetch: stopped waiting after \d+ s, the run is stopping/);
    expect(result.outputs).toMatchObject({
      'submitted-count': '4',
      'completed-count': '0',
      'pending-count': '4',
    });
    expect(result.report?.['follow']).toMatchObject({ wait: { ended: 'stopped' } });
    const lastPush = Math.max(...calls(em, 'PushObjectCache').map((c) => c.answeredAt ?? 0));
    // The deadline counts from the start of the run, so no poll comes anywhere near wait-timeout.
    expect(polls(em).every((c) => c.arrivedAt < lastPush + 3000)).toBe(true);
  });

  it('asks about at most 10 task IDs a call', async ({ start }) => {
    // Merging off: every URL gets its own task ID, 25 IDs in all.
    const em = await start({ mergeWindowMs: 0, taskDurationMs: 1500 });
    const result = await run(em, { urls: urlsOn('www.example.com', 25).join('\n'), wait: 'true' });

    expect(result.exitCode).toBe(0);
    const taskIds = result.outputs['task-ids']?.split(',') ?? [];
    expect(taskIds).toHaveLength(25);
    expect(polls(em).every((c) => pollIds(c).length <= 10)).toBe(true);
    expect(polls(em).every((c) => c.code === undefined)).toBe(true);
    const first = rounds(polls(em))[0] ?? [];
    expect(first.map((c) => pollIds(c).length)).toEqual([10, 10, 5]);
    expect(first.flatMap(pollIds)).toEqual(taskIds);
    expect(result.outputs['completed-count']).toBe('25');
  });

  it('never sends more than 30 DescribeRefreshTaskById calls a second', async ({ start }) => {
    // 400 task IDs: one round is 40 look-ups; the emulator throttles a 31st call within a second.
    const em = await start({ mergeWindowMs: 0, taskDurationMs: 500 });
    const result = await runAction(
      { endpoint: em.url, 'urls-file': 'urls.txt', wait: 'true', 'poll-interval': '1' },
      { env: creds, files: { 'urls.txt': urlsOn('www.example.com', 400).join('\n') } },
    );

    expect(result.exitCode).toBe(0);
    expect(result.outputs['completed-count']).toBe('400');
    const list = polls(em);
    expect(list).toHaveLength(40);
    expect(list.filter((c) => c.code !== undefined)).toEqual([]);
    const busiest = Math.max(
      ...list.map(
        (c) => list.filter((o) => o.arrivedAt >= c.arrivedAt && o.arrivedAt < c.arrivedAt + 1000).length,
      ),
    );
    expect(busiest).toBeLessThanOrEqual(30);
  });

  it('retries a failing poll like any other call', async ({ start }) => {
    const em = await start({ taskDurationMs: 1500 });
    em.injectFaults({ kind: 'service-unavailable', action: 'DescribeRefreshTaskById', nth: 1, times: 2 });
    const result = await run(em, { urls: urlsOn('www.example.com', 5).join('\n'), wait: 'true' });

    expect(result.exitCode).toBe(0);
    expect(polls(em).filter((c) => c.fault === 'service-unavailable')).toHaveLength(2);
    expect(result.log).toMatch(/DescribeRefreshTaskById: ServiceUnavailable; retry 1 in /);
    expect(result.outputs['completed-count']).toBe('5');
    expect(result.report?.['follow']).toMatchObject({ wait: { ended: 'finished' } });
  });

  it('ends the wait with a warning and the counts as last known when the polls keep failing', async ({
    start,
  }) => {
    const em = await start({
      taskDurationMs: 200,
      taskDurationFor: (url) => (url.includes('/slow/') ? 600_000 : undefined),
    });
    // The first poll answers; every later one fails, retries included.
    em.injectFaults({ kind: 'internal-error', action: 'DescribeRefreshTaskById', nth: 2, times: 10_000 });
    const urls = [...urlsOn('www.example.com', 6, 'fast'), ...urlsOn('static.example.com', 3, 'slow')];
    const result = await runAction(
      { endpoint: em.url, urls: urls.join('\n'), wait: 'true', 'poll-interval': '1', 'wait-timeout': '4' },
      { env: creds, timeoutMs: 60_000 },
    );

    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(
      /::warning::Prefetch: stopped waiting after \d+ s, DescribeRefreshTaskById kept failing \(DescribeRefreshTaskById: InternalError/,
    );
    expect(result.outputs).toMatchObject({
      'completed-count': '6',
      'prefetch-failed-count': '0',
      'pending-count': '3',
    });
    expect(polls(em).filter((c) => c.code === 'InternalError').length).toBeGreaterThan(1);
    expect(reportUrls(result)).toHaveLength(9);
    expect(result.report?.['follow']).toMatchObject({
      wait: { ended: 'poll-failed', completed: 6, pending: 3 },
    });
    expect(result.summary).toContain('the polls kept failing');
  });
});

describe('refresh', () => {
  it('refreshes first, grouped by host (≤1,000 URLs, ≤10 hosts a call), and prefetches only once it is complete', async ({
    start,
  }) => {
    const hosts = Array.from({ length: 12 }, (_, i) => `h${i}.example.com`);
    const em = await start({
      domains: { '*.example.com': 'online' },
      preloadQuota: 5000,
      taskDurationMs: 1500,
    });
    const urls = hosts.flatMap((host) => urlsOn(host, 100));
    const result = await runAction(
      { endpoint: em.url, 'urls-file': 'urls.txt', refresh: 'true', 'poll-interval': '1' },
      { env: creds, files: { 'urls.txt': urls.join('\n') } },
    );

    expect(result.exitCode).toBe(0);
    const refreshes = calls(em, 'RefreshObjectCaches');
    expect(refreshes.map((c) => [c.urls.length, new Set(c.urls.map((u) => new URL(u).host)).size])).toEqual([
      [1000, 10],
      [200, 2],
    ]);
    expect(refreshes.every((c) => c.params['ObjectType'] === 'File')).toBe(true);
    expect(
      em
        .acceptedRefreshes()
        .map((r) => r.url)
        .sort(),
    ).toEqual([...urls].sort());
    // No PushObjectCache before every refresh task had completed.
    const refreshEnds = em
      .taskRecords()
      .filter((t) => t.objectType === 'file')
      .map((t) => t.endsAt);
    const pushes = calls(em, 'PushObjectCache');
    expect(pushes).toHaveLength(12);
    expect(Math.min(...pushes.map((c) => c.arrivedAt))).toBeGreaterThanOrEqual(Math.max(...refreshEnds));
    const firstPush = Math.min(...pushes.map((c) => c.arrivedAt));
    expect(polls(em).filter((c) => c.arrivedAt < firstPush).length).toBeGreaterThan(0);
    // refresh-task-ids: every ID, in submission order.
    const expectedIds = refreshes.flatMap((c) => (c.taskId ?? '').split(','));
    expect(result.outputs['refresh-task-ids']?.split(',')).toEqual(expectedIds);
    expect(expectedIds).toHaveLength(12);
    for (const u of reportUrls(result)) {
      expect(u).toMatchObject({ status: 'submitted', refreshStatus: 'Complete' });
      expect(expectedIds).toContain(u['refreshTaskId']);
    }
    // Without wait the wait outputs stay empty, and nothing is polled after the prefetch.
    expect(result.outputs).toMatchObject({
      'completed-count': '',
      'prefetch-failed-count': '',
      'pending-count': '',
    });
    expect(polls(em).filter((c) => c.arrivedAt > firstPush)).toEqual([]);
    expect(result.summary).toContain('### Refresh before the prefetch');
    expect(result.summary).toMatch(/\| `\d+` \| 100 \| Complete \| 100% \(100 done/);
  });

  it('refreshes within UrlRemain and holds back from the prefetch what it could not refresh, with a warning', async ({
    start,
  }) => {
    const em = await start({ preloadQuota: 6, refreshUrlQuota: 4 });
    const urls = urlsOn('www.example.com', 8);
    const result = await run(em, { urls: urls.join('\n'), refresh: 'true' });

    expect(result.exitCode).toBe(0);
    expect(em.acceptedRefreshes().map((r) => r.url)).toEqual(urls.slice(0, 4));
    // Only what was refreshed is prefetched: the quota of 6 is not spent on copies it cannot replace.
    expect(em.acceptedPrefetches().map((p) => p.url)).toEqual(urls.slice(0, 4));
    expect(result.log).toMatch(
      /::warning::refresh: 4 URLs that needed a refresh were not refreshed, .*the daily refresh quota ran out \(UrlRemain 4\)/,
    );
    const byUrl = new Map(reportUrls(result).map((u) => [u['url'], u]));
    for (const url of urls.slice(0, 4)) {
      expect(byUrl.get(url)).toMatchObject({ status: 'submitted', refreshStatus: 'Complete' });
    }
    for (const url of urls.slice(4)) {
      expect(byUrl.get(url)).toMatchObject({
        status: 'skipped',
        skip: 'refresh',
        refreshStatus: 'NotRefreshed',
        notRefreshed: 'quota',
        refreshDescription: 'not refreshed: beyond the daily refresh quota (UrlRemain was 4)',
      });
      expect(String(byUrl.get(url)?.['reason'])).toMatch(/^refresh: held back from the prefetch: /);
    }
    expect(result.outputs).toMatchObject({ 'submitted-count': '4', 'skipped-count': '4' });
    expect(result.summary).toContain('8 URLs needed a refresh: 4 refreshed (4 Complete), 4 not refreshed');
  });

  it('refreshes every URL that needs it, those beyond the prefetch quota too: freshness does not wait for the prefetch quota', async ({
    start,
  }) => {
    const em = await start({ preloadQuota: 3 });
    const urls = urlsOn('www.example.com', 8);
    const result = await run(em, { urls: urls.join('\n'), refresh: 'true' });

    expect(result.exitCode).toBe(0);
    expect(em.acceptedRefreshes().map((r) => r.url)).toEqual(urls);
    expect(em.acceptedPrefetches().map((p) => p.url)).toEqual(urls.slice(0, 3));
    const byUrl = new Map(reportUrls(result).map((u) => [u['url'], u]));
    for (const url of urls.slice(3)) {
      expect(byUrl.get(url)).toMatchObject({
        status: 'skipped',
        skip: 'quota',
        refreshStatus: 'Complete',
        refreshedAt: expect.any(String),
      });
    }
  });

  it('bounds the refresh wait and the prefetch wait by wait-timeout each, and holds back failed or unfinished refreshes', async ({
    start,
  }) => {
    const em = await start({
      taskDurationMs: 300,
      taskDurationFor: (url, type) =>
        (url.includes('/slow/') && type === 'file') || (url.endsWith('/fast/3.html') && type === 'preload')
          ? 60_000
          : undefined,
      failRefreshUrls: (url) => (url.endsWith('/fast/1.html') ? 'Internal Error' : undefined),
    });
    const urls = [...urlsOn('www.example.com', 4, 'fast'), ...urlsOn('static.example.com', 2, 'slow')];
    const result = await run(em, {
      urls: urls.join('\n'),
      refresh: 'true',
      wait: 'true',
      'wait-timeout': '3',
    });

    expect(result.exitCode).toBe(0);
    expect(acceptedUrls(em)).toEqual(
      ['/fast/0.html', '/fast/2.html', '/fast/3.html'].map((p) => `https://www.example.com${p}`),
    );
    expect(result.log).toContain(
      '::warning::Refresh failed at the CDN: https://www.example.com/fast/1.html (Internal Error)',
    );
    expect(result.log).toMatch(
      /::warning::refresh: 3 URLs that needed a refresh are not prefetched, as their refresh was not confirmed Complete/,
    );
    const byUrl = new Map(reportUrls(result).map((u) => [u['url'], u]));
    expect(byUrl.get('https://www.example.com/fast/1.html')).toMatchObject({
      status: 'skipped',
      skip: 'refresh',
      refreshStatus: 'Failed',
      refreshDescription: 'Internal Error',
    });
    expect(byUrl.get('https://www.example.com/fast/1.html')).not.toHaveProperty('refreshedAt');
    expect(byUrl.get('https://static.example.com/slow/0.html')).toMatchObject({
      status: 'skipped',
      skip: 'refresh',
      refreshStatus: 'Refreshing',
      refreshedAt: expect.any(String),
    });
    expect(String(byUrl.get('https://static.example.com/slow/0.html')?.['reason'])).toContain(
      'not confirmed Complete within wait-timeout (3 s)',
    );
    expect(result.outputs).toMatchObject({
      'submitted-count': '3',
      'skipped-count': '3',
      'completed-count': '2',
      'pending-count': '1',
    });
    // Each wait ran its own 3 s: the refresh's from its start, the prefetch's from the last push; no
    // prefetch before the refresh wait ended (every URL needed a refresh).
    const refreshCall = calls(em, 'RefreshObjectCaches').at(-1);
    const pushes = calls(em, 'PushObjectCache');
    const firstPush = Math.min(...pushes.map((c) => c.arrivedAt));
    const lastPush = Math.max(...pushes.map((c) => c.answeredAt ?? 0));
    const refreshPolls = polls(em).filter((c) => c.arrivedAt < firstPush);
    const prefetchPolls = polls(em).filter((c) => c.arrivedAt > lastPush);
    expect(refreshPolls.at(-1)?.arrivedAt).toBeGreaterThanOrEqual((refreshCall?.answeredAt ?? 0) + 2995);
    expect(prefetchPolls.at(-1)?.arrivedAt).toBeGreaterThanOrEqual(lastPush + 2995);
    expect(firstPush).toBeGreaterThanOrEqual(refreshPolls.at(-1)?.answeredAt ?? Infinity);
  });

  it('sends each host alone when one host of a call is refused, so the others are still refreshed', async ({
    start,
  }) => {
    const em = await start({
      domains: { 'www.example.com': 'online', 'static.example.com': 'online' },
    });
    const urls = [
      ...urlsOn('www.example.com', 3),
      ...urlsOn('unknown.example.com', 2),
      ...urlsOn('static.example.com', 2),
    ];
    const result = await run(em, { urls: urls.join('\n'), refresh: 'true' });

    const refreshes = calls(em, 'RefreshObjectCaches');
    expect(refreshes[0]?.code).toBe('InvalidDomain.NotFound');
    expect(
      em
        .acceptedRefreshes()
        .map((r) => r.url)
        .sort(),
    ).toEqual([...urlsOn('www.example.com', 3), ...urlsOn('static.example.com', 2)].sort());
    // The refused host's URLs fail with the refusal's code, and no prefetch is tried for them.
    const unknown = reportUrls(result).find((u) => u['url'] === 'https://unknown.example.com/p/0.html');
    expect(unknown).toMatchObject({
      status: 'failed',
      code: 'InvalidDomain.NotFound',
      refreshStatus: 'NotRefreshed',
      notRefreshed: 'refused',
    });
    expect(String(unknown?.['refreshDescription'])).toContain('InvalidDomain.NotFound');
    expect(
      calls(em, 'PushObjectCache')
        .flatMap((c) => c.urls)
        .some((u) => u.includes('unknown')),
    ).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ 'submitted-count': '5', 'failed-count': '2' });
  });
});

describe('permissions', () => {
  it('without cdn:RefreshObjectCaches: a warning naming it, the URLs that need no refresh prefetched, the others held back; the step passes', async ({
    start,
  }) => {
    const em = await start({ denyActions: ['RefreshObjectCaches'] });
    const result = await run(em, { urls: urlsOn('www.example.com', 3).join('\n'), refresh: 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(
      /::warning::refresh: RefreshObjectCaches was refused \(Forbidden\.RAM\): the RAM user or role lacks cdn:RefreshObjectCaches\..*Grant cdn:RefreshObjectCaches/,
    );
    // One call: the permission does not come back within the run.
    expect(calls(em, 'RefreshObjectCaches')).toHaveLength(1);
    expect(calls(em, 'PushObjectCache')).toEqual([]);
    expect(result.outputs).toMatchObject({ 'skipped-count': '3', 'failed-count': '0' });
    for (const u of reportUrls(result)) {
      expect(u).toMatchObject({ status: 'skipped', skip: 'refresh', notRefreshed: 'permission' });
    }
  });

  it('ends the wait with a warning naming the RAM action when DescribeRefreshTaskById is not permitted', async ({
    start,
  }) => {
    const em = await start({ denyActions: ['DescribeRefreshTaskById'] });
    const result = await run(em, { urls: urlsOn('www.example.com', 3).join('\n'), wait: 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(/::warning::Prefetch: stopped waiting .*Grant cdn:DescribeRefreshTaskById/);
    expect(polls(em)).toHaveLength(1);
    expect(result.outputs).toMatchObject({
      'submitted-count': '3',
      'completed-count': '0',
      'pending-count': '3',
    });
  });
});

describe('dry-run', () => {
  it('never refreshes and never waits', async ({ start }) => {
    const em = await start();
    const result = await run(em, {
      urls: urlsOn('www.example.com', 3).join('\n'),
      'dry-run': 'true',
      refresh: 'true',
      wait: 'true',
    });
    expect(result.exitCode).toBe(0);
    expect(em.calls.map((c) => c.action)).toEqual(['DescribeRefreshQuota']);
    expect(result.outputs).toMatchObject({
      'planned-count': '3',
      'refresh-task-ids': '',
      'completed-count': '',
      'prefetch-failed-count': '',
      'pending-count': '',
    });
    expect(reportUrls(result).some((u) => 'refreshStatus' in u || 'taskStatus' in u)).toBe(false);
  });
});
