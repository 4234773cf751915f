/**
 * Carry-over: what the quota (or the deadline, or a retryable error) cut is warmed by the next runs,
 * oldest first after each run's own changes, until it is warmed, superseded, gone or too old.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import { notSentReason } from '../../src/runtime/stop.js';
import { carryCause, nextState, planSiteChanges, readState, scanSite } from '../../src/site/index.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { compileExcludes } from '../../src/urls/exclude.js';
import { BASE, deploy, page, paths, tempDir, writeSite } from './helpers.js';

function site(edits: Record<string, string> = {}, removed: string[] = []): Record<string, string> {
  const files: Record<string, string> = {
    'index.html': page('Home', 'v1'),
    'a.html': 'a v1',
    'b.html': 'b v1',
    'c.html': 'c v1',
    'd.html': 'd v1',
    'e.html': 'e v1',
    'f.html': 'f v1',
    ...edits,
  };
  for (const file of removed) delete files[file];
  return files;
}

/** The state file as written, for asserting on what is carried. */
function carriedInState(workspace: string): { url: string; since: string; cause: string; change: string }[] {
  const state = JSON.parse(readFileSync(path.join(workspace, 'state/site.json'), 'utf8')) as {
    carried: { url: string; since: string; cause: string; change: string }[];
  };
  return state.carried.map(({ url, since, cause, change }) => ({
    url: url.slice(BASE.length),
    since,
    cause,
    change,
  }));
}

describe('carry-over across three runs with a quota of a few URLs', () => {
  it('warms what the quota cut on the next runs, after their own changes; superseded and gone entries are dropped', async () => {
    const workspace = tempDir();
    const public_ = path.join(workspace, 'public');
    writeSite(public_, site());
    await deploy(workspace, { day: '2026-03-01' }); // the first state: everything warm

    // Run 1: six files changed, the quota takes two.
    writeSite(
      public_,
      site({
        'a.html': 'a v2',
        'b.html': 'b v2',
        'c.html': 'c v2',
        'd.html': 'd v2',
        'e.html': 'e v2',
        'f.html': 'f v2',
      }),
    );
    const run1 = await deploy(workspace, { quota: 2, day: '2026-03-02' });
    expect(paths(run1.plan)).toEqual(['/a.html', '/b.html', '/c.html', '/d.html', '/e.html', '/f.html']);
    expect(run1.next.carried).toBe(4);
    expect(run1.next.carriedBy).toMatchObject({ quota: 4 });
    expect(carriedInState(workspace)).toEqual(
      ['/c.html', '/d.html', '/e.html', '/f.html'].map((url) => ({
        url,
        since: '2026-03-02',
        cause: 'quota',
        change: 'modified',
      })),
    );

    // Run 2: two new pages, c.html changed again, d.html deleted. The quota takes three.
    writeSite(
      public_,
      site(
        {
          'a.html': 'a v2',
          'b.html': 'b v2',
          'c.html': 'c v3',
          'e.html': 'e v2',
          'f.html': 'f v2',
          'g.html': 'g',
          'h.html': 'h',
        },
        ['d.html'],
      ),
    );
    const run2 = await deploy(workspace, { quota: 3, day: '2026-03-03' });
    expect(run2.plan.urls.map((u) => [u.url.slice(BASE.length), u.change])).toEqual([
      ['/c.html', 'modified'], // carried, changed again: counted once, as this deploy's change
      ['/g.html', 'added'],
      ['/h.html', 'added'],
      ['/e.html', 'carried'],
      ['/f.html', 'carried'],
    ]);
    expect(run2.plan.counts).toMatchObject({
      carriedIn: 2,
      carriedSuperseded: 1,
      carriedGone: 1,
      carriedAged: 0,
    });
    expect(carriedInState(workspace)).toEqual([
      { url: '/e.html', since: '2026-03-02', cause: 'quota', change: 'modified' }, // keeps its first day
      { url: '/f.html', since: '2026-03-02', cause: 'quota', change: 'modified' },
    ]);

    // Run 3: nothing changed; a scheduled run drains the carried list.
    const run3 = await deploy(workspace, { quota: 5, day: '2026-03-04' });
    expect(run3.plan.urls.map((u) => [u.url.slice(BASE.length), u.change, u.since])).toEqual([
      ['/e.html', 'carried', '2026-03-02'],
      ['/f.html', 'carried', '2026-03-02'],
    ]);
    expect(run3.next.carried).toBe(0);
    expect(carriedInState(workspace)).toEqual([]);

    // Run 4: nothing left to do.
    const run4 = await deploy(workspace, { quota: 5, day: '2026-03-05' });
    expect(run4.plan.urls).toEqual([]);
  });

  it('a run without a state carries nothing forward, and says how many URLs it left cold', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    const first = await deploy(workspace, { quota: 2 });
    expect(first.plan.urls).toHaveLength(7);
    expect(first.next).toMatchObject({ carried: 0, leftCold: 5 });
    expect(first.next.notices).toEqual([
      expect.stringMatching(
        /^state: 5 URLs of site-dir were not warmed in this first run \(no previous state\) and are not carried/,
      ),
    ]);
    expect(carriedInState(workspace)).toEqual([]);
    // The next run diffs against the first one's hashes: nothing changed, nothing to warm.
    const second = await deploy(workspace, { quota: 2 });
    expect(second.plan.urls).toEqual([]);
  });
});

