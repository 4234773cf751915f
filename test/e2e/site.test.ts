/**
 * site-dir + state through the bundled action (and the CLI) against the emulator, as a workflow runs
 * it: the state is restored into a fresh workspace before each run (as actions/cache/restore does) and
 * read back after it. Two versions of a small site written here; build stamps; a missing and a corrupt
 * state; a dry run; carry-over across runs under a quota of a few URLs; the state after a deadline, a
 * cancel and a credentials refusal. Every run must end by itself (exit code, never the harness's kill).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { type Emulator } from '../../emulator/index.js';
import { concurrentTest } from '../helpers/emulator.js';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { EXIT_NET_WARNING, runAction, type ActionRun, type RunOptions } from '../../emulator/harness.js';

const AK_ID = 'site-ak-id';
const AK_SECRET = 'site-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const SITE = 'https://www.example.com';
const STATE = '.cdn-prefetch/state.json';

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

/** A page as generators write it: a navigation listing every page, then the page's own `<main>`. */
function page(title: string, text: string, nav: readonly string[], stamp = ''): string {
  const links = nav.map((href) => `<li><a href="${href}">${href}</a></li>`).join('');
  return (
    `<!DOCTYPE html><html><head><title>${title}</title><link rel="stylesheet" href="/css/site.css"></head>` +
    `<body><nav><ul>${links}</ul></nav><main><h1>${title}</h1><p>${text}</p></main>` +
    `${stamp}</body></html>\n`
  );
}

const PAGES_V1 = ['/', '/docs/', '/docs/setup.html', '/ブログ/'];
const PAGES_V2 = [...PAGES_V1, '/docs/new.html'];

/**
 * The site as a build writes it into public/. Version 2: docs/new.html added (every page's navigation
 * changes with it), docs/setup.html's own text edited, the stylesheet changed, the rest as before.
 */
function build(version: 1 | 2, stamp = ''): Record<string, string | Buffer> {
  const nav = version === 1 ? PAGES_V1 : PAGES_V2;
  return {
    'public/index.html': page('Home', 'welcome', nav, stamp),
    'public/docs/index.html': page('Docs', 'all the docs', nav, stamp),
    'public/docs/setup.html': page('Setup', version === 1 ? 'install it' : 'install it with npm', nav, stamp),
    'public/ブログ/index.html': page('ブログ', '日本語の記事', nav, stamp),
    ...(version === 2 ? { 'public/docs/new.html': page('New', 'a new page', nav, stamp) } : {}),
    'public/css/site.css': version === 1 ? 'body { color: black }\n' : 'body { color: navy }\n',
    'public/img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    'public/robots.txt': 'User-agent: *\n',
    'public/.nojekyll': '',
  };
}

// A poll-interval of 1 s: the emulator's refresh tasks end at once, and the refresh wait polls first after one interval.
const INPUTS = { 'site-dir': 'public', 'base-url': SITE, state: STATE, 'poll-interval': '1' };

/** One workflow run: `state` is what actions/cache/restore put in place (none: the first run). */
async function deploy(
  emulator: Emulator,
  files: Record<string, string | Buffer>,
  state: string | undefined,
  inputs: Record<string, string> = {},
  options: RunOptions = {},
): Promise<ActionRun & { state: string | undefined }> {
  const run = await runAction(
    { endpoint: emulator.url, ...INPUTS, ...inputs },
    {
      env,
      timeoutMs: 30_000,
      ...options,
      files: { ...files, ...(state === undefined ? {} : { [STATE]: state }) },
    },
  );
  // Ended by itself: neither the harness's kill nor the exit net (the reader threads, the state's file
  // handle and every socket are closed).
  expect(run.killed, run.log).toBe(false);
  expect(run.log).not.toMatch(EXIT_NET_WARNING);
  const saved = await readFile(path.join(run.workspace, STATE), 'utf8').catch(() => undefined);
  return { ...run, state: saved };
}

