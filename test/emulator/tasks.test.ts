// Task records: progress over time, failures, merged IDs, and the two look-up actions.
import { describe, expect, it } from 'vitest';
import { emulatorPerTest } from '../helpers/emulator.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { rawCall, type RawCall } from '../helpers/sdk-client.js';

let emu: Emulator;
let clock = 0;
const emulator = emulatorPerTest(() => ({ now: () => clock }));

/** An emulator on a controllable clock (requests are dated by the same clock). */
async function start(options: EmulatorOptions = {}): Promise<void> {
  clock = Date.parse('2026-03-01T04:00:00.000Z');
  emu = await emulator.start(options);
}

async function call(action: string, params: Record<string, string>, extra: Partial<RawCall> = {}) {
  const res = await rawCall(emu.url, { action, params, date: new Date(clock), ...extra });
  return res.json();
}

const push = async (...urls: string[]) =>
  (await call('PushObjectCache', { ObjectPath: urls.join('\n') }))['PushTaskId'] as string;
const byId = (TaskId: string) => call('DescribeRefreshTaskById', { TaskId });

describe('task progress', () => {
  it('goes Pending -> Refreshing with linear Process -> Complete', async () => {
    await start({ taskDurationMs: 10 * 60_000 });
    const id = await push('https://www.example.com/p.js');
    expect(await byId(id)).toMatchObject({ TotalCount: 1, Tasks: [{ Status: 'Pending', Process: '0%' }] });
    clock += 4 * 60_000;
    expect(await byId(id)).toMatchObject({ Tasks: [{ Status: 'Refreshing', Process: '40%' }] });
    clock += 6 * 60_000;
    const done = await byId(id);
    expect(done['Tasks']).toEqual([
      {
        TaskId: id,
        ObjectPath: 'https://www.example.com/p.js',
        ObjectType: 'preload',
        Status: 'Complete',
        Process: '100%',
        CreationTime: '2026-03-01T04:00:00Z',
      },
    ]);
  });

  it('completes at once by default', async () => {
    await start();
    const id = await push('https://www.example.com/now.js');
    expect(await byId(id)).toMatchObject({ Tasks: [{ Status: 'Complete', Process: '100%' }] });
  });

  it('ends failUrls tasks Failed with their Description', async () => {
    await start({
      taskDurationMs: 1000,
      failUrls: (url) => (url.includes('broken') ? 'Origin Return StatusCode 5XX' : undefined),
    });
    const id = await push('https://www.example.com/ok.js', 'https://www.example.com/broken.js');
    expect(await byId(id)).toMatchObject({ Tasks: [{ Status: 'Pending' }, { Status: 'Pending' }] });
    clock += 1000;
    const tasks = (await byId(id))['Tasks'] as Record<string, unknown>[];
    expect(tasks[0]).toMatchObject({ Status: 'Complete' });
    expect(tasks[0]).not.toHaveProperty('Description');
    expect(tasks[1]).toMatchObject({ Status: 'Failed', Description: 'Origin Return StatusCode 5XX' });
  });

  it('gives refresh tasks ObjectType file', async () => {
    await start();
    const res = await rawCall(emu.url, {
      action: 'RefreshObjectCaches',
      form: { ObjectPath: 'https://www.example.com/r.js' },
      date: new Date(clock),
    });
    const id = res.json()['RefreshTaskId'] as string;
    expect(await byId(id)).toMatchObject({ Tasks: [{ ObjectType: 'file', Status: 'Complete' }] });
    expect(emu.acceptedRefreshes()).toEqual([{ url: 'https://www.example.com/r.js', taskId: id }]);
  });
});

