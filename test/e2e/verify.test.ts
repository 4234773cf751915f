/**
 * `verify`, through the bundled action (dist/index.js) against the emulator's edge, reached as a real
 * site is reached: `base-url` is http://www.example.com and HTTP_PROXY points at the edge, so the checks
 * take the project's own http door, proxy support included. The previous deploy is cached at the edge
 * (a site with visitors), the origin serves the new one, and each test changes one thing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';
import { concurrentTest, type StartEmulator } from '../helpers/emulator.js';
import { page, writeSite } from '../helpers/site.js';

const AK_ID = 'verify-ak-id';
const AK_SECRET = 'verify-secret-value-0042';
const SITE = 'http://www.example.com';
const STATE = '.cdn-prefetch/state.json';

const it = concurrentTest({
  credentials: { [AK_ID]: AK_SECRET },
  taskDurationMs: 200,
  refreshTaskDurationMs: 300,
});

type Files = Record<string, string>;

const COMMON: Files = {
  'about/index.html': page('About', 'Who we are.'),
  'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
};
/** The previous deploy. */
const V1: Files = { ...COMMON, 'index.html': page('Home', 'Version 1.'), 'css/site.css': 'a{color:red}' };
/** This deploy: the home page and the stylesheet edited in place, a post added. */
const V2: Files = {
  ...COMMON,
  'index.html': page('Home', 'Version 2.'),
  'css/site.css': 'a{color:blue}',
  'blog/new/index.html': page('New', 'A new post.'),
};
const CHANGED = [`${SITE}/`, `${SITE}/blog/new/`, `${SITE}/css/site.css`];

interface Row {
  url: string;
  status: string;
  change?: string;
  edge?: string;
  edgeStatus?: number;
  edgeHeaders?: Record<string, string>;
  edgeUnchecked?: string;
  edgeNote?: string;
  edgeAskedTwice?: boolean;
}

const rows = (run: ActionRun): Row[] => (run.report?.urls ?? []) as unknown as Row[];
const edgeOf = (run: ActionRun): Record<string, string | undefined> =>
  Object.fromEntries(rows(run).map((row) => [row.url, row.edge]));

/** What a test gives the helpers below: its own emulators and folders. */
interface Own {
  start: StartEmulator;
  tempDir: () => string;
}

/** A folder of the test's holding `files`. */
function folder({ tempDir }: Pick<Own, 'tempDir'>, files: Files): string {
  const dir = path.join(tempDir(), 'site');
  writeSite(dir, files);
  return dir;
}

function prefixed(files: Files): Files {
  return Object.fromEntries(Object.entries(files).map(([name, text]) => [`public/${name}`, text]));
}

function run(em: Emulator, inputs: Record<string, string>, files: Files, state?: string): Promise<ActionRun> {
  return runAction(
    {
      endpoint: em.url,
      'poll-interval': '1',
      'site-dir': 'public',
      'base-url': SITE,
      state: STATE,
      ...inputs,
    },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET,
        HTTP_PROXY: em.edge.url,
      },
      files: { ...prefixed(files), ...(state ? { [STATE]: state } : {}) },
    },
  );
}

/**
 * The situation after the previous deploy: its state written by a run, every file of it cached at the
 * edge as visitors left it. `prepare` runs while the origin still serves the previous deploy (a fault
 * that keeps an old copy is injected then); then the origin serves `deployed`.
 */
async function afterPreviousDeploy(
  own: Own,
  options: EmulatorOptions = {},
  deployed: Files = V2,
  prepare?: (em: Emulator) => void,
): Promise<{ em: Emulator; state: string }> {
  const em = await own.start({ edge: { originDir: folder(own, V1) }, ...options });
  const first = await run(em, {}, V1);
  expect(first.exitCode).toBe(0);
  const state = await readFile(path.join(first.workspace, STATE), 'utf8');
  await em.edge.settled();
  em.edge.seed({ baseUrl: SITE });
  prepare?.(em);
  em.edge.origin.serve(folder(own, deployed));
  return { em, state };
}