interface Row {
  url: string;
  status: string;
  change?: string;
  chromeOnly?: boolean;
  carriedSince?: string;
  reason?: string;
  notSent?: string;
}
const rows = (run: ActionRun): Row[] => (run.report?.urls ?? []) as unknown as Row[];
const short = (url: string): string => url.slice(SITE.length);
const sent = (emulator: Emulator): string[] => emulator.acceptedPrefetches().map((a) => short(a.url));
const carried = (state: string | undefined): { url: string; cause: string }[] =>
  (JSON.parse(state ?? '{"carried":[]}') as { carried: { url: string; cause: string }[] }).carried.map(
    (c) => ({
      url: short(c.url),
      cause: c.cause,
    }),
  );

describe('two versions of a site', () => {
  it('the first run warms every file (no state: a notice) and writes the state; the second warms exactly what changed', async ({
    emulator,
  }) => {
    const first = await deploy(emulator, build(1), undefined);
    expect(first.exitCode).toBe(0);
    expect(first.log).toContain(
      `state: there is no ${STATE} yet, so every file of site-dir counts as added and nothing is carried`,
    );
    // Hidden files (.nojekyll) are no site files.
    expect(sent(emulator).sort()).toEqual(
      [
        '/',
        '/css/site.css',
        '/docs/',
        '/docs/setup.html',
        '/img/logo.png',
        '/robots.txt',
        '/%E3%83%96%E3%83%AD%E3%82%B0/',
      ].sort(),
    );
    expect(first.outputs['carried-count']).toBe('0');
    expect(first.state).toMatch(/^\{"format":"cdn-prefetch-state","version":1,/);

    const before = sent(emulator).length;
    const second = await deploy(emulator, build(2), first.state, { urls: `${SITE}/pinned/` });
    expect(second.exitCode).toBe(0);
    // The plan (the report's rows): urls first; then the home page (only its navigation changed);
    // then, each linked from (or loaded by) the 5 pages, own content changed — the stylesheet first,
    // then the pages by path — before the pages where only the navigation changed.
    expect(rows(second).map((row) => short(row.url))).toEqual([
      '/pinned/',
      '/',
      '/css/site.css',
      '/docs/new.html',
      '/docs/setup.html',
      '/docs/',
      '/%E3%83%96%E3%83%AD%E3%82%B0/',
    ]);
    // Sent: what needs no refresh at once, then what changed in place once refreshed, in plan order.
    expect(sent(emulator).slice(before)).toEqual([
      '/pinned/',
      '/docs/new.html',
      '/',
      '/css/site.css',
      '/docs/setup.html',
      '/docs/',
      '/%E3%83%96%E3%83%AD%E3%82%B0/',
    ]);
    const byUrl = new Map(rows(second).map((row) => [short(row.url), row]));
    expect(byUrl.get('/pinned/')).not.toHaveProperty('change');
    expect(byUrl.get('/docs/new.html')).toMatchObject({ change: 'added', status: 'submitted' });
    expect(byUrl.get('/docs/setup.html')).toMatchObject({ change: 'modified' });
    expect(byUrl.get('/docs/setup.html')).not.toHaveProperty('chromeOnly');
    expect(byUrl.get('/css/site.css')).toMatchObject({ change: 'modified' });
    expect(byUrl.get('/%E3%83%96%E3%83%AD%E3%82%B0/')).toMatchObject({
      change: 'modified',
      chromeOnly: true,
    });
    expect(byUrl.has('/img/logo.png')).toBe(false); // unchanged
    expect(second.report?.['site']).toMatchObject({
      counts: { files: 8, added: 1, modified: 5, chromeOnly: 3, unchanged: 2, excluded: 0 },
      stateFound: 'found',
      stateWritten: true,
      carriedOut: 0,
    });
    expect(second.outputs['submitted-count']).toBe('7');
    expect(second.summary).toContain('### Site `public`');
    expect(second.summary).toContain('Carried URLs: 0 carried in, 0 carried to the next run.');

    // The same build again: nothing to warm, a notice that says so, the step passes.
    const third = await deploy(emulator, build(2), second.state);
    expect(third.exitCode).toBe(0);
    expect(third.outputs['submitted-count']).toBe('0');
    expect(third.log).toMatch(
      /No URLs to prefetch: site-dir public has 8 files, none to warm \(8 unchanged\)/,
    );
  });
});

describe('build stamps', () => {
  const stamp = (when: string): string => `<!--\nMkDocs version : 1.4.2\nBuild Date UTC : ${when}\n-->`;

  it('with content-ignore naming the stamp, a rebuild with no content change plans nothing; without it every page is modified', async ({
    emulator,
  }) => {
    const ignore = { 'content-ignore': 'Build Date UTC : [^\\n]*' };
    const first = await deploy(emulator, build(1, stamp('2026-03-01 10:00:00.1+00:00')), undefined, ignore);
    const rebuilt = build(1, stamp('2026-03-02 09:30:00.7+00:00'));
    const quiet = await deploy(emulator, rebuilt, first.state, ignore);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.outputs['submitted-count']).toBe('0');
    expect(quiet.report?.['site']).toMatchObject({ counts: { modified: 0, unchanged: 7 } });

    const stamped = await deploy(emulator, build(1, stamp('2026-03-01 10:00:00.1+00:00')), undefined);
    const noisy = await deploy(emulator, rebuilt, stamped.state, { 'dry-run': 'true' });
    expect(noisy.report?.['site']).toMatchObject({ counts: { modified: 4, unchanged: 3 } });
  });
});