describe('refresh tasks and per-URL durations', () => {
  const refresh = async (...urls: string[]) =>
    (
      await rawCall(emu.url, {
        action: 'RefreshObjectCaches',
        form: { ObjectPath: urls.join('\n'), ObjectType: 'File' },
        date: new Date(clock),
      })
    ).json()['RefreshTaskId'] as string;

  it('gives refresh tasks their own duration and failures', async () => {
    await start({
      taskDurationMs: 1000,
      refreshTaskDurationMs: 5000,
      failRefreshUrls: (url) => (url.endsWith('bad') ? 'Internal Error' : undefined),
      failUrls: (url) => (url.endsWith('push-bad') ? 'Origin Timeout' : undefined),
    });
    const id = await refresh('https://www.example.com/ok', 'https://www.example.com/bad');
    const pushed = await push('https://cdn.example.com/push-bad');
    clock += 1000;
    expect(await byId(id)).toMatchObject({ Tasks: [{ Status: 'Refreshing' }, { Status: 'Refreshing' }] });
    expect(await byId(pushed)).toMatchObject({
      Tasks: [{ Status: 'Failed', Description: 'Origin Timeout' }],
    });
    clock += 4000;
    const tasks = (await byId(id))['Tasks'] as Record<string, unknown>[];
    expect(tasks[0]).toMatchObject({ ObjectType: 'file', Status: 'Complete' });
    expect(tasks[0]).not.toHaveProperty('Description');
    expect(tasks[1]).toMatchObject({ Status: 'Failed', Description: 'Internal Error' });
  });

  it('takes a per-URL duration from taskDurationFor, and lists every task record', async () => {
    await start({
      taskDurationMs: 1000,
      taskDurationFor: (url, type) => (url.endsWith('slow') && type === 'preload' ? 60_000 : undefined),
    });
    const id = await push('https://www.example.com/fast', 'https://www.example.com/slow');
    const refreshId = await refresh('https://www.example.com/slow');
    clock += 1000;
    expect(await byId(id)).toMatchObject({
      Tasks: [{ Status: 'Complete' }, { Status: 'Refreshing', Process: '1%' }],
    });
    expect(await byId(refreshId)).toMatchObject({ Tasks: [{ Status: 'Complete' }] });
    const created = Date.parse('2026-03-01T04:00:00.000Z');
    expect(emu.taskRecords()).toEqual([
      {
        taskId: id,
        url: 'https://www.example.com/fast',
        objectType: 'preload',
        createdAt: created,
        endsAt: created + 1000,
      },
      {
        taskId: id,
        url: 'https://www.example.com/slow',
        objectType: 'preload',
        createdAt: created,
        endsAt: created + 60_000,
      },
      {
        taskId: refreshId,
        url: 'https://www.example.com/slow',
        objectType: 'file',
        createdAt: created,
        endsAt: created + 1000,
      },
    ]);
  });
});

describe('merged task IDs', () => {
  it('shares one ID per domain per second, listed in order of first appearance', async () => {
    await start();
    const ids = (
      await push('https://cdn.example.com/a', 'https://www.example.com/b', 'https://cdn.example.com/c')
    ).split(',');
    expect(ids).toHaveLength(2);
    expect(await byId(ids[0] ?? '')).toMatchObject({
      TotalCount: 2,
      Tasks: [{ ObjectPath: 'https://cdn.example.com/a' }, { ObjectPath: 'https://cdn.example.com/c' }],
    });
    clock += 200; // same second: merged into the same task
    expect(await push('https://cdn.example.com/d')).toBe(ids[0]);
    clock += 1000; // next second: a new task
    expect(await push('https://cdn.example.com/e')).not.toBe(ids[0]);
    expect(emu.acceptedPrefetches().map((p) => p.taskId)).toEqual([
      ids[0],
      ids[1],
      ids[0],
      ids[0],
      expect.not.stringMatching(ids[0] ?? ''),
    ]);
  });

  it('gives every URL its own ID when merging is disabled', async () => {
    await start({ mergeWindowMs: 0 });
    expect((await push('https://cdn.example.com/a', 'https://cdn.example.com/b')).split(',')).toHaveLength(2);
  });
});

describe('DescribeRefreshTaskById', () => {
  it('takes up to 10 comma-separated IDs', async () => {
    await start({ mergeWindowMs: 0 });
    const ids = (await push(...Array.from({ length: 11 }, (_, i) => `https://www.example.com/${i}`))).split(
      ',',
    );
    expect((await byId(ids.slice(0, 10).join(',')))['TotalCount']).toBe(10);
    expect((await byId(ids.join(',')))['Code']).toBe('InvalidTaskId.ExceedsMaximum');
    expect((await byId('12,abc'))['Code']).toBe('InvalidTaskId.Malformed');
    expect((await call('DescribeRefreshTaskById', {}))['Code']).toBe('MissingParameter');
    expect(await byId('1')).toMatchObject({ TotalCount: 0, Tasks: [] });
  });

  it('spells ObjectPath as answerObjectPath says, and leaves out what it drops', async () => {
    await start({
      answerObjectPath: (url) => (url.endsWith('/gone') ? undefined : url.toUpperCase()),
    });
    const id = await push('https://www.example.com/a', 'https://www.example.com/gone');
    expect(await byId(id)).toMatchObject({
      TotalCount: 1,
      Tasks: [{ ObjectPath: 'HTTPS://WWW.EXAMPLE.COM/A', Status: 'Complete' }],
    });
  });

  it('forgets tasks after three days', async () => {
    await start();
    const id = await push('https://www.example.com/old.js');
    clock += 3 * 86_400_000 + 1000;
    expect((await byId(id))['TotalCount']).toBe(0);
  });

  it('repeats <Tasks> elements in XML', async () => {
    await start();
    const id = await push('https://www.example.com/1', 'https://www.example.com/2');
    const res = await rawCall(emu.url, {
      action: 'DescribeRefreshTaskById',
      params: { TaskId: id },
      signature: 'v1',
      format: null,
      date: new Date(clock),
    });
    expect(res.text.match(/<Tasks><TaskId>/g)).toHaveLength(2);
    expect(res.text).toContain('<TotalCount>2</TotalCount>');
  });
});

