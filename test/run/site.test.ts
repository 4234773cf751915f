/**
 * site-dir and state through a whole run (runPrefetch against the emulator): the order of the entries,
 * what each report row says, and the state written however the run ends — after success, a refusal
 * part-way, an exception, never in a dry run, with a warning when it cannot be written — and `state`
 * alone draining the carried list.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../helpers/logger.js';
import type { RunResult } from '../../src/report/result.js';
import { actionOutputs } from '../../src/report/outputs.js';
import { runPrefetch } from '../../src/run.js';
import type { RetryPolicy } from '../../src/runtime/retry.js';
import { RunStop } from '../../src/runtime/stop.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { configFrom, TEST_CREDENTIALS } from '../helpers/inputs.js';
import { BASE, page, tempDir, writeSite } from '../helpers/site.js';

const emulator = emulatorPerTest({
  credentials: { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.accessKeySecret },
});
const STATE = '.cdn-prefetch/state.json';
const FAST: RetryPolicy = {
  maxAttempts: 2,
  baseDelayMs: 1,
  maxDelayMs: 1,
  queueFullBaseDelayMs: 1,
  queueFullMaxDelayMs: 1,
  maxElapsedMs: 1_000,
};

/** Version 1 of a small site, and version 2: a page added (so every page's navigation changed), one page's own content edited, the CSS changed. */
function version(n: 1 | 2): Record<string, string | Buffer> {
  const nav = n === 1 ? ['/a.html', '/b.html'] : ['/a.html', '/b.html', '/c.html'];
  return {
    'index.html': page('Home', 'welcome', nav),
    'a.html': page('A', n === 1 ? 'first text' : 'edited text', nav),
    'b.html': page('B', 'b text', nav),
    ...(n === 2 ? { 'c.html': page('C', 'new page', nav) } : {}),
    'css/site.css': n === 1 ? 'body { color: black }' : 'body { color: navy }',
    'img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
  };
}

async function run(
  workspace: string,
  inputs: Record<string, string>,
  stop?: RunStop,
): Promise<{ result: RunResult; logger: MemoryLogger }> {
  const emu = emulator.current ?? (await emulator.start());
  const config = configFrom(
    {
      endpoint: emu.url,
      'base-url': BASE,
      'site-dir': 'public',
      state: STATE,
      'daily-quota': '1000',
      'poll-interval': '1',
      ...inputs,
    },
    { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: workspace },
    TEST_CREDENTIALS,
  );
  const logger = new MemoryLogger();
  const result = await runPrefetch(config, { logger, retryPolicy: FAST, ...(stop ? { stop } : {}) });
  return { result, logger };
}

/** A workspace whose state knows version 1 (a first run warmed it), with version 2 built. */
async function deployedOnce(): Promise<string> {
  const workspace = tempDir();
  writeSite(path.join(workspace, 'public'), version(1));
  await run(workspace, {});
  writeSite(path.join(workspace, 'public'), version(2));
  return workspace;
}

function stateOf(workspace: string): {
  carried: { url: string; cause: string; reason: string }[];
  files: object;
} {
  return JSON.parse(readFileSync(path.join(workspace, STATE), 'utf8'));
}

const short = (url: string): string => url.slice(BASE.length);

describe('the order of a run, and what each row says', () => {
  it('urls entries first, then pages whose own content changed, then chrome-only pages; every row says why', async () => {
    const workspace = await deployedOnce();
    const { result } = await run(workspace, { urls: `${BASE}/pinned` });
    const em = emulator.current!;
    // The plan's order: the urls entry, then own content edited, added, the CSS, then the pages
    // where only the navigation changed (the home page first). What changed in place is refreshed
    // first, in that order; what needs no refresh is prefetched at once, the rest once refreshed.
    expect(result.outcomes.map((o) => short(o.url))).toEqual([
      '/pinned',
      '/a.html',
      '/c.html',
      '/css/site.css',
      '/',
      '/b.html',
    ]);
    expect(em.acceptedRefreshes().map((r) => short(r.url))).toEqual([
      '/a.html',
      '/css/site.css',
      '/',
      '/b.html',
    ]);
    const sent = em.acceptedPrefetches().map((a) => short(a.url));
    // The first run's 5 URLs, then this one's.
    expect(sent.slice(5)).toEqual(['/pinned', '/c.html', '/a.html', '/css/site.css', '/', '/b.html']);
    const rows = new Map(result.outcomes.map((o) => [short(o.url), o]));
    expect(rows.get('/pinned')).toMatchObject({ refreshStatus: 'NotNeeded' });
    expect(rows.get('/c.html')).toMatchObject({
      refreshStatus: 'NotNeeded',
      refreshDescription: expect.stringMatching(/^added/),
    });
    expect(rows.get('/a.html')).toMatchObject({ refreshStatus: 'Complete', refreshedAt: expect.any(String) });
    expect(rows.get('/pinned')).not.toHaveProperty('change');
    expect(rows.get('/pinned')).not.toHaveProperty('chromeOnly');
    expect(rows.get('/a.html')).toMatchObject({ change: 'modified', source: 'site-dir: a.html' });
    expect(rows.get('/a.html')).not.toHaveProperty('chromeOnly');
    expect(rows.get('/c.html')).toMatchObject({ change: 'added' });
    expect(rows.get('/b.html')).toMatchObject({ change: 'modified', chromeOnly: true });
    expect(rows.get('/')).toMatchObject({
      change: 'modified',
      chromeOnly: true,
      source: 'site-dir: index.html',
    });
    expect(result.counts).toMatchObject({ submitted: 6, skipped: 0, failed: 0, total: 6 });
    expect(result.site).toMatchObject({
      counts: { files: 6, added: 1, modified: 4, chromeOnly: 2, unchanged: 1, carriedIn: 0 },
      stateFound: 'found',
      stateWritten: true,
      carriedOut: 0,
    });
  });

  it('a urls entry that is also a site change is one URL, sent once, in the place of the urls entry, and refreshed first as the change it is', async () => {
    const workspace = await deployedOnce();
    const { result } = await run(workspace, { urls: `/a.html` });
    const a = result.outcomes.filter((o) => o.url === `${BASE}/a.html`);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      source: 'urls: line 1',
      status: 'submitted',
      change: 'modified',
      refreshStatus: 'Complete',
    });
    expect(result.duplicates).toBe(1);
    expect(emulator.current!.acceptedRefreshes().filter((r) => r.url === `${BASE}/a.html`)).toHaveLength(1);
  });
});