describe('the state file', () => {
  it('a corrupt state: a warning naming state, every file counts as added, the state is replaced and the old one kept aside', async ({
    emulator,
  }) => {
    const damaged = '{"format":"cdn-prefetch-state","version":1,"files":{"a';
    const run = await deploy(emulator, build(1), damaged);
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatch(/::warning::state: \.cdn-prefetch\/state\.json cannot be used \(it is not JSON/);
    expect(run.report?.['site']).toMatchObject({ stateFound: 'unusable', counts: { added: 7 } });
    expect(JSON.parse(run.state ?? '')).toMatchObject({ format: 'cdn-prefetch-state', carried: [] });
    const folder = path.join(run.workspace, '.cdn-prefetch');
    const aside = (await readdir(folder)).filter((name) => name !== 'state.json');
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(folder, aside[0]!), 'utf8')).toBe(damaged);
  });

  it('a file that is not a state: a configuration error naming state, the file left as it is, nothing sent', async ({
    emulator,
  }) => {
    const foreign = '{"name":"some-package","version":"1.0.0"}';
    const run = await deploy(emulator, build(1), foreign);
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(
      /::error::Configuration error: state: "\.cdn-prefetch\/state\.json" \(.*\) is a file that is not a cdn-prefetch state/,
    );
    expect(run.state).toBe(foreign);
    expect(emulator.calls).toEqual([]);
  });

  it('a dry run plans from the state but leaves it untouched, and sends nothing', async ({ emulator }) => {
    const first = await deploy(emulator, build(1), undefined);
    const before = sent(emulator).length;
    const dry = await deploy(emulator, build(2), first.state, { 'dry-run': 'true' });
    expect(dry.exitCode).toBe(0);
    expect(dry.state).toBe(first.state);
    expect(sent(emulator)).toHaveLength(before);
    expect(dry.outputs['planned-count']).toBe('6');
    expect(dry.outputs['carried-count']).toBe('');
    expect(dry.summary).toContain('the state was not written (dry run)');
  });

  it('site-dir that does not exist: a configuration error naming it, nothing sent, no state written', async ({
    emulator,
  }) => {
    const run = await deploy(emulator, {}, undefined);
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/::error::Configuration error: site-dir: "public" \(.*\) does not exist/);
    expect(emulator.calls).toEqual([]);
    expect(run.state).toBeUndefined();
  });
});

