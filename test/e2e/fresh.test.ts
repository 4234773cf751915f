/**
 * Fresh, then warm, through the bundled action against the emulator and its edge, with the README's
 * recommended inputs (site-dir + state; `refresh` left to its default): the previous deploy is cached
 * at the edge as on a site with visitors, the next one is deployed, the action runs, and once the
 * CDN's tasks have ended every URL the deploy changed is inspected at the edge — fresh and warm, fresh
 * and cold, or stale — and the prefetches that could fill nothing are counted. Then what goes wrong
 * with the refresh: a quota of 4 prefetches a day, no permission, a short refresh quota, a refresh task
 * that fails or outlasts wait-timeout, a refresh whose answer is lost.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { type Emulator, type EmulatorOptions, type Freshness } from '../../emulator/index.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';
import { concurrentTest, type StartEmulator } from '../helpers/emulator.js';

const AK_ID = 'fresh-ak-id';
const AK_SECRET = 'fresh-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const SITE = 'https://www.example.com';
const STATE = '.cdn-prefetch/state.json';
/** README's recommended inputs, and a poll-interval short enough for tasks of a few hundred ms. */
const INPUTS = { 'site-dir': 'public', 'base-url': SITE, state: STATE, 'poll-interval': '1' };

const it = concurrentTest({
  credentials: { [AK_ID]: AK_SECRET },
  taskDurationMs: 100,
  refreshTaskDurationMs: 300,
  edge: {},
});

type Files = Record<string, string>;

function page(title: string, text: string, nav: readonly string[]): string {
  const links = nav.map((href) => `<li><a href="${href}">${href}</a></li>`).join('');
  return `<!DOCTYPE html><html><head><title>${title}</title></head><body><nav><ul>${links}</ul></nav><main><h1>${title}</h1><p>${text}</p></main></body></html>\n`;
}

/**
 * A small blog. Version 2 adds a post (every page's navigation changes with it), edits post 2, and
 * changes the stylesheet: 1 URL added, 7 changed in place, the logo unchanged.
 */
function build(version: 1 | 2): Files {
  const posts = version === 1 ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 6];
  const nav = ['/', ...posts.map((n) => `/posts/${n}/`)];
  const files: Files = {
    'index.html': page('Home', 'welcome', nav),
    'css/site.css': version === 1 ? 'body{color:#222}' : 'body{color:#111}',
    'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const n of posts) {
    files[`posts/${n}/index.html`] = page(
      `Post ${n}`,
      version === 2 && n === 2 ? 'corrected' : `post ${n}`,
      nav,
    );
  }
  return files;
}

const urlOf = (file: string): string => `${SITE}/${file.replace(/(^|\/)index\.html$/, '$1')}`;

/** The URLs whose content differs between the two builds. */
function changedUrls(before: Files, after: Files): { added: string[]; modified: string[] } {
  const added = Object.keys(after).filter((f) => before[f] === undefined);
  const modified = Object.keys(after).filter((f) => before[f] !== undefined && before[f] !== after[f]);
  return { added: added.map(urlOf).sort(), modified: modified.map(urlOf).sort() };
}

/** What a test gives the helpers below: its own emulators and folders. */
interface Own {
  start: StartEmulator;
  tempDir: () => string;
}

/** A folder of the test's holding `files`. */
function folder({ tempDir }: Pick<Own, 'tempDir'>, files: Files): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

interface Deployed {
  run: ActionRun;
  state: string | undefined;
}

/** One workflow run over `files`, with the state the run before wrote; waits until the CDN's tasks have ended. */
async function deploy(
  em: Emulator,
  files: Files,
  state: string | undefined,
  inputs: Record<string, string> = {},
): Promise<Deployed> {
  const workspace = Object.fromEntries(Object.entries(files).map(([name, text]) => [`public/${name}`, text]));
  const run = await runAction(
    { endpoint: em.url, ...INPUTS, ...inputs },
    { env, timeoutMs: 30_000, files: { ...workspace, ...(state === undefined ? {} : { [STATE]: state }) } },
  );
  expect(run.killed, run.log).toBe(false);
  const next = existsSync(path.join(run.workspace, STATE))
    ? readFileSync(path.join(run.workspace, STATE), 'utf8')
    : state;
  rmSync(run.workspace, { recursive: true, force: true });
  await em.edge.settled();
  return { run, state: next };
}