describe('the state, however the run ends', () => {
  it('carries what the quota skipped; counts add up with them', async () => {
    const workspace = await deployedOnce();
    emulator.current!.setPreloadRemain(2);
    const { result, logger } = await run(workspace, { 'daily-quota': 'auto' });
    expect(result.counts).toMatchObject({ submitted: 2, skipped: 3, failed: 0, total: 5 });
    expect(logger.messages('warning')).toContainEqual(
      expect.stringMatching(/3 URLs skipped: .*carried in the state and warmed by the next runs/),
    );
    expect(stateOf(workspace).carried.map((c) => [short(c.url), c.cause])).toEqual([
      ['/css/site.css', 'quota'],
      ['/', 'quota'],
      ['/b.html', 'quota'],
    ]);
    expect(result.site).toMatchObject({ carriedOut: 3, stateWritten: true });
    expect(actionOutputs(result, 'r.json')['carried-count']).toBe('3');
  });

  it('after a credentials refusal part-way: what was not sent is carried as not sent', async () => {
    const workspace = await deployedOnce();
    const config = { 'batch-size': '2', 'requests-per-second': '1' };
    await emulator.start({ credentials: { other: 'x' } }); // this key is now unknown: InvalidAccessKeyId
    const { result } = await run(workspace, config);
    expect(result.fatal).toMatch(/InvalidAccessKeyId/);
    expect(result.counts.submitted).toBe(0);
    const carried = stateOf(workspace).carried;
    expect(carried).toHaveLength(5);
    expect(new Set(carried.map((c) => c.cause))).toEqual(new Set(['not-sent']));
    expect(result.site?.carriedOut).toBe(5);
  });

  it('after a refusal before sending (the quota read): every planned URL is carried as not sent', async () => {
    const workspace = await deployedOnce();
    await emulator.start({ credentials: { other: 'x' } });
    const { result } = await run(workspace, { 'daily-quota': 'auto' });
    expect(result.fatal).toMatch(/InvalidAccessKeyId/);
    expect(result.outcomes.map((o) => o.notSent)).toEqual(Array(5).fill('stopped'));
    expect(stateOf(workspace).carried.map((c) => c.cause)).toEqual(Array(5).fill('not-sent'));
    expect(result.site?.carriedOut).toBe(5);
  });

  it('when the run throws after the scan (a urls-file that is not there), the state is still written, every planned URL carried', async () => {
    const workspace = await deployedOnce();
    await expect(run(workspace, { 'urls-file': 'missing.txt' })).rejects.toThrow(/urls-file: cannot read/);
    const state = stateOf(workspace);
    expect(state.carried.map((c) => c.cause)).toEqual(Array(5).fill('not-sent'));
    // This deploy's hashes: the next run does not count these files as changed again.
    expect(Object.keys(state.files)).toContain('c.html');
    expect(emulator.current!.acceptedPrefetches()).toHaveLength(5); // the first run's only
  });

  it('a dry run leaves the state as it was', async () => {
    const workspace = await deployedOnce();
    const before = readFileSync(path.join(workspace, STATE), 'utf8');
    const mtime = statSync(path.join(workspace, STATE)).mtimeMs;
    const { result, logger } = await run(workspace, { 'dry-run': 'true' });
    expect(result.counts.planned).toBe(5);
    expect(readFileSync(path.join(workspace, STATE), 'utf8')).toBe(before);
    expect(statSync(path.join(workspace, STATE)).mtimeMs).toBe(mtime);
    expect(result.site).toMatchObject({ stateWritten: false });
    expect(result.site).not.toHaveProperty('carriedOut');
    expect(actionOutputs(result, 'r.json')['carried-count']).toBe('');
    expect(logger.messages('info')).toContain(`state: not written (dry run); ${STATE} is left as it was.`);
  });

  it('a state that cannot be written fails the run after it sent everything, naming state', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), version(1));
    writeFileSync(path.join(workspace, 'blocker'), 'a file, not a folder');
    const { result, logger } = await run(workspace, { state: 'blocker/state.json' });
    expect(result.counts.submitted).toBe(5);
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(/^state: blocker\/state\.json cannot be used \(it cannot be read: ENOTDIR/),
    ]);
    expect(result.fatal).toMatch(
      /^state: could not write blocker\/state\.json \(.*\)\. What was sent is sent/,
    );
    expect(result.site).toMatchObject({ stateWritten: false, stateError: result.fatal });
    expect(actionOutputs(result, 'r.json')['carried-count']).toBe('');
  });

  it('a run cancelled while the site is read plans nothing from it and leaves the state as it was', async () => {
    const workspace = await deployedOnce();
    const before = readFileSync(path.join(workspace, STATE), 'utf8');
    const stop = new RunStop();
    stop.stop('cancelled', 0);
    const { result, logger } = await run(workspace, { urls: `${BASE}/pinned` }, stop);
    expect(logger.messages('warning')).toContain(
      'site-dir: not read: the run was cancelled first; the state is left as it was.',
    );
    expect(result.outcomes.map((o) => [short(o.url), o.status, o.notSent])).toEqual([
      ['/pinned', 'failed', 'cancelled'],
    ]);
    expect(readFileSync(path.join(workspace, STATE), 'utf8')).toBe(before);
  });

  it('without state nothing is read or written, and carried-count is empty', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), version(1));
    const { result, logger } = await run(workspace, { state: '' });
    expect(result.counts.submitted).toBe(5);
    expect(existsSync(path.join(workspace, STATE))).toBe(false);
    expect(logger.messages('notice').filter((m) => m.startsWith('state'))).toEqual([]);
    expect(result.site).toMatchObject({ stateWritten: false, counts: { added: 5 } });
    expect(actionOutputs(result, 'r.json')['carried-count']).toBe('');
  });
});

