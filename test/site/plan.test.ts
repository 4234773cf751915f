/**
 * The diff of two builds of a small site: added / modified / unchanged, changes and exclude,
 * content-ignore for generators that stamp every page, chrome-only pages, the quota order, and what
 * a sitemap adds (priorities, loc forms).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChanges } from '../../src/sitemap/diff.js';
import { compileExcludes } from '../../src/urls/exclude.js';
import { planSiteChanges, readState, scanSite } from '../../src/site/index.js';
import { BASE, deploy, page, paths, tempDir, writeSite } from '../helpers/site.js';

const NAV = ['/', '/docs/', '/blog/first/'];

/** Version 1 of the site. */
function v1(): Record<string, string | Buffer> {
  return {
    'index.html': page('Home', 'welcome', NAV),
    'docs/index.html': page('Docs', 'the manual', NAV),
    'docs/setup.html': page('Setup', 'install it', NAV),
    'blog/first/index.html': page('First', 'first post', NAV),
    'css/site.css': 'body { color: black }',
    'img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
    'index.xml': '<rss><item>first</item></rss>',
  };
}

describe('planSiteChanges: what changed between two builds', () => {
  it('without a state: every file is added, with a notice; then a rebuild with no change plans nothing', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), v1());
    const first = await deploy(workspace);
    expect(first.plan.hadState).toBe(false);
    expect(first.plan.counts).toMatchObject({ files: 7, added: 7, modified: 0, unchanged: 0 });
    expect(first.plan.urls.every((u) => u.change === 'added')).toBe(true);
    expect(first.plan.notices).toEqual([
      expect.stringMatching(
        /^state: there is no state\/site.json yet, so every file of site-dir counts as added/,
      ),
    ]);

    writeSite(path.join(workspace, 'public'), v1());
    const second = await deploy(workspace);
    expect(second.plan.hadState).toBe(true);
    expect(second.plan.counts).toMatchObject({ files: 7, added: 0, modified: 0, unchanged: 7 });
    expect(second.plan.urls).toEqual([]);
    expect(second.plan.notices).toEqual([]);
  });

  it('added, modified and unchanged files; a deleted one is simply gone', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), v1());
    await deploy(workspace);
    const v2 = v1();
    v2['docs/setup.html'] = page('Setup', 'install it, then configure it', NAV);
    v2['css/site.css'] = 'body { color: navy }';
    v2['docs/configure.html'] = page('Configure', 'new page', NAV);
    delete v2['index.xml'];
    writeSite(path.join(workspace, 'public'), v2);
    const { plan } = await deploy(workspace);
    expect(plan.counts).toMatchObject({ files: 7, added: 1, modified: 2, unchanged: 4, excluded: 0 });
    expect(plan.urls.map((u) => [u.url.slice(BASE.length), u.change])).toEqual([
      ['/docs/configure.html', 'added'],
      ['/docs/setup.html', 'modified'],
      ['/css/site.css', 'modified'],
    ]);
    expect(plan.urls.map((u) => u.file)).toEqual(['docs/configure.html', 'docs/setup.html', 'css/site.css']);
  });

  it('changes selects added, modified or all; exclude removes URLs and counts them', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), v1());
    await deploy(workspace);
    const v2 = {
      ...v1(),
      'docs/setup.html': page('Setup', 'changed', NAV),
      'docs/new.html': 'new',
      'drafts/x.html': 'x',
    };
    const site = path.join(workspace, 'public');
    const state = path.join(workspace, 'state/site.json');
    const saved = readFileSync(state);
    const run = async (changes: string, exclude = '') => {
      writeFileSync(state, saved); // each variant diffs against the same state
      writeSite(site, v2);
      const { plan } = await deploy(workspace, {
        changes: parseChanges(changes),
        exclude: compileExcludes(exclude),
      });
      return plan;
    };
    expect(paths(await run('added'))).toEqual(['/docs/new.html', '/drafts/x.html']);
    expect(paths(await run('modified'))).toEqual(['/docs/setup.html']);
    const all = await run('all');
    expect(all.urls).toHaveLength(9);
    expect(all.urls.filter((u) => u.change === 'unchanged')).toHaveLength(6);
    const excluded = await run('', '/drafts/**');
    expect(paths(excluded)).toEqual(['/docs/new.html', '/docs/setup.html']);
    expect(excluded.counts).toMatchObject({ files: 9, added: 1, modified: 1, unchanged: 6, excluded: 1 });
  });

  it('a base-url change makes every file added (the new host is cold), with a notice', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), v1());
    await deploy(workspace);
    const read = await readState(path.join(workspace, 'state/site.json'));
    const scan = await scanSite({
      workspace,
      siteDir: 'public',
      baseUrl: 'https://cdn.example.com',
      state: 'state/site.json',
    });
    const plan = planSiteChanges(scan, read, { changes: parseChanges(''), carryDays: 7, now: new Date() });
    expect(plan.counts.added).toBe(7);
    expect(plan.warnings[0]).toMatch(
      /it was written for https:\/\/www\.example\.com\/, not https:\/\/cdn\.example\.com\//,
    );
    expect(plan.carries).toBe(true); // not a first deploy: what the quota cuts is carried
  });
});