/**
 * An emulator whose edge caches every file of version 1 (a site with visitors), with a state that
 * knows version 1, and version 2 deployed at the origin: the moment the action runs after a deploy.
 */
async function afterDeploy(own: Own, options: EmulatorOptions = {}) {
  const em = await own.start(options);
  const v1 = build(1);
  const v2 = build(2);
  em.edge.origin.serve(folder(own, v1));
  const first = await deploy(em, v1, undefined);
  expect(first.run.exitCode, first.run.log).toBe(0);
  em.edge.clear();
  em.edge.seed({ dir: folder(own, v1), baseUrl: SITE });
  em.edge.origin.serve(folder(own, v2));
  const prefetchedBefore = em.acceptedPrefetches().length;
  const refreshedBefore = em.acceptedRefreshes().length;
  const wastedBefore = em.edge.totals().prefetchesNotFilled;
  const callsBefore = em.calls.length;
  return {
    em,
    v2,
    state: first.state,
    changed: changedUrls(v1, v2),
    /** What this deploy's runs sent, and what could fill nothing. */
    since: () => ({
      prefetched: em
        .acceptedPrefetches()
        .slice(prefetchedBefore)
        .map((p) => p.url),
      refreshed: em
        .acceptedRefreshes()
        .slice(refreshedBefore)
        .map((r) => r.url),
      wasted: em.edge.totals().prefetchesNotFilled - wastedBefore,
      calls: em.calls.slice(callsBefore),
    }),
  };
}

async function freshness(em: Emulator, urls: readonly string[]): Promise<Record<string, Freshness>> {
  const out: Record<string, Freshness> = {};
  for (const url of urls) out[url] = (await em.edge.inspect(url)).freshness;
  return out;
}

const every = (urls: readonly string[], value: Freshness): Record<string, Freshness> =>
  Object.fromEntries(urls.map((url) => [url, value]));

function carried(state: string | undefined): { url: string; cause: string; refreshedAt?: string }[] {
  return (
    (JSON.parse(state ?? '{}') as { carried?: { url: string; cause: string; refreshedAt?: string }[] })
      .carried ?? []
  );
}

const rows = (run: ActionRun) => (run.report?.urls ?? []) as unknown as Record<string, unknown>[];
const twice = (urls: readonly string[]): string[] => urls.filter((url, i) => urls.indexOf(url) !== i);

