/**
 * Carry-over: what the quota (or the deadline, or a retryable error) cut is warmed by the next runs,
 * oldest first after each run's own changes, until it is warmed, superseded, gone or too old.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyCode } from '../../src/alibaba/errors.js';
import { AlibabaError, type ErrorClass } from '../../src/base/errors.js';
import type { UrlOutcome } from '../../src/base/outcome.js';
import { SubmitLedger } from '../../src/submit/ledger.js';
import type { Candidate } from '../../src/urls/prepare.js';
import { notSentReason } from '../../src/runtime/stop.js';
import {
  carryCause,
  nextState,
  planSiteChanges,
  readState,
  scanSite,
  writeState,
} from '../../src/site/index.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { compileExcludes } from '../../src/urls/exclude.js';
import { BASE, deploy, page, paths, tempDir, writeSite } from '../helpers/site.js';

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

/** An API refusal as the client throws it: its class comes from the code's table, as in a real run. */
function refused(code: string | undefined, errorClass?: ErrorClass): AlibabaError {
  return new AlibabaError(code ?? 'socket hang up', {
    action: 'PushObjectCache',
    errorClass: errorClass ?? classifyCode(code ?? ''),
    code,
  });
}

/** The one outcome the submitter's ledger records for a URL when `record` happens to it. */
function recorded(record: (ledger: SubmitLedger, items: Candidate[]) => void): UrlOutcome {
  const ledger = new SubmitLedger();
  record(ledger, [{ url: `${BASE}/x`, host: 'www.example.com', source: 'site-dir', order: 1 }]);
  expect(ledger.outcomes).toHaveLength(1);
  return ledger.outcomes[0]!;
}