describe('content-ignore: a rebuild that only changes stamps plans nothing once they are named', () => {
  /** MkDocs: a Build Date comment in every page. */
  function mkdocs(stamp: string, extra = ''): Record<string, string> {
    const pageWith = (title: string) =>
      `<html><body><main>${title}${extra}</main></body></html>\n<!--\nMkDocs version : 1.4.2\nBuild Date UTC : ${stamp}\n-->\n`;
    return { 'index.html': pageWith('Home'), 'setup/index.html': pageWith('Setup'), 'css/theme.css': 'a{}' };
  }
  /** Hexo (landscape theme): ISO timestamps, cuid ids, dates in <time>, a scrambled mailto link. */
  function hexo(build: number): Record<string, string> {
    const at = `2026-12-0${build}T0${build}:12:34.${build}00Z`;
    const pageWith = (title: string) =>
      `<html><body><main><article data-id="cuid${build}abc${title}"><time>2026-12-0${build}</time>` +
      `<h1>${title}</h1></article></main><script>{"date":"${at}"}</script>` +
      `<a href="mailto:&#x${build}0;me@example.com">mail</a></body></html>\n`;
    return {
      'index.html': pageWith('Home'),
      '2026/12/post/index.html': pageWith('Post'),
      'content.json': `{"updated":"${at}"}`,
    };
  }
  const HEXO_PATTERNS = [
    '"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z"',
    'data-id="cuid[^"]*"',
    '>\\d{4}-\\d\\d-\\d\\d</time>',
    'href="mailto:[^"]*"',
  ].join('\n');

  it.each([
    [
      'MkDocs',
      mkdocs('2026-12-05 03:56:46.818249+00:00'),
      mkdocs('2026-12-06 11:02:13.000001+00:00'),
      'Build Date UTC : [^\\n]*',
    ],
    ['Hexo', hexo(1), hexo(2), HEXO_PATTERNS],
  ])('%s', async (_generator, before, after, patterns) => {
    const withoutPatterns = tempDir();
    writeSite(path.join(withoutPatterns, 'public'), before);
    await deploy(withoutPatterns);
    writeSite(path.join(withoutPatterns, 'public'), after);
    const stamped = await deploy(withoutPatterns);
    expect(stamped.plan.counts.modified).toBeGreaterThanOrEqual(2); // every stamped page looks changed

    const withPatterns = tempDir();
    writeSite(path.join(withPatterns, 'public'), before);
    await deploy(withPatterns, { contentIgnore: patterns });
    writeSite(path.join(withPatterns, 'public'), after);
    const clean = await deploy(withPatterns, { contentIgnore: patterns });
    expect(clean.plan.urls).toEqual([]);
    expect(clean.plan.counts.unchanged).toBe(3);
  });

  it('a real edit is still seen with the patterns given', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), mkdocs('2026-12-05 03:56:46+00:00'));
    await deploy(workspace, { contentIgnore: 'Build Date UTC : [^\\n]*' });
    writeSite(path.join(workspace, 'public'), mkdocs('2026-12-06 04:00:00+00:00', ' edited'));
    const { plan } = await deploy(workspace, { contentIgnore: 'Build Date UTC : [^\\n]*' });
    expect(paths(plan)).toEqual(['/', '/setup/']);
  });
});

describe('chrome-only pages: a new post rewrites the navigation of every page', () => {
  it('pages whose own content is unchanged are marked chrome-only and come after the real changes', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), v1());
    await deploy(workspace);
    const nav2 = [...NAV, '/blog/second/'];
    writeSite(path.join(workspace, 'public'), {
      ...v1(),
      'index.html': page('Home', 'welcome', nav2),
      'docs/index.html': page('Docs', 'the manual', nav2),
      'docs/setup.html': page('Setup', 'install it (edited)', nav2),
      'blog/first/index.html': page('First', 'first post', nav2),
      'blog/second/index.html': page('Second', 'second post', nav2),
    });
    const { plan } = await deploy(workspace);
    expect(plan.counts).toMatchObject({ added: 1, modified: 4, chromeOnly: 3 });
    expect(plan.urls.map((u) => [u.url.slice(BASE.length), u.change, u.chromeOnly])).toEqual([
      ['/blog/second/', 'added', false],
      ['/docs/setup.html', 'modified', false],
      ['/', 'modified', true],
      ['/docs/', 'modified', true],
      ['/blog/first/', 'modified', true],
    ]);
  });
});