describe("carried URLs and the run's inputs", () => {
  async function withCarried() {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await deploy(workspace, { day: '2026-03-01' });
    writeSite(path.join(workspace, 'public'), site({ 'a.html': 'a v2', 'b.html': 'b v2' }));
    await deploy(workspace, { quota: 0, day: '2026-03-02' }); // a and b carried
    return workspace;
  }

  it('with changes: all, a carried URL is listed once, as carried, after every file of the site', async () => {
    const workspace = await withCarried();
    const { plan } = await deploy(workspace, { changes: parseChanges('all'), quota: 0, day: '2026-03-03' });
    expect(plan.urls.map((u) => [u.url.slice(BASE.length), u.change])).toEqual([
      ['/', 'unchanged'],
      ['/c.html', 'unchanged'],
      ['/d.html', 'unchanged'],
      ['/e.html', 'unchanged'],
      ['/f.html', 'unchanged'],
      ['/a.html', 'carried'],
      ['/b.html', 'carried'],
    ]);
  });

  it('a carried URL that exclude now matches is dropped, and counted', async () => {
    const workspace = await withCarried();
    const { plan, next } = await deploy(workspace, {
      exclude: compileExcludes('/a.html'),
      quota: 0,
      day: '2026-03-03',
    });
    expect(paths(plan)).toEqual(['/b.html']);
    expect(plan.counts).toMatchObject({ carriedIn: 1, carriedExcluded: 1, excluded: 1 });
    expect(next.carried).toBe(1);
  });
});

describe('carry-days', () => {
  async function carriedOn(day: string, carryDays?: number) {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await deploy(workspace, { day: '2026-03-01' });
    writeSite(path.join(workspace, 'public'), site({ 'a.html': 'a v2', 'b.html': 'b v2' }));
    await deploy(workspace, { quota: 0, day: '2026-03-02' }); // both carried since 2026-03-02
    return deploy(workspace, { quota: 0, day, ...(carryDays === undefined ? {} : { carryDays }) });
  }

  it('keeps an entry for carry-days (default 7) days after the day it was first planned', async () => {
    const { plan, next } = await carriedOn('2026-03-09');
    expect(plan.counts).toMatchObject({ carriedIn: 2, carriedAged: 0 });
    expect(next.carried).toBe(2);
  });

  it('drops it after that, with a notice', async () => {
    const { plan, next } = await carriedOn('2026-03-10');
    expect(plan.urls).toEqual([]);
    expect(plan.counts).toMatchObject({ carriedIn: 0, carriedAged: 2 });
    expect(plan.notices).toEqual([
      expect.stringMatching(
        /^state: 2 carried URLs were dropped, first planned more than carry-days \(7\) days ago \(the oldest on 2026-03-02\)/,
      ),
    ]);
    expect(next.carried).toBe(0);
  });

  it('follows a carry-days of 1', async () => {
    expect((await carriedOn('2026-03-03', 1)).plan.counts.carriedIn).toBe(2);
    expect((await carriedOn('2026-03-04', 1)).plan.counts.carriedAged).toBe(2);
  });
});