describe('the recommended workflow after a deploy', () => {
  it('leaves every changed URL fresh and warm, refreshes exactly what changed in place, and wastes no prefetch', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, v2, state, changed, since } = await afterDeploy(own);
    const all = [...changed.added, ...changed.modified];
    expect(changed.added).toHaveLength(1);
    expect(changed.modified).toHaveLength(7);

    const { run } = await deploy(em, v2, state);

    expect(run.exitCode, run.log).toBe(0);
    expect(await freshness(em, all)).toEqual(every(all, 'fresh-warm'));
    expect(since().wasted).toBe(0);
    expect(since().refreshed.sort()).toEqual(changed.modified);
    expect(since().prefetched.sort()).toEqual([...all].sort());
    // No modified URL was prefetched before its refresh task had ended; the added one did not wait.
    const refreshEnd = new Map(
      em
        .taskRecords()
        .filter((t) => t.objectType === 'file')
        .map((t) => [t.url, t.endsAt]),
    );
    const pushes = since().calls.filter((c) => c.action === 'PushObjectCache' && c.code === undefined);
    for (const url of changed.modified) {
      const push = pushes.find((c) => c.urls.includes(url));
      expect(push?.arrivedAt).toBeGreaterThanOrEqual(refreshEnd.get(url) ?? Infinity);
    }
    const addedPush = pushes.find((c) => c.urls.includes(changed.added[0]!));
    expect(addedPush?.arrivedAt).toBeLessThan(Math.min(...refreshEnd.values()));
    // Each row says what happened to its refresh.
    const byUrl = new Map(rows(run).map((r) => [r['url'], r]));
    expect(byUrl.get(changed.added[0])).toMatchObject({
      status: 'submitted',
      change: 'added',
      refreshStatus: 'NotNeeded',
      refreshDescription: 'added: the CDN holds no earlier copy to replace',
    });
    for (const url of changed.modified) {
      expect(byUrl.get(url)).toMatchObject({
        status: 'submitted',
        change: 'modified',
        refreshStatus: 'Complete',
      });
      expect(run.outputs['refresh-task-ids']?.split(',')).toContain(byUrl.get(url)?.['refreshTaskId']);
    }
    expect(run.summary).toContain(
      '7 URLs needed a refresh: 7 refreshed (7 Complete); none needed for 1 added',
    );
    expect(run.outputs).toMatchObject({ 'submitted-count': '8', 'skipped-count': '0', 'carried-count': '0' });
  });

  it('under a quota of 4 prefetches a day: nothing stale after the first run, all warm within ⌈n/4⌉ runs, nothing sent twice', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, v2, changed, since, ...before } = await afterDeploy(own, { preloadQuota: 4 });
    const all = [...changed.added, ...changed.modified];
    const runs = Math.ceil(all.length / 4);
    let state = before.state;
    let warmBy: number | undefined;
    for (let day = 1; day <= runs; day++) {
      em.setPreloadRemain(4);
      const deployed = await deploy(em, v2, state);
      expect(deployed.run.exitCode, deployed.run.log).toBe(0);
      state = deployed.state;
      const seen = await freshness(em, all);
      expect(Object.values(seen).filter((f) => f === 'stale')).toEqual([]);
      expect(Object.values(seen).filter((f) => f === 'fresh-warm')).toHaveLength(
        Math.min(all.length, 4 * day),
      );
      if (warmBy === undefined && Object.values(seen).every((f) => f === 'fresh-warm')) warmBy = day;
      if (day === 1) {
        // Refreshed now, prefetched later: the state says so, and the next runs do not refresh them again.
        expect(carried(state).every((c) => c.cause === 'quota')).toBe(true);
        const modifiedCarried = carried(state).filter((c) => changed.modified.includes(c.url));
        expect(modifiedCarried.length).toBeGreaterThan(0);
        expect(modifiedCarried.every((c) => c.refreshedAt !== undefined)).toBe(true);
      }
    }
    expect(warmBy).toBe(runs);
    expect(since().wasted).toBe(0);
    expect(twice(since().prefetched)).toEqual([]);
    expect(twice(since().refreshed)).toEqual([]);
    expect(since().refreshed.sort()).toEqual(changed.modified);
    expect(carried(state)).toEqual([]);
  });
});

describe('freshness does not wait for the prefetch quota', () => {
  it('with no prefetch quota left today: what changed in place is refreshed now, without waiting, and carried as refreshed', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, v2, state, changed, since } = await afterDeploy(own);
    em.setPreloadRemain(0);

    const first = await deploy(em, v2, state);

    expect(first.run.exitCode, first.run.log).toBe(0);
    expect(since().refreshed.sort()).toEqual(changed.modified);
    expect(since().prefetched).toEqual([]);
    // No slot waits for the refreshes: the run does not wait for them.
    expect(since().calls.filter((c) => c.action === 'DescribeRefreshTaskById')).toEqual([]);
    expect(await freshness(em, changed.modified)).toEqual(every(changed.modified, 'fresh-cold'));
    const entries = carried(first.state);
    expect(entries.map((c) => c.url).sort()).toEqual([...changed.added, ...changed.modified].sort());
    expect(entries.every((c) => c.cause === 'quota')).toBe(true);
    expect(
      entries
        .filter((c) => c.refreshedAt !== undefined)
        .map((c) => c.url)
        .sort(),
    ).toEqual(changed.modified);

    // The next day: prefetched, not refreshed again.
    em.setPreloadRemain(1000);
    const second = await deploy(em, v2, first.state);
    expect(second.run.exitCode, second.run.log).toBe(0);
    const all = [...changed.added, ...changed.modified];
    expect(await freshness(em, all)).toEqual(every(all, 'fresh-warm'));
    expect(twice(since().refreshed)).toEqual([]);
    expect(since().wasted).toBe(0);
  });
});