describe('state alone (no site-dir): the carried list is drained', () => {
  it('warms the carried URLs within the quota, carries the rest on, and keeps the files', async () => {
    const workspace = await deployedOnce();
    emulator.current!.setPreloadRemain(1);
    await run(workspace, { 'daily-quota': 'auto' }); // 1 sent, 4 carried
    const files = stateOf(workspace).files;
    await emulator.start({
      credentials: { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.accessKeySecret },
      preloadQuota: 3,
    });
    const { result } = await run(workspace, { 'site-dir': '', 'base-url': '', 'daily-quota': 'auto' });
    expect(emulator.current!.acceptedPrefetches().map((a) => short(a.url))).toEqual([
      '/c.html',
      '/css/site.css',
      '/',
    ]);
    expect(result.outcomes.map((o) => o.change)).toEqual(['carried', 'carried', 'carried', 'carried']);
    expect(result.outcomes[0]).toMatchObject({ carriedSince: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    expect(stateOf(workspace).carried.map((c) => short(c.url))).toEqual(['/b.html']);
    expect(stateOf(workspace).files).toEqual(files);
    expect(result.site).toMatchObject({ carriedOut: 1, counts: { carriedIn: 4 } });
    expect(result.site).not.toHaveProperty('siteDir');
  });

  it('with no state yet: a notice, nothing sent, nothing written', async () => {
    const workspace = tempDir();
    const { result, logger } = await run(workspace, { 'site-dir': '', 'base-url': '' });
    expect(result.counts.total).toBe(0);
    expect(logger.messages('notice')[0]).toMatch(
      /^state: there is no \.cdn-prefetch\/state\.json yet, so there is nothing carried to warm/,
    );
    expect(existsSync(path.join(workspace, STATE))).toBe(false);
  });

  it('with a state that cannot be used: a warning naming state, and the file is left for the next deploy', async () => {
    const workspace = tempDir();
    mkdirSync(path.join(workspace, '.cdn-prefetch'));
    writeFileSync(path.join(workspace, STATE), '{"format":"cdn-prefetch-state","vers');
    const { logger } = await run(workspace, { 'site-dir': '', 'base-url': '' });
    expect(logger.messages('warning')[0]).toMatch(
      /^state: \.cdn-prefetch\/state\.json cannot be used \(it is not JSON/,
    );
    expect(readFileSync(path.join(workspace, STATE), 'utf8')).toBe('{"format":"cdn-prefetch-state","vers');
  });
});
