// Each scripted fault does what the client must survive, and is consumed as documented.
import { beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type FaultKind } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { rawCall } from '../helpers/sdk-client.js';

const emulators = emulatorPerTest();
let emu: Emulator;
beforeEach(async () => {
  emu = await emulators.start();
});

let n = 0;
function push(timeoutMs?: number) {
  const url = `https://www.example.com/fault-${++n}.js`;
  return rawCall(emu.url, {
    action: 'PushObjectCache',
    params: { ObjectPath: url },
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

describe('error answers (nothing accepted)', () => {
  it.each([
    ['throttling', 503, 'Throttling.User'],
    ['service-unavailable', 503, 'ServiceUnavailable'],
    ['internal-error', 500, 'InternalError'],
    ['service-busy', 403, 'ServiceBusy'],
    ['queue-full', 403, 'PreloadQueueFull'],
  ] as const)('%s answers %i %s', async (kind, status, code) => {
    emu.injectFaults({ kind });
    const res = await push();
    expect([res.status, res.json()['Code']]).toEqual([status, code]);
    expect(emu.acceptedPrefetches()).toHaveLength(0);
    expect(emu.calls.at(-1)).toMatchObject({ fault: kind, code, status, accepted: false });
    expect((await push()).status).toBe(200); // consumed: the next call is normal
  });

  it('throttling carries x-acs-retry-after when retryAfterMs is given', async () => {
    emu.injectFaults({ kind: 'throttling', retryAfterMs: 1500 });
    expect((await push()).headers['x-acs-retry-after']).toBe('1500');
  });

  it('html-502 answers an HTML gateway page', async () => {
    emu.injectFaults({ kind: 'html-502' });
    const res = await push();
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.text).toBe('<html><body><h1>502 Bad Gateway</h1></body></html>');
    expect(emu.acceptedPrefetches()).toHaveLength(0);
  });

  it('xml-error answers an XML InternalError even though JSON was asked', async () => {
    emu.injectFaults({ kind: 'xml-error' });
    const res = await push();
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(res.text).toContain('<Error><RequestId>');
    expect(res.text).toContain('<Code>InternalError</Code>');
    expect(() => res.json()).toThrow();
  });

  it('empty-200 answers 200 with no body and accepts nothing', async () => {
    emu.injectFaults({ kind: 'empty-200' });
    const res = await push();
    expect([res.status, res.text]).toEqual([200, '']);
    expect(emu.acceptedPrefetches()).toHaveLength(0);
  });
});

describe('socket faults', () => {
  it('reset-before destroys the socket and accepts nothing', async () => {
    emu.injectFaults({ kind: 'reset-before' });
    await expect(push()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emu.acceptedPrefetches()).toHaveLength(0);
    expect(emu.calls.at(-1)).toMatchObject({ fault: 'reset-before', status: 0, accepted: false });
  });

  it('reset-after accepts the prefetch, then destroys the socket', async () => {
    emu.injectFaults({ kind: 'reset-after' });
    await expect(push()).rejects.toThrow(/socket hang up|ECONNRESET/);
    const call = emu.calls.at(-1);
    expect(call).toMatchObject({ fault: 'reset-after', status: 0, accepted: true });
    expect(call?.answeredAt).toBeUndefined();
    expect(emu.acceptedPrefetches()).toEqual([{ url: call?.urls[0], taskId: call?.taskId }]);
  });

  it('hang never answers; close() still ends the connection', async () => {
    emu.injectFaults({ kind: 'hang' });
    await expect(push(300)).rejects.toThrow(/timeout/);
    expect(emu.calls.at(-1)).toMatchObject({ fault: 'hang', status: 0, accepted: false });
    emu.injectFaults({ kind: 'hang' });
    const pending = push(10_000).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await emu.close(); // closing twice (again after the test) is harmless
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('answers that hide an accepted call', () => {
  it('garbage-200 accepts and answers an unreadable body', async () => {
    emu.injectFaults({ kind: 'garbage-200' });
    const res = await push();
    expect(res.status).toBe(200);
    expect(() => res.json()).toThrow();
    expect(emu.acceptedPrefetches()).toHaveLength(1);
  });

  it('empty-task-id accepts and answers an empty PushTaskId', async () => {
    emu.injectFaults({ kind: 'empty-task-id' });
    const res = await push();
    expect(res.json()).toMatchObject({ PushTaskId: '', RequestId: expect.any(String) });
    expect(emu.acceptedPrefetches()).toHaveLength(1);
    expect(emu.calls.at(-1)?.taskId).toMatch(/^\d+$/); // the ID the emulator really created
  });

  it('verification comes first: a bad signature is refused and the fault waits for a valid call', async () => {
    emu.injectFaults({ kind: 'reset-after' });
    const bad = await rawCall(emu.url, {
      action: 'PushObjectCache',
      params: { ObjectPath: 'https://www.example.com/x' },
      creds: { accessKeyId: 'test-ak-id', accessKeySecret: 'wrong' },
    });
    expect(bad.json()['Code']).toBe('SignatureDoesNotMatch');
    await expect(push()).rejects.toThrow();
    expect(emu.acceptedPrefetches()).toHaveLength(1);
  });
});

describe('scheduling', () => {
  it('delay adds delayMs and then handles the call normally', async () => {
    emu.injectFaults({ kind: 'delay', delayMs: 250 });
    const started = Date.now();
    expect((await push()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(emu.calls.at(-1)).toMatchObject({ fault: 'delay', accepted: true });
  });

  it('nth and times pick calls by their index among calls of that action', async () => {
    emu.injectFaults({ kind: 'internal-error', nth: 2, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await push()).status);
    expect(statuses).toEqual([200, 500, 500, 200]);
  });

  it('faults are consumed in injection order, and only by their action', async () => {
    emu.injectFaults(
      { kind: 'service-busy', action: 'DescribeRefreshQuota' },
      { kind: 'internal-error' },
      { kind: 'service-unavailable' },
    );
    const kinds: (FaultKind | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      await push();
      kinds.push(emu.calls.at(-1)?.fault);
    }
    expect(kinds).toEqual(['internal-error', 'service-unavailable', undefined]);
    const quota = await rawCall(emu.url, { action: 'DescribeRefreshQuota' });
    expect(quota.json()['Code']).toBe('ServiceBusy');
  });

  it('a delay queued behind another fault waits for its turn', async () => {
    emu.injectFaults({ kind: 'internal-error' }, { kind: 'delay', delayMs: 200 });
    const started = Date.now();
    expect((await push()).status).toBe(500);
    expect(Date.now() - started).toBeLessThan(150);
    expect((await push()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(emu.calls.map((c) => c.fault)).toEqual(['internal-error', 'delay']);
  });

  it('latencyMs delays every answer', async () => {
    await emu.close();
    emu = await emulators.start({ latencyMs: () => 120 });
    expect((await push()).status).toBe(200);
    const call = emu.calls.at(-1);
    expect((call?.answeredAt ?? 0) - (call?.arrivedAt ?? 0)).toBeGreaterThanOrEqual(110);
  });
});

describe('calls accepted although the client sees a failure', () => {
  it('late-accept drops the connection, then accepts the call delayMs later', async () => {
    emu.injectFaults({ kind: 'late-accept', delayMs: 300 });
    const sent = Date.now();
    await expect(push()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emu.acceptedPrefetches()).toHaveLength(0);
    expect(emu.calls.at(-1)).toMatchObject({ fault: 'late-accept', status: 0, accepted: false });
    await new Promise((r) => setTimeout(r, 400));
    expect(emu.acceptedPrefetches()).toHaveLength(1);
    expect(emu.calls.at(-1)).toMatchObject({ accepted: true, taskId: expect.stringMatching(/^\d+$/) });
    expect(emu.taskRecords()[0]?.createdAt).toBeGreaterThanOrEqual(sent + 290);
  });

  it('html-504-after accepts, then answers a gateway HTML 504 page', async () => {
    emu.injectFaults({ kind: 'html-504-after' });
    const res = await push();
    expect(res.status).toBe(504);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.text).toContain('504 Gateway Time-out');
    expect(emu.acceptedPrefetches()).toHaveLength(1);
  });

  it('json-500-after accepts, then answers a JSON 500 without a Code', async () => {
    emu.injectFaults({ kind: 'json-500-after' });
    const res = await push();
    expect(res.status).toBe(500);
    expect(res.json()['Code']).toBeUndefined();
    expect(emu.acceptedPrefetches()).toHaveLength(1);
  });

  it('reset-after strikes RefreshObjectCaches too: the refresh is accepted, the answer lost', async () => {
    emu.injectFaults({ kind: 'reset-after', action: 'RefreshObjectCaches' });
    const url = 'https://www.example.com/refresh-me.css';
    await expect(
      rawCall(emu.url, { action: 'RefreshObjectCaches', form: { ObjectPath: url, ObjectType: 'File' } }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emu.acceptedRefreshes().map((r) => r.url)).toEqual([url]);
    expect(emu.acceptedPrefetches()).toHaveLength(0);
  });
});

describe('the task list and the clock', () => {
  const tasksOf = async (url: string, objectType = 'preload') => {
    const res = await rawCall(emu.url, {
      action: 'DescribeRefreshTasks',
      params: { ObjectPath: url, ObjectType: objectType },
    });
    return (res.json()['Tasks'] as { CDNTask: Record<string, string>[] }).CDNTask;
  };

  it('taskListLagMs: DescribeRefreshTasks lists a task only that long after its creation', async () => {
    await emu.close();
    emu = await emulators.start({ taskListLagMs: 400 });
    const res = await push();
    const url = emu.calls.at(-1)?.urls[0] ?? '';
    expect(await tasksOf(url)).toEqual([]);
    // DescribeRefreshTaskById is not affected.
    const byId = await rawCall(emu.url, {
      action: 'DescribeRefreshTaskById',
      params: { TaskId: String(res.json()['PushTaskId']) },
    });
    expect(byId.json()['TotalCount']).toBe(1);
    await new Promise((r) => setTimeout(r, 450));
    expect(await tasksOf(url)).toHaveLength(1);
  });

  it("seedTasks leaves an earlier run's tasks: found by look-ups, not counted as accepted", async () => {
    const url = 'https://www.example.com/earlier.js';
    const id = emu.seedTasks([url], { objectType: 'preload', ageMs: 17_000 });
    const [task] = await tasksOf(url);
    expect(task).toMatchObject({ TaskId: id, ObjectPath: url, ObjectType: 'preload' });
    const created = Date.parse(task?.['CreationTime'] ?? '');
    expect(Date.now() - created).toBeGreaterThanOrEqual(17_000);
    expect(Date.now() - created).toBeLessThan(19_000);
    expect(emu.acceptedPrefetches()).toEqual([]);
    expect(emu.taskRecords()).toEqual([expect.objectContaining({ taskId: id, seeded: true })]);
    expect(await tasksOf(url, 'file')).toEqual([]);
  });

  it('answers with a Date header from its own clock', async () => {
    await emu.close();
    emu = await emulators.start({ now: () => Date.now() - 3_600_000 + 1_000 });
    const res = await rawCall(emu.url, {
      action: 'DescribeRefreshQuota',
      date: new Date(Date.now() - 3_600_000),
    });
    const date = Date.parse(String(res.headers['date']));
    expect(Math.abs(date - (Date.now() - 3_600_000))).toBeLessThan(3_000);
  });

  it('quotaAnswers: DescribeRefreshQuota answers odd values, or leaves a field out', async () => {
    await emu.close();
    emu = await emulators.start({ quotaAnswers: { PreloadRemain: '10.7', UrlRemain: null } });
    const body = (await rawCall(emu.url, { action: 'DescribeRefreshQuota' })).json();
    expect(body['PreloadRemain']).toBe('10.7');
    expect('UrlRemain' in body).toBe(false);
    expect(body['PreloadQuota']).toBe('1000');
  });
});