describe('which outcomes are carried', () => {
  it('carries URLs cut by the deadline and refused with a retryable error; not those whose outcome is unknown', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await deploy(workspace, { day: '2026-03-01' });
    writeSite(
      path.join(workspace, 'public'),
      site({ 'a.html': '2', 'b.html': '2', 'c.html': '2', 'd.html': '2', 'e.html': '2' }),
    );
    const fates: Record<string, Omit<UrlOutcome, 'url' | 'order'>> = {
      '/a.html': { status: 'submitted', taskId: '1' },
      '/b.html': { status: 'failed', reason: 'PushObjectCache: Throttling.User', code: 'Throttling.User' },
      '/c.html': {
        status: 'failed',
        reason:
          'outcome unknown: socket hang up; the look-up failed too (Throttling), so it was not sent again',
        code: 'Throttling',
        outcomeUnknown: true,
      },
      '/d.html': {
        status: 'failed',
        reason: 'InvalidObjectPath.Malformed',
        code: 'InvalidObjectPath.Malformed',
      },
      '/e.html': { status: 'failed', reason: notSentReason('deadline') },
    };
    const { next } = await deploy(workspace, {
      day: '2026-03-02',
      stopped: 'deadline',
      outcomeOf: (url, order) => ({ url, order, ...fates[url.slice(BASE.length)]! }),
    });
    expect(carriedInState(workspace).map((c) => [c.url, c.cause])).toEqual([
      ['/b.html', 'retryable'],
      ['/e.html', 'deadline'],
    ]);
    expect(next.carriedBy).toMatchObject({ retryable: 1, deadline: 1 });
  });

  it.each<
    [string, Omit<UrlOutcome, 'url' | 'order'>, 'deadline' | 'cancelled' | undefined, string | undefined]
  >([
    ['accepted', { status: 'submitted', taskId: '1' }, undefined, undefined],
    ['dry run', { status: 'planned' }, undefined, undefined],
    ['skipped for quota', { status: 'skipped', skip: 'quota', reason: 'quota: 0 left' }, undefined, 'quota'],
    ['skipped by domains', { status: 'skipped', skip: 'domains', reason: 'domains' }, undefined, undefined],
    ['cut by the deadline', { status: 'failed', reason: notSentReason('deadline') }, 'deadline', 'deadline'],
    ['cut by a cancel', { status: 'failed', reason: notSentReason('cancelled') }, 'cancelled', 'cancelled'],
    [
      'not sent after a credential error',
      { status: 'failed', reason: 'not sent: the run stopped at InvalidAccessKeyId.NotFound' },
      undefined,
      'not-sent',
    ],
    [
      'not sent: its host was refused',
      {
        status: 'failed',
        reason: 'not sent: a.example.com was refused with InvalidDomain.NotFound',
        code: 'InvalidDomain.NotFound',
      },
      undefined,
      undefined,
    ],
    [
      'throttled',
      { status: 'failed', reason: 'Throttling.User', code: 'Throttling.User' },
      undefined,
      'retryable',
    ],
    [
      'service busy',
      { status: 'failed', reason: 'ServiceBusy', code: 'ServiceBusy' },
      undefined,
      'retryable',
    ],
    [
      'queue full',
      { status: 'failed', reason: 'PreloadQueueFull', code: 'PreloadQueueFull' },
      undefined,
      'retryable',
    ],
    [
      'a bad URL',
      { status: 'failed', reason: 'InvalidObjectPath.Malformed', code: 'InvalidObjectPath.Malformed' },
      undefined,
      undefined,
    ],
    ['an unknown code', { status: 'failed', reason: 'Weird', code: 'Weird.Code' }, undefined, undefined],
    [
      'outcome unknown',
      {
        status: 'failed',
        reason: 'outcome unknown: the call was in flight when the run stopped',
        outcomeUnknown: true,
      },
      'deadline',
      undefined,
    ],
    [
      'outcome unknown, look-up throttled',
      {
        status: 'failed',
        reason: 'outcome unknown: x; the look-up failed too',
        code: 'Throttling',
        outcomeUnknown: true,
      },
      undefined,
      undefined,
    ],
    [
      'refused until the deadline',
      {
        status: 'failed',
        reason: "deadline: refused with PreloadQueueFull until the run's timeout",
        code: 'PreloadQueueFull',
      },
      'deadline',
      'retryable',
    ],
    [
      'an entry that is not a URL',
      { status: 'failed', reason: '"ftp://x" is not an http(s) URL' },
      undefined,
      undefined,
    ],
  ])('%s', (_name, fate, stopped, cause) => {
    expect(carryCause({ url: `${BASE}/x`, order: 1, ...fate }, stopped)).toBe(cause);
  });

  it('a planned URL with no outcome (the run ended before it) is carried as not sent', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await deploy(workspace, { day: '2026-03-01' });
    writeSite(path.join(workspace, 'public'), site({ 'a.html': '2' }));
    const read = await readState(path.join(workspace, 'state/site.json'));
    const scan = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE });
    const now = new Date('2026-03-02T00:00:00Z');
    const plan = planSiteChanges(scan, read, { changes: parseChanges(''), carryDays: 7, now });
    const cancelled = nextState({ scan, plan, outcomes: [], stopped: 'cancelled', now });
    expect(cancelled.state.carried).toEqual([
      expect.objectContaining({
        url: `${BASE}/a.html`,
        cause: 'cancelled',
        reason: notSentReason('cancelled'),
      }),
    ]);
    const failed = nextState({ scan, plan, outcomes: [], now });
    expect(failed.state.carried).toEqual([expect.objectContaining({ cause: 'not-sent' })]);
  });
});