describe('carry-over under a quota of a few URLs', () => {
  it('what the quota cuts is warmed by the next runs, after their own changes, and a scheduled run with state alone drains the rest', async ({
    start,
  }) => {
    const emulator = await start({ preloadQuota: 100 });
    const first = await deploy(emulator, build(1), undefined);
    const quota = { 'daily-quota': 'auto', 'fail-on': 'error' };

    // Run 1: six URLs changed, the day's quota has 2 left.
    emulator.setPreloadRemain(2);
    const one = await deploy(emulator, build(2), first.state, quota);
    expect(one.exitCode).toBe(0);
    expect(rows(one).map((r) => [short(r.url), r.status])).toEqual([
      ['/', 'submitted'],
      ['/css/site.css', 'submitted'],
      ['/docs/new.html', 'skipped'],
      ['/docs/setup.html', 'skipped'],
      ['/docs/', 'skipped'],
      ['/%E3%83%96%E3%83%AD%E3%82%B0/', 'skipped'],
    ]);
    expect(carried(one.state)).toEqual([
      { url: '/docs/new.html', cause: 'quota' },
      { url: '/docs/setup.html', cause: 'quota' },
      { url: '/docs/', cause: 'quota' },
      { url: '/%E3%83%96%E3%83%AD%E3%82%B0/', cause: 'quota' },
    ]);
    expect(one.outputs['carried-count']).toBe('4');
    expect(one.summary).toContain('Carried URLs: 0 carried in, 4 carried to the next run.');

    // Run 2: its own change first (robots.txt), then the carried URLs, oldest first; quota 3.
    emulator.setPreloadRemain(3);
    const v3: Record<string, string | Buffer> = {
      ...build(2),
      'public/robots.txt': 'User-agent: *\nDisallow: /tmp/\n',
    };
    delete v3['public/docs/index.html']; // a carried page whose file is gone: dropped
    const two = await deploy(emulator, v3, one.state, quota);
    expect(rows(two).map((r) => [short(r.url), r.status, r.change])).toEqual([
      ['/robots.txt', 'submitted', 'modified'],
      ['/docs/new.html', 'submitted', 'carried'],
      ['/docs/setup.html', 'submitted', 'carried'],
      ['/%E3%83%96%E3%83%AD%E3%82%B0/', 'skipped', 'carried'],
    ]);
    expect(rows(two)[1]).toMatchObject({ carriedSince: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    expect(two.report?.['site']).toMatchObject({ counts: { carriedIn: 3, carriedGone: 1 }, carriedOut: 1 });
    expect(two.outputs['carried-count']).toBe('1');
    // Counts add up, carried URLs included.
    expect(two.report?.['counts']).toMatchObject({ submitted: 3, skipped: 1, failed: 0, total: 4 });

    // Run 3: a scheduled workflow with state alone drains what is left, and keeps the files.
    emulator.setPreloadRemain(3);
    const drain = await deploy(emulator, {}, two.state, { 'site-dir': '', 'base-url': '', ...quota });
    expect(drain.exitCode).toBe(0);
    expect(rows(drain).map((r) => [short(r.url), r.status, r.change])).toEqual([
      ['/%E3%83%96%E3%83%AD%E3%82%B0/', 'submitted', 'carried'],
    ]);
    expect(drain.outputs['carried-count']).toBe('0');
    expect(JSON.parse(drain.state ?? '').files).toEqual(JSON.parse(two.state ?? '').files);
  });
});

describe('the state after a run that did not finish', () => {
  const slowly = { 'batch-size': '1', 'requests-per-second': '1', 'daily-quota': '100' };

  it('at the deadline: what was not sent is carried as cut by the deadline', async ({ emulator }) => {
    const first = await deploy(emulator, build(1), undefined);
    emulator.injectFaults({ kind: 'delay', delayMs: 1500, times: 100 });
    const run = await deploy(emulator, build(2), first.state, { ...slowly, timeout: '2' });
    expect(run.exitCode).toBe(1);
    const cut = rows(run).filter((r) => r.notSent === 'deadline');
    expect(cut.length).toBeGreaterThan(0);
    const submitted = rows(run)
      .filter((r) => r.status === 'submitted')
      .map((r) => short(r.url));
    expect(carried(run.state).map((c) => c.url)).toEqual(
      rows(run)
        .map((r) => short(r.url))
        .filter((url) => !submitted.includes(url)),
    );
    expect(new Set(carried(run.state).map((c) => c.cause))).toEqual(new Set(['deadline']));
  });

  it('cancelled (SIGINT): what was not sent is carried as cancelled', async ({ emulator }) => {
    const first = await deploy(emulator, build(1), undefined);
    const pushes = (): number => emulator.calls.filter((c) => c.action === 'PushObjectCache').length;
    const already = pushes();
    const run = await deploy(emulator, build(2), first.state, slowly, {
      signals: [{ signal: 'SIGINT', when: () => pushes() >= already + 2 }],
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('SIGINT: cancelling');
    const causes = carried(run.state).map((c) => c.cause);
    expect(causes.length).toBeGreaterThan(0);
    expect(new Set(causes)).toEqual(new Set(['cancelled']));
    const submitted = rows(run).filter((r) => r.status === 'submitted').length;
    expect(submitted + causes.length).toBe(6);
  });

  it.for([
    ['during submission', '100'],
    ['at the quota read, before sending', 'auto'],
  ] as const)(
    'after a credentials refusal %s: every planned URL is carried as not sent',
    async ([, quota], { emulator }) => {
      const first = await deploy(emulator, build(1), undefined);
      const run = await deploy(
        emulator,
        build(2),
        first.state,
        { 'daily-quota': quota },
        { env: { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' } },
      );
      expect(run.exitCode).toBe(1);
      expect(run.log).toMatch(/SignatureDoesNotMatch/);
      expect(rows(run)).toHaveLength(6);
      expect(carried(run.state)).toHaveLength(6);
      expect(new Set(carried(run.state).map((c) => c.cause))).toEqual(new Set(['not-sent']));
      expect(run.outputs['carried-count']).toBe('6');
    },
  );
});

describe('the CLI', () => {
  it('--site-dir and --state: the same plan, the closing table says what the site held and what was carried', async ({
    emulator,
  }) => {
    const cli = (files: Record<string, string | Buffer>, args: string[] = []) =>
      runCliBundle(
        ['--endpoint', emulator.url, '--site-dir', 'public', '--base-url', SITE, '--state', STATE, ...args],
        {
          env,
          files,
          timeoutMs: 30_000,
        },
      );
    const first = await cli(build(1));
    expect(first.exitCode).toBe(0);
    expect(first.killed).toBe(false);
    expect(first.stderr).not.toMatch(EXIT_NET_WARNING);
    expect(first.stdout).toContain(
      'Site public: no state .cdn-prefetch/state.json yet: every file counts as added',
    );
    const state = await readFile(path.join(first.cwd, STATE), 'utf8');
    const second = await cli({ ...build(2), [STATE]: state }, ['--dry-run']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('Site public: compared with the state .cdn-prefetch/state.json\n');
    expect(second.stdout).toContain(
      '  8 files · 1 added · 5 modified (3 navigation-only) · 2 unchanged · 0 excluded',
    );
    expect(second.stdout).toContain('  carried: 0 carried in, the state was not written (dry run)');
    expect(await readFile(path.join(second.cwd, STATE), 'utf8')).toBe(state);
  });
});

describe("README's promise: dry-run: true shows the plan", () => {
  it('the job summary lists every URL the run would send, in order, with why; nothing is sent', async ({
    emulator,
  }) => {
    const run = await deploy(emulator, build(1), undefined, { 'dry-run': 'true' });
    expect(run.exitCode).toBe(0);
    expect(emulator.acceptedPrefetches()).toEqual([]);
    const planned = rows(run).map((row) => short(row.url));
    expect(planned[0]).toBe('/');
    const section = run.summary.slice(run.summary.indexOf('<details><summary>Planned'));
    expect(section).toMatch(
      /^<details><summary>Planned \(dry run: not sent\), in the order they would be sent: 7 URLs<\/summary>/,
    );
    const listed = [...section.matchAll(/^\| (https:\/\/\S+) \| (\w[\w-]*) \| (.*) \|$/gm)].map((m) => [
      short(m[1] ?? ''),
      m[2],
      m[3],
    ]);
    expect(listed.map(([url]) => url)).toEqual(planned);
    expect(listed[0]).toEqual(['/', 'added', 'linked from 4 pages']);
    expect(listed.find(([url]) => url === '/css/site.css')).toEqual([
      '/css/site.css',
      'added',
      'loaded by 4 pages',
    ]);
    expect(listed.find(([url]) => url === '/robots.txt')).toEqual([
      '/robots.txt',
      'added',
      'no page links to it',
    ]);
  });
});