describe('a sitemap diff', () => {
  it('refreshes the modified URLs first, prefetches the added ones at once: both fresh and warm, nothing wasted', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const em = await own.start();
    em.edge.seed({ dir: folder(own, build(1)), baseUrl: SITE });
    em.edge.origin.serve(folder(own, build(2)));
    const entry = (loc: string, lastmod: string): string =>
      `<url><loc>${SITE}${loc}</loc><lastmod>${lastmod}</lastmod></url>`;
    const sitemap = (entries: string[]): string =>
      `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join('')}</urlset>`;
    const before = [1, 2, 3, 4, 5].map((n) => entry(`/posts/${n}/`, '2026-03-01'));
    const after = [
      ...[1, 3, 4, 5].map((n) => entry(`/posts/${n}/`, '2026-03-01')),
      entry('/posts/2/', '2026-03-02'),
      entry('/posts/6/', '2026-03-02'),
    ];
    const run = await runAction(
      { endpoint: em.url, sitemap: 'sitemap.xml', 'previous-sitemap': 'old.xml', 'poll-interval': '1' },
      { env, timeoutMs: 30_000, files: { 'sitemap.xml': sitemap(after), 'old.xml': sitemap(before) } },
    );
    rmSync(run.workspace, { recursive: true, force: true });
    await em.edge.settled();

    expect(run.exitCode, run.log).toBe(0);
    const modified = `${SITE}/posts/2/`;
    const added = `${SITE}/posts/6/`;
    expect(em.acceptedRefreshes().map((r) => r.url)).toEqual([modified]);
    expect(em.acceptedPrefetches().map((p) => p.url)).toEqual([added, modified]);
    expect(await freshness(em, [modified, added])).toEqual(every([modified, added], 'fresh-warm'));
    expect(em.edge.totals().prefetchesNotFilled).toBe(0);
  });
});