describe('DescribeRefreshTasks', () => {
  async function seed(): Promise<string[]> {
    await start({
      taskDurationMs: 60_000,
      failUrls: (u) => (u.endsWith('bad') ? 'Origin Timeout' : undefined),
      rateLimits: { DescribeRefreshTasks: 0 }, // these tests look more than 5 times a second
    });
    const first = await push('https://www.example.com/a', 'https://cdn.example.com/bad');
    clock += 120_000;
    const second = await push('https://www.example.com/b');
    await rawCall(emu.url, {
      action: 'RefreshObjectCaches',
      form: { ObjectPath: 'https://www.example.com/a' },
      date: new Date(clock),
    });
    return [...first.split(','), second];
  }
  const tasks = async (params: Record<string, string>) => {
    const body = await call('DescribeRefreshTasks', params);
    return {
      body,
      paths: ((body['Tasks'] as { CDNTask?: { ObjectPath: string }[] } | undefined)?.CDNTask ?? []).map(
        (t) => t.ObjectPath,
      ),
    };
  };

  it('lists the last tasks, newest first, under Tasks.CDNTask', async () => {
    await seed();
    const { body, paths } = await tasks({});
    expect(body).toMatchObject({ PageNumber: 1, PageSize: 20, TotalCount: 4 });
    expect(paths).toEqual([
      'https://www.example.com/a',
      'https://www.example.com/b',
      'https://cdn.example.com/bad',
      'https://www.example.com/a',
    ]);
  });

  it('filters by TaskId, exact ObjectPath, DomainName + ObjectType and Status', async () => {
    const [cdnFirst, , second] = await seed();
    expect((await tasks({ TaskId: second ?? '' })).paths).toEqual(['https://www.example.com/b']);
    expect((await tasks({ ObjectPath: 'https://www.example.com/a' })).body['TotalCount']).toBe(2);
    expect((await tasks({ ObjectPath: 'https://www.example.com' })).body['TotalCount']).toBe(0);
    expect((await tasks({ DomainName: 'cdn.example.com', ObjectType: 'preload' })).paths).toEqual([
      'https://cdn.example.com/bad',
    ]);
    expect((await tasks({ ObjectType: 'file' })).paths).toEqual(['https://www.example.com/a']);
    expect((await tasks({ ObjectType: 'preload', Status: 'Failed' })).paths).toEqual([
      'https://cdn.example.com/bad',
    ]);
    expect((await tasks({ ObjectType: 'preload', Status: 'Pending' })).paths).toEqual([
      'https://www.example.com/b',
    ]);
    expect(cdnFirst).toMatch(/^\d+$/);
    expect((await tasks({ Status: 'Complete' })).body['Code']).toBe('MissingParameter');
  });

  it('filters by StartTime / EndTime and pages', async () => {
    await seed();
    const later = { StartTime: '2026-03-01T04:01:00Z' };
    expect((await tasks(later)).body['TotalCount']).toBe(2);
    expect((await tasks({ EndTime: '2026-03-01T04:00:00Z' })).body['TotalCount']).toBe(2);
    const page2 = await tasks({ PageSize: '3', PageNumber: '2' });
    expect(page2.body).toMatchObject({ PageNumber: 2, PageSize: 3, TotalCount: 4 });
    expect(page2.paths).toEqual(['https://www.example.com/a']);
    expect((await tasks({ PageSize: '101' })).body['Code']).toBe('InvalidParameter');
    expect((await tasks({ StartTime: '2026-03-01 04:00:00' })).body['Code']).toBe('InvalidParameter');
    expect(
      (await tasks({ StartTime: '2026-03-02T00:00:00Z', EndTime: '2026-03-01T00:00:00Z' })).body['Code'],
    ).toBe('InvalidParameter');
  });
});

describe('quota day', () => {
  it('restores the quotas at midnight UTC+8', async () => {
    await start({ preloadQuota: 10 });
    await push('https://www.example.com/1', 'https://www.example.com/2');
    expect(await call('DescribeRefreshQuota', {})).toMatchObject({ PreloadRemain: '8' });
    clock = Date.parse('2026-03-01T15:59:59Z');
    expect(await call('DescribeRefreshQuota', {})).toMatchObject({ PreloadRemain: '8' });
    clock = Date.parse('2026-03-01T16:00:00Z'); // 00:00 on 2 March in UTC+8
    expect(await call('DescribeRefreshQuota', {})).toMatchObject({ PreloadRemain: '10' });
  });
});