describe('verify', () => {
  it('finds a correct deploy all fresh, from the warm cache, without spoiling a prefetch or sending a credential', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, state } = await afterPreviousDeploy(own);
    const before = em.edge.requests.length;
    const notFilled = em.edge.totals().prefetchesNotFilled;
    const result = await run(em, { refresh: 'true', verify: 'true' }, V2, state);

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      'submitted-count': '3',
      'fresh-count': '3',
      'stale-count': '0',
      'missing-count': '0',
      'unchecked-count': '0',
      'completed-count': '3', // verify waited for the prefetch tasks
    });
    expect(edgeOf(result)).toMatchObject(Object.fromEntries(CHANGED.map((url) => [url, 'fresh'])));
    for (const row of rows(result).filter((r) => r.edge)) {
      expect(row).toMatchObject({
        edgeStatus: 200,
        edgeHeaders: { 'X-Cache': expect.stringMatching(/^HIT /) },
      });
      expect(row.edgeHeaders?.['Via']).toMatch(/kunlun7/);
    }
    // Every check came after its prefetch filled the cache: none of them was the first to fill it.
    expect(em.edge.totals().prefetchesNotFilled).toBe(notFilled);
    const checks = em.edge.requests.slice(before);
    expect(checks.map((r) => `${r.form} ${r.host}${r.target} ${r.cache}`).sort()).toEqual([
      'absolute www.example.com/ HIT',
      'absolute www.example.com/blog/new/ HIT',
      'absolute www.example.com/css/site.css HIT',
    ]);
    // As a visitor asks: a browser's encodings, and no credential of any kind.
    for (const check of checks) {
      expect(check.method).toBe('GET');
      expect(check.headers['accept-encoding']).toBe('gzip, deflate, br');
      for (const name of ['authorization', 'cookie', 'proxy-authorization', 'x-acs-security-token']) {
        expect(check.headers[name]).toBeUndefined();
      }
      const sent = JSON.stringify(check.headers);
      expect(sent).not.toContain(AK_ID);
      expect(sent).not.toContain(AK_SECRET);
    }
    expect(result.summary).toContain('### Verification at the edge');
    expect(result.summary).toMatch(/\| fresh: this deploy \| 3 \|/);
    expect(result.summary).not.toContain('#### Not live');
    expect(result.report?.['verify']).toMatchObject({
      compared: true,
      requests: 3,
      counts: { fresh: 3, total: 3 },
    });
  });

  it('finds the page an origin still serves in its old version stale, asks twice, and fails the step', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, state } = await afterPreviousDeploy(own, {}, V2, (e) =>
      e.edge.injectFaults({ kind: 'origin-old-copy', path: '/' }),
    );
    const before = em.edge.requests.length;
    const result = await run(em, { refresh: 'true', verify: 'true' }, V2, state);

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ 'fresh-count': '2', 'stale-count': '1', 'missing-count': '0' });
    const home = rows(result).find((row) => row.url === `${SITE}/`);
    expect(home).toMatchObject({
      status: 'submitted',
      change: 'modified',
      edge: 'stale',
      edgeStatus: 200,
      edgeAskedTwice: true,
      edgeHeaders: { 'X-Cache': expect.stringMatching(/^HIT /) },
    });
    expect(em.edge.requests.slice(before).filter((r) => r.target === '/')).toHaveLength(2);
    expect(result.log).toContain('::error::The deploy is not live at the edge: of 3 URLs verified, 1 stale');
    expect(result.log).toContain(`::warning::Stale at the edge: ${SITE}/ (HTTP 200, X-Cache: HIT`);
    expect(result.summary).toContain('#### Not live, or not known to be (1)');
    expect(result.summary).toMatch(/\| http:\/\/www\.example\.com\/ \| stale \| 200 \| HIT TCP_MEM_HIT/);
  });

  it('keeps the step green under fail-on: never, and still reports the stale page', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, state } = await afterPreviousDeploy(own, {}, V2, (e) =>
      e.edge.injectFaults({ kind: 'origin-old-copy', path: '/' }),
    );
    const result = await run(em, { refresh: 'true', verify: 'true', 'fail-on': 'never' }, V2, state);

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ 'fresh-count': '2', 'stale-count': '1' });
    expect(result.log).toContain(`::warning::Stale at the edge: ${SITE}/`);
    expect(result.summary).toContain('#### Not live, or not known to be (1)');
  });

  it('says the pages edited in place are stale when the refresh was refused', async ({ start, tempDir }) => {
    const own = { start, tempDir };
    // The previous deploy's run refreshes nothing: only this one is refused.
    const { em, state } = await afterPreviousDeploy(own, { denyActions: ['RefreshObjectCaches'] });
    const result = await run(em, { refresh: 'true', verify: 'true' }, V2, state);

    expect(result.exitCode).toBe(1);
    expect(em.calls.filter((c) => c.action === 'RefreshObjectCaches').at(-1)?.code).toBe('Forbidden.RAM');
    expect(edgeOf(result)).toMatchObject({
      [`${SITE}/`]: 'stale',
      [`${SITE}/css/site.css`]: 'stale',
      // Nothing cached it before: a visitor gets the origin's new copy.
      [`${SITE}/blog/new/`]: 'fresh',
    });
    expect(result.outputs).toMatchObject({ 'fresh-count': '1', 'stale-count': '2' });
    expect(result.summary).toMatch(/\| http:\/\/www\.example\.com\/css\/site\.css \| stale \| 200 \| HIT /);
  });

  it('finds a new file the origin lacks missing, and fails the step', async ({ start, tempDir }) => {
    const own = { start, tempDir };
    const deployed = { ...V2 };
    delete deployed['blog/new/index.html'];
    const { em, state } = await afterPreviousDeploy(own, {}, deployed);
    const result = await run(em, { refresh: 'true', verify: 'true' }, V2, state);

    expect(result.exitCode).toBe(1);
    expect(rows(result).find((row) => row.url === `${SITE}/blog/new/`)).toMatchObject({
      change: 'added',
      edge: 'missing',
      edgeStatus: 404,
      edgeHeaders: { 'X-Cache': expect.stringMatching(/^MISS /) },
    });
    expect(result.outputs).toMatchObject({ 'fresh-count': '2', 'stale-count': '0', 'missing-count': '1' });
    expect(result.log).toContain('1 missing (the site answers 4xx or 5xx)');
  });

  it('asks at once for a URL skipped for quota (no prefetch to spoil) and says why it is stale', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, state } = await afterPreviousDeploy(own);
    // Quota 1: the home page goes; the stylesheet (loaded by the 3 pages) and the new post do not.
    const result = await run(em, { refresh: 'false', verify: 'true', 'daily-quota': '1' }, V2, state);

    expect(result.exitCode).toBe(1);
    // Without a refresh the home page, modified in place, is stale too: its prefetch could not replace it.
    expect(result.outputs).toMatchObject({
      'submitted-count': '1',
      'skipped-count': '2',
      'stale-count': '2',
    });
    expect(rows(result).find((row) => row.url === `${SITE}/`)).toMatchObject({
      status: 'submitted',
      edge: 'stale',
      edgeNote: expect.stringMatching(
        /^not refreshed: the CDN may still hold the previous copy \(refresh: changed/,
      ),
    });
    expect(rows(result).find((row) => row.url === `${SITE}/css/site.css`)).toMatchObject({
      status: 'skipped',
      change: 'modified',
      edge: 'stale',
      edgeNote: expect.stringMatching(/^skipped for quota, so neither refreshed nor prefetched/),
    });
  });

  it('with refresh: changed (the default) a URL skipped for quota is refreshed all the same: verify finds it fresh', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, state } = await afterPreviousDeploy(own);
    const result = await run(em, { verify: 'true', 'daily-quota': '1' }, V2, state);

    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({
      'submitted-count': '1',
      'skipped-count': '2',
      'stale-count': '0',
    });
    expect(rows(result).find((row) => row.url === `${SITE}/css/site.css`)).toMatchObject({
      status: 'skipped',
      change: 'modified',
      edge: 'fresh',
    });
  });

  it('never has more than 8 requests in flight at a slow edge', async ({ start, tempDir }) => {
    const own = { start, tempDir };
    const many: Files = { ...V1 };
    for (let i = 0; i < 30; i++) many[`posts/${i}/index.html`] = page(`Post ${i}`, `Text ${i}.`);
    const em = await own.start({ edge: { originDir: folder(own, many) } });
    em.edge.injectFaults({ kind: 'latency', ms: 300 });
    const result = await run(em, { verify: 'true' }, many);

    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ 'fresh-count': '34', 'stale-count': '0', 'unchecked-count': '0' });
    expect(em.edge.requests).toHaveLength(34);
    expect(em.edge.maxInFlight()).toBe(8);
  });

  it('without a built site reports status and cache headers, never fresh or stale, and keeps to verify-limit', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const em = await own.start({ edge: { originDir: folder(own, V2) } });
    const urls = [`${SITE}/`, `${SITE}/gone/`, `${SITE}/about/`, `${SITE}/img/logo.svg`];
    const result = await runAction(
      { endpoint: em.url, 'poll-interval': '1', urls: urls.join('\n'), verify: 'true', 'verify-limit': '3' },
      {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET,
          HTTP_PROXY: em.edge.url,
        },
      },
    );

    expect(result.exitCode).toBe(1);
    expect(rows(result).map((row) => [row.url, row.edge, row.edgeStatus, row.edgeUnchecked])).toEqual([
      [`${SITE}/`, 'served', 200, undefined],
      [`${SITE}/gone/`, 'missing', 404, undefined],
      [`${SITE}/about/`, 'served', 200, undefined],
      [`${SITE}/img/logo.svg`, 'unchecked', undefined, 'limit'],
    ]);
    expect(result.outputs).toMatchObject({
      'fresh-count': '0',
      'stale-count': '0',
      'missing-count': '1',
      'unchecked-count': '1',
    });
    expect(result.summary).toContain('status and cache headers only');
    expect(result.summary).toContain('Unchecked: 1 beyond verify-limit.');
    expect(em.edge.requests).toHaveLength(3);
  });

  it('on the command line: --verify, the counts and the stale page under the table, exit code 1', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, state } = await afterPreviousDeploy(own, {}, V2, (e) =>
      e.edge.injectFaults({ kind: 'origin-old-copy', path: '/css/site.css' }),
    );
    const cli = await runCliBundle(
      [
        ...['--endpoint', em.url, '--poll-interval', '1', '--site-dir', 'public', '--base-url', SITE],
        ...['--state', STATE, '--refresh', 'changed', '--verify'],
      ],
      {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET,
          HTTP_PROXY: em.edge.url,
        },
        files: { ...prefixed(V2), [STATE]: state },
      },
    );

    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toContain('Edge (verify, 3 URLs)\n  2 fresh · 1 stale · 0 missing');
    expect(cli.stdout).toMatch(
      / {2}stale {3}http:\/\/www\.example\.com\/css\/site\.css {2}HTTP 200, X-Cache: HIT /,
    );
  });
});