describe('when the refresh does not go through', () => {
  it('without cdn:RefreshObjectCaches: a warning naming it, the added URL warmed, the modified ones carried, the step passes', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const denied = ['RefreshObjectCaches'];
    const { em, v2, state, changed, since } = await afterDeploy(own, { denyActions: denied });

    const first = await deploy(em, v2, state);

    expect(first.run.exitCode, first.run.log).toBe(0);
    expect(first.run.log).toMatch(
      /::warning::refresh: RefreshObjectCaches was refused \(Forbidden\.RAM\): the RAM user or role lacks cdn:RefreshObjectCaches\..*Grant cdn:RefreshObjectCaches/,
    );
    expect(await freshness(em, changed.added)).toEqual(every(changed.added, 'fresh-warm'));
    expect(await freshness(em, changed.modified)).toEqual(every(changed.modified, 'stale'));
    expect(since()).toMatchObject({ prefetched: changed.added, wasted: 0 });
    expect(
      carried(first.state)
        .map((c) => [c.url, c.cause, c.refreshedAt])
        .sort(),
    ).toEqual(changed.modified.map((url) => [url, 'not-sent', undefined]));
    expect(first.run.outputs).toMatchObject({ 'skipped-count': '7', 'carried-count': '7' });

    // Once the permission is granted, the next run refreshes them first, then warms them.
    denied.length = 0;
    const second = await deploy(em, v2, first.state);
    expect(second.run.exitCode, second.run.log).toBe(0);
    expect(await freshness(em, changed.modified)).toEqual(every(changed.modified, 'fresh-warm'));
    expect(since().refreshed.sort()).toEqual(changed.modified);
    expect(since().wasted).toBe(0);
  });

  it('a refresh quota smaller than what changed: a warning with the number left stale; the next run refreshes them first', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, v2, state, changed, since } = await afterDeploy(own);
    em.setUrlRemain(3);

    const first = await deploy(em, v2, state);

    expect(first.run.exitCode, first.run.log).toBe(0);
    expect(first.run.log).toMatch(
      /::warning::refresh: 4 URLs that needed a refresh were not refreshed, so they still serve the old copy .*the daily refresh quota ran out \(UrlRemain 3\)/,
    );
    const refreshed = since().refreshed;
    expect(refreshed).toHaveLength(3);
    const stale = changed.modified.filter((url) => !refreshed.includes(url));
    expect(await freshness(em, refreshed)).toEqual(every(refreshed, 'fresh-warm'));
    expect(await freshness(em, stale)).toEqual(every(stale, 'stale'));
    expect(since().wasted).toBe(0);
    expect(
      carried(first.state)
        .map((c) => [c.url, c.cause, c.refreshedAt])
        .sort(),
    ).toEqual(stale.map((url) => [url, 'quota', undefined]));

    em.setUrlRemain(10_000);
    const second = await deploy(em, v2, first.state);
    expect(second.run.exitCode, second.run.log).toBe(0);
    expect(await freshness(em, changed.modified)).toEqual(every(changed.modified, 'fresh-warm'));
    expect(twice(since().refreshed)).toEqual([]);
    expect(since().wasted).toBe(0);
  });

  it('a refresh task that fails at the CDN: that URL is not prefetched, carried unrefreshed, and refreshed again by the next run', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    let failing = true;
    const target = `${SITE}/posts/2/`;
    const { em, v2, state, changed, since } = await afterDeploy(own, {
      failRefreshUrls: (url) => (failing && url === target ? 'Origin Timeout' : undefined),
    });

    const first = await deploy(em, v2, state);

    expect(first.run.exitCode, first.run.log).toBe(0);
    expect(first.run.log).toContain(`::warning::Refresh failed at the CDN: ${target} (Origin Timeout)`);
    expect(await freshness(em, [target])).toEqual({ [target]: 'stale' });
    expect(since().prefetched).not.toContain(target);
    expect(since().wasted).toBe(0);
    expect(rows(first.run).find((r) => r['url'] === target)).toMatchObject({
      status: 'skipped',
      skip: 'refresh',
      refreshStatus: 'Failed',
      refreshDescription: 'Origin Timeout',
    });
    expect(carried(first.state)).toEqual([expect.objectContaining({ url: target, cause: 'retryable' })]);
    expect(carried(first.state)[0]).not.toHaveProperty('refreshedAt');

    failing = false;
    const second = await deploy(em, v2, first.state);
    expect(second.run.exitCode, second.run.log).toBe(0);
    const all = [...changed.added, ...changed.modified];
    expect(await freshness(em, all)).toEqual(every(all, 'fresh-warm'));
    expect(since().refreshed.filter((url) => url === target)).toHaveLength(2);
    expect(since().wasted).toBe(0);
  });

  it('a refresh still running at wait-timeout: not prefetched yet, carried as refreshed; the next run prefetches it without refreshing again', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const target = `${SITE}/css/site.css`;
    const { em, v2, state, changed, since } = await afterDeploy(own, {
      taskDurationFor: (url, type) => (url === target && type === 'file' ? 2_500 : undefined),
    });

    const first = await deploy(em, v2, state, { 'wait-timeout': '1' });

    expect(first.run.exitCode, first.run.log).toBe(0);
    expect(first.run.log).toMatch(
      /::warning::Refresh: 1 URL still pending when wait-timeout \(1 s\) passed .*The CDN carries on with it;/,
    );
    expect(first.run.log).toContain(
      '::warning::refresh: 1 URL that needed a refresh is not prefetched, as its refresh was not confirmed Complete ' +
        '(a prefetch cannot replace the copy the CDN holds). If it is from site-dir, it is carried in the state: ' +
        'the next run refreshes it first unless a refresh of it was accepted, and prefetches it.',
    );
    expect(since().prefetched).not.toContain(target);
    expect(since().wasted).toBe(0);
    expect(carried(first.state)).toEqual([
      expect.objectContaining({ url: target, cause: 'retryable', refreshedAt: expect.any(String) }),
    ]);
    // The CDN finished the refresh after the run: the copy is fresh, only cold.
    expect(await freshness(em, [target])).toEqual({ [target]: 'fresh-cold' });

    const second = await deploy(em, v2, first.state);
    expect(second.run.exitCode, second.run.log).toBe(0);
    const all = [...changed.added, ...changed.modified];
    expect(await freshness(em, all)).toEqual(every(all, 'fresh-warm'));
    expect(twice(since().refreshed)).toEqual([]);
    expect(rows(second.run).find((r) => r['url'] === target)).toMatchObject({
      change: 'carried',
      refreshStatus: 'NotNeeded',
      refreshDescription: expect.stringMatching(/^refreshed by an earlier run/),
    });
  });

  it('a refresh whose answer is lost is looked up, not paid twice, and its URLs are warmed once it completes', async ({
    start,
    tempDir,
  }) => {
    const own = { start, tempDir };
    const { em, v2, state, changed, since } = await afterDeploy(own);
    em.injectFaults({ kind: 'reset-after', action: 'RefreshObjectCaches' });

    const { run } = await deploy(em, v2, state);

    expect(run.exitCode, run.log).toBe(0);
    expect(em.calls.filter((c) => c.action === 'DescribeRefreshTasks').length).toBeGreaterThan(0);
    expect(since().refreshed.sort()).toEqual(changed.modified);
    const all = [...changed.added, ...changed.modified];
    expect(await freshness(em, all)).toEqual(every(all, 'fresh-warm'));
    expect(since().wasted).toBe(0);
  });
});