describe('which outcomes are carried', () => {
  it('carries URLs cut by the deadline and refused with a retryable error; not those whose outcome is unknown', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await deploy(workspace, { day: '2026-03-01' });
    writeSite(
      path.join(workspace, 'public'),
      site({ 'a.html': '2', 'b.html': '2', 'c.html': '2', 'd.html': '2', 'e.html': '2' }),
    );
    const fates: Record<string, (ledger: SubmitLedger, items: Candidate[]) => void> = {
      '/a.html': (ledger, items) => ledger.accept(items, () => '1', 'r1'),
      '/b.html': (ledger, items) => ledger.fail(items, 'Throttling.User', refused('Throttling.User')),
      '/c.html': (ledger, items) =>
        ledger.failUnknown(items, 'socket hang up; the look-up failed too', 'Throttling'),
      '/d.html': (ledger, items) =>
        ledger.fail(items, 'InvalidObjectPath.Malformed', refused('InvalidObjectPath.Malformed')),
      '/e.html': (ledger, items) => ledger.failNotSent(items, 'deadline', undefined),
    };
    const { next } = await deploy(workspace, {
      day: '2026-03-02',
      stopped: 'deadline',
      outcomeOf: (url, order) => {
        const ledger = new SubmitLedger();
        fates[url.slice(BASE.length)]!(ledger, [{ url, host: 'www.example.com', source: 'site-dir', order }]);
        return ledger.outcomes[0];
      },
    });
    expect(carriedInState(workspace).map((c) => [c.url, c.cause])).toEqual([
      ['/b.html', 'retryable'],
      ['/e.html', 'deadline'],
    ]);
    expect(next.carriedBy).toMatchObject({ retryable: 1, deadline: 1 });
  });

  const host = refused('InvalidDomain.NotFound');
  it.each<[string, (ledger: SubmitLedger, items: Candidate[]) => void, string | undefined]>([
    ['accepted', (ledger, items) => ledger.accept(items, () => '1', 'r1'), undefined],
    [
      'accepted, confirmed by a look-up',
      (l, items) => l.accept(items, () => '1', undefined, 'confirmed-by-lookup'),
      undefined,
    ],
    ['skipped for quota', (ledger, items) => ledger.skipForQuota(items, 0), 'quota'],
    ['skipped for quota (QuotaExceeded)', (ledger, items) => ledger.skipForQuota(items, undefined), 'quota'],
    ['cut by the deadline', (ledger, items) => ledger.failNotSent(items, 'deadline', undefined), 'deadline'],
    ['cut by a cancel', (ledger, items) => ledger.failNotSent(items, 'cancelled', undefined), 'cancelled'],
    [
      'not sent after a credential error',
      (ledger, items) => ledger.failNotSent(items, undefined, refused('InvalidAccessKeyId.NotFound')),
      'not-sent',
    ],
    [
      'refused with a credential error itself',
      (ledger, items) => ledger.fail(items, 'bad key', refused('InvalidAccessKeyId.NotFound')),
      'not-sent',
    ],
    [
      'refused for a missing permission',
      (ledger, items) => ledger.fail(items, 'Forbidden.RAM', refused('Forbidden.RAM')),
      'not-sent',
    ],
    [
      'not sent: its host was refused',
      (ledger, items) => ledger.fail(items, 'not sent: host', host),
      undefined,
    ],
    ['refused: its host', (ledger, items) => ledger.fail(items, 'InvalidDomain.NotFound', host), undefined],
    [
      'throttled',
      (ledger, items) => ledger.fail(items, 'Throttling.User', refused('Throttling.User')),
      'retryable',
    ],
    [
      'service busy',
      (ledger, items) => ledger.fail(items, 'ServiceBusy', refused('ServiceBusy')),
      'retryable',
    ],
    ['queue full', (ledger, items) => ledger.fail(items, 'full', refused('PreloadQueueFull')), 'retryable'],
    [
      'a network failure, after its retries',
      (ledger, items) => ledger.fail(items, 'ECONNREFUSED', refused(undefined, 'transient')),
      'retryable',
    ],
    [
      'a bad URL',
      (ledger, items) => ledger.fail(items, 'bad', refused('InvalidObjectPath.Malformed')),
      undefined,
    ],
    ['an unknown code', (ledger, items) => ledger.fail(items, 'Weird', refused('Weird.Code')), undefined],
    [
      'outcome unknown',
      (ledger, items) => ledger.failUnknown(items, 'the call was in flight when the run stopped'),
      undefined,
    ],
    [
      'outcome unknown, look-up throttled',
      (ledger, items) => ledger.failUnknown(items, 'x; the look-up failed too', 'Throttling'),
      undefined,
    ],
    [
      'refused until the deadline',
      (ledger, items) => ledger.failStopped(items, 'deadline', refused('PreloadQueueFull')),
      'retryable',
    ],
    [
      'stopped before a retry could go out',
      (ledger, items) => ledger.failStopped(items, 'cancelled', undefined),
      'cancelled',
    ],
  ])('%s', (_name, record, cause) => {
    expect(carryCause(recorded(record))).toBe(cause);
  });

  it.each<[string, UrlOutcome, string | undefined]>([
    ['dry run', { url: `${BASE}/x`, order: 1, status: 'planned' }, undefined],
    [
      'skipped by domains',
      { url: `${BASE}/x`, order: 1, status: 'skipped', skip: 'domains', reason: 'domains' },
      undefined,
    ],
    [
      'an entry that is not a URL',
      { url: 'ftp://x', order: 1, status: 'failed', reason: '"ftp://x" is not an http(s) URL' },
      undefined,
    ],
  ])('%s (not from the ledger)', (_name, outcome, cause) => {
    expect(carryCause(outcome)).toBe(cause);
  });

  it.each<[string, Partial<UrlOutcome>, string | undefined]>([
    ['refresh quota short', { notRefreshed: 'quota', refreshStatus: 'NotRefreshed' }, 'quota'],
    ['refresh not permitted', { notRefreshed: 'permission', refreshStatus: 'NotRefreshed' }, 'not-sent'],
    [
      'refresh refused for a passing reason',
      { notRefreshed: 'retryable', refreshStatus: 'NotRefreshed' },
      'retryable',
    ],
    [
      'refresh answer lost, in doubt',
      { notRefreshed: 'unknown', refreshStatus: 'NotRefreshed' },
      'retryable',
    ],
    ['refresh cut by the deadline', { notRefreshed: 'deadline', refreshStatus: 'NotRefreshed' }, 'deadline'],
    [
      'refresh refused for the URL itself',
      { notRefreshed: 'refused', refreshStatus: 'NotRefreshed' },
      undefined,
    ],
    ['refresh Failed at the CDN', { refreshStatus: 'Failed' }, 'retryable'],
    ['refresh still running at wait-timeout', { refreshStatus: 'Refreshing', refreshedAt: 'x' }, 'retryable'],
  ])('held back for its refresh: %s', (_name, refresh, cause) => {
    const outcome: UrlOutcome = {
      url: `${BASE}/x`,
      order: 1,
      status: 'skipped',
      skip: 'refresh',
      reason: 'refresh: held back from the prefetch',
      ...refresh,
    };
    expect(carryCause(outcome)).toBe(cause);
  });

  it('a carried URL keeps when its refresh was accepted, from this run or from the run that carried it', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await deploy(workspace, { day: '2026-03-01' });
    writeSite(path.join(workspace, 'public'), site({ 'a.html': '2', 'b.html': '2', 'c.html': '2' }));
    const read = await readState(path.join(workspace, 'state/site.json'));
    const scan = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE });
    const now = new Date('2026-03-02T00:00:00Z');
    const plan = planSiteChanges(scan, read, { changes: parseChanges(''), carryDays: 7, now });
    const skipped = (url: string, extra: Partial<UrlOutcome>): UrlOutcome => ({
      url: `${BASE}${url}`,
      order: 1,
      status: 'skipped',
      reason: 'r',
      ...extra,
    });
    const next = nextState({
      scan,
      plan,
      outcomes: [
        skipped('/a.html', {
          skip: 'quota',
          refreshStatus: 'Complete',
          refreshedAt: '2026-03-02T00:00:01.000Z',
        }),
        skipped('/b.html', { skip: 'refresh', refreshStatus: 'Failed' }),
        skipped('/c.html', { skip: 'refresh', refreshStatus: 'NotRefreshed', notRefreshed: 'quota' }),
      ],
      now,
    });
    expect(next.state.carried.map((c) => [c.url.slice(BASE.length), c.cause, c.refreshedAt])).toEqual([
      ['/a.html', 'quota', '2026-03-02T00:00:01.000Z'],
      ['/b.html', 'retryable', undefined],
      ['/c.html', 'quota', undefined],
    ]);
    // The next run plans them as carried, and hands the refresh on to the entries it gives the run.
    await writeState(path.join(workspace, 'state/site.json'), next.state);
    const again = planSiteChanges(scan, await readState(path.join(workspace, 'state/site.json')), {
      changes: parseChanges(''),
      carryDays: 7,
      now,
    });
    expect(again.urls.map((u) => [u.url.slice(BASE.length), u.change, u.firstChange, u.refreshedAt])).toEqual(
      [
        ['/a.html', 'carried', 'modified', '2026-03-02T00:00:01.000Z'],
        ['/b.html', 'carried', 'modified', undefined],
        ['/c.html', 'carried', 'modified', undefined],
      ],
    );
    // Not refreshed again, not sent again: an entry left as it was keeps its refreshedAt.
    const kept = nextState({ scan, plan: again, outcomes: [], stopped: 'deadline', now });
    expect(kept.state.carried.find((c) => c.url.endsWith('/a.html'))?.refreshedAt).toBe(
      '2026-03-02T00:00:01.000Z',
    );
  });

  it('never reads the reason: a reason that reads "not sent" decides nothing', () => {
    const outcome: UrlOutcome = {
      url: `${BASE}/x`,
      order: 1,
      status: 'failed',
      reason: notSentReason('deadline'),
    };
    expect(carryCause(outcome)).toBeUndefined();
    expect(carryCause({ ...outcome, reason: 'anything', notSent: 'deadline' })).toBe('deadline');
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