describe('the quota order', () => {
  it('is pinned: home, pages/styles/scripts by priority then depth, other files, images and downloads; chrome-only; carried', async () => {
    const workspace = tempDir();
    const site = path.join(workspace, 'public');
    const old = {
      'index.html': page('Home', 'v1', ['/a/']),
      'about/index.html': page('About', 'v1', ['/a/']),
      'docs/deep/nested/page.html': page('Deep', 'v1', ['/a/']),
      'carried/old.html': 'carried',
    };
    writeSite(site, old);
    // First run with a state, so that what the quota cuts is carried.
    await deploy(workspace);
    writeSite(site, { ...old, 'carried/old.html': 'carried v2', 'carried/older.html': 'x' });
    await deploy(workspace, { quota: 0, day: '2026-03-01' }); // both carried since 2026-03-01
    const files: Record<string, string | Buffer> = {
      ...old,
      'carried/old.html': 'carried v2',
      'carried/older.html': 'x',
      'index.html': page('Home', 'v2', ['/a/']), // content changed: the home page
      'about/index.html': page('About', 'v1', ['/a/', '/b/']), // chrome-only
      'docs/deep/nested/page.html': page('Deep', 'v1', ['/a/', '/b/']), // chrome-only, deeper
      'zeta.html': 'page, depth 1',
      'blog/post/index.html': 'page, depth 2',
      'blog/post/extra.html': 'page, depth 3',
      'css/site.css': 'style, depth 2',
      'js/app.js': 'script, depth 2',
      'app.js': 'script, depth 1',
      'feed.xml': 'other, depth 1',
      'search/index.json': 'other, depth 2',
      'fonts/a.woff2': 'other, depth 2',
      'img/a.png': 'image, depth 2',
      'logo.svg': 'image, depth 1',
      'files/manual.pdf': 'download, depth 2',
      'ranked/low.html': 'page with sitemap priority 0.1',
      'ranked/high.html': 'page with sitemap priority 0.9',
    };
    writeSite(site, files);
    const sitemap = new Map([
      [`${BASE}/ranked/high.html`, 0.9],
      [`${BASE}/ranked/low.html`, 0.1],
      [`${BASE}/zeta.html`, Number.NaN],
    ]);
    const { plan } = await deploy(workspace, { sitemap, day: '2026-03-02' });
    expect(paths(plan)).toEqual([
      '/', // 1. the home page
      '/ranked/high.html', // 2. pages, styles, scripts: sitemap priority 0.9 first
      '/zeta.html', // then priority 0.5 (the default): depth 1, a page before a script
      '/app.js',
      '/blog/post/', // depth 2: pages, then styles and scripts
      '/css/site.css',
      '/js/app.js',
      '/blog/post/extra.html', // depth 3
      '/ranked/low.html', // priority 0.1
      '/feed.xml', // 3. other files, by depth, then path
      '/fonts/a.woff2',
      '/search/index.json',
      '/logo.svg', // 4. images and downloads last
      '/files/manual.pdf',
      '/img/a.png',
      '/about/', // 5. chrome-only pages, in the same order
      '/docs/deep/nested/page.html',
      '/carried/old.html', // 6. carried, oldest first; the same day in the order they were planned
      '/carried/older.html',
    ]);
    expect(plan.urls.find((u) => u.url === `${BASE}/carried/older.html`)).toMatchObject({
      change: 'carried',
      since: '2026-03-01',
      firstChange: 'added',
      carriedFor: { cause: 'quota' },
    });
    expect(plan.urls.find((u) => u.url === `${BASE}/carried/old.html`)).toMatchObject({
      firstChange: 'modified',
    });
    expect(plan.counts).toMatchObject({ carriedIn: 2, chromeOnly: 2 });
  });
});

describe('with a sitemap: its priorities, and its URL form where a loc maps to a file', () => {
  it('warms /guide/intro for guide/intro.html (clean URLs), but /about/ for a loc written /about/index.html', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), {
      'index.html': 'home',
      'guide/intro.html': 'intro',
      'about/index.html': 'about',
      'blog/post/index.html': 'post',
      'tags/index.html': 'not in the sitemap',
    });
    const sitemap = new Map([
      [`${BASE}/`, 1],
      [`${BASE}/about/index.html`, 0.2], // Hexo's form: visitors ask for /about/
      [`${BASE}/guide/intro`, 0.8], // VitePress cleanUrls: the file is guide/intro.html
      [`${BASE}/blog/post`, 0.9], // no slash: served by blog/post/index.html
      [`${BASE}/elsewhere/`, 1], // no such file: ignored
      ['https://other.example.com/guide/intro', 1], // not under base-url: ignored
    ]);
    const { plan } = await deploy(workspace, { sitemap });
    expect(paths(plan)).toEqual(['/', '/blog/post', '/guide/intro', '/tags/', '/about/']);
    expect(plan.urls.map((u) => u.file)).toEqual([
      'index.html',
      'blog/post/index.html',
      'guide/intro.html',
      'tags/index.html',
      'about/index.html',
    ]);
  });

  it('exclude matches the URL that is warmed (the loc form)', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), { 'index.html': 'home', 'guide/intro.html': 'intro' });
    const sitemap = new Map([[`${BASE}/guide/intro`, 0.5]]);
    const { plan } = await deploy(workspace, { sitemap, exclude: compileExcludes('/guide/intro') });
    expect(paths(plan)).toEqual(['/']);
    expect(plan.counts.excluded).toBe(1);
  });
});
