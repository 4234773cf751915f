/**
 * The order a small quota is spent in, from the site itself: what most of the built pages link to or
 * load first (the home page, the stylesheet and script, the navigation's pages), newest posts before
 * old, feeds and sitemaps after the pages; pinned on a blog as Hugo builds it. Then the pieces: the
 * links the reader threads find in a page, the date a page says, a file's count, the natural order.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../src/base/text.js';
import { countsByFile, linkedBy, pageDate, pageLinks, pathDate, siteOrigin } from '../../src/site/links.js';
import { isFeedOrSitemap, linkBand } from '../../src/site/order.js';
import { deploy, paths, tempDir, writeSite } from '../helpers/site.js';
import { hugoSite, posts } from '../helpers/hugo-site.js';

const FEEDS = [
  '/index.xml',
  '/sitemap.xml',
  '/posts/index.xml',
  '/categories/guides/index.xml',
  '/categories/notes/index.xml',
  '/tags/caching/index.xml',
  '/tags/cdn/index.xml',
  '/tags/deploy/index.xml',
  '/tags/hugo/index.xml',
  '/tags/ops/index.xml',
];

describe('the quota order of a Hugo blog', () => {
  it('first deploy: the home page, the stylesheet and script every page loads, the navigation, then the newest posts; feeds last', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), hugoSite(posts(12)));
    const { plan, outcomes } = await deploy(workspace, { quota: 10 });
    expect(paths(plan)).toEqual([
      '/', // the home page
      '/css/style.min.css', // loaded by all 26 pages: stylesheets and scripts before pages
      '/js/main.js',
      '/about/', // linked from all 26 pages (the header), by path
      '/categories/',
      '/posts/',
      '/tags/',
      '/favicon.ico', // loaded by all 26 pages, neither a page nor a stylesheet
      '/posts/post-12/', // linked from 4–5 pages each: the newest first, by the date each says
      '/posts/post-11/',
      '/posts/post-10/',
      '/posts/post-9/',
      '/posts/post-8/',
      '/posts/post-7/',
      '/posts/post-6/',
      '/posts/post-5/',
      '/posts/post-4/',
      '/posts/post-3/',
      '/posts/post-2/',
      '/posts/post-1/',
      '/categories/guides/', // linked from 4–7 pages too, but lists say no date of their own
      '/categories/notes/',
      '/tags/caching/',
      '/tags/cdn/',
      '/tags/deploy/',
      '/tags/hugo/',
      '/tags/ops/',
      '/page/2/', // linked from one page
      '/images/post-3.png', // loaded by one page each, in natural order
      '/images/post-6.png',
      '/images/post-9.png',
      '/images/post-12.png',
      '/404.html', // no page links to it
      ...FEEDS, // feeds and sitemaps after every page, though every page links the main feed
    ]);
    // The day's 10: the newest post among them; the stylesheet and the script too.
    expect(outcomes.filter((o) => o.status === 'submitted').map((o) => o.url.slice(23))).toContain(
      '/posts/post-12/',
    );
    expect(plan.urls[0]).toMatchObject({ linkedBy: 26 });
    expect(plan.urls.find((u) => u.file === 'posts/post-12/index.html')).toMatchObject({
      linkedBy: 4, // the home page, /posts/, its tag's page and its category's
      published: '2026-01-12',
    });
    expect(plan.urls.find((u) => u.file === 'posts/index.html')?.published).toBeUndefined();
  });

  it('a new post and an edited one: the new post right after the lists that announce it', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), hugoSite(posts(12)));
    await deploy(workspace);
    const next = [...posts(13)].map((p) => (p.n === 4 ? { n: 4, edit: 1 } : p));
    writeSite(path.join(workspace, 'public'), hugoSite(next));
    const { plan } = await deploy(workspace, { day: '2026-03-03' });
    expect(plan.urls.map((u) => `${u.url.slice(23)} ${u.change}`)).toEqual([
      '/ modified',
      '/posts/ modified',
      '/posts/post-13/ added', // newer than the edited post 4, linked from as many pages
      '/posts/post-4/ modified',
      '/categories/guides/ modified',
      '/tags/cdn/ modified',
      '/tags/hugo/ modified',
      '/page/2/ modified',
      '/index.xml modified',
      '/sitemap.xml modified',
      '/posts/index.xml modified',
      '/categories/guides/index.xml modified',
      '/tags/cdn/index.xml modified',
      '/tags/hugo/index.xml modified',
    ]);
  });
});

describe('pageLinks: what a page links to or loads, on the site', () => {
  const links = (
    html: string,
    file = 'docs/guide/index.html',
    base = 'https://www.example.com/',
  ): string[] => {
    const found = new Set<string>();
    pageLinks(html, file, siteOrigin(base), found);
    return [...found].sort();
  };

  it('href, src and srcset; relative, root-relative and absolute; once per page', () => {
    const html = [
      '<link rel="stylesheet" href="/css/site.css?v=3"><script src=../../js/app.js></script>',
      '<a href=\'setup.html#install\'>Setup</a> <a href="./">Guide</a> <a href="/">Home</a> <a href="/">again</a>',
      '<img src="img/a.png" srcset="img/a.png 1x, /img/a@2x.png 2x">',
      '<a href="https://WWW.example.com/about/">About</a> <a href="//www.example.com/feed.xml">Feed</a>',
      '<a href="http://www.example.com/x?y">plain http, same site</a>',
    ].join('\n');
    expect(links(html)).toEqual([
      '',
      'about/',
      'css/site.css',
      'docs/guide/',
      'docs/guide/img/a.png',
      'docs/guide/setup.html',
      'feed.xml',
      'img/a@2x.png',
      'js/app.js',
      'x',
    ]);
  });

  it('not the site: other hosts, mailto:, data:, javascript:, fragments alone, data-href', () => {
    const html = [
      '<a href="https://other.example.com/x">x</a> <a href="mailto:me@example.com">m</a>',
      '<img src="data:image/png;base64,AAAA"> <a href="javascript:void(0)">j</a> <a href="#top">t</a>',
      '<div data-href="/not-an-attribute-we-read"></div> <a href="?page=2">same page</a>',
    ].join('\n');
    expect(links(html)).toEqual([]);
  });

  it('a site under a folder (a project site): only what is under it, relative to it', () => {
    const base = 'https://user.github.io/project/';
    const html = '<a href="/project/docs/">d</a> <a href="/other-project/">o</a> <a href="../a.html">a</a>';
    expect(links(html, 'docs/x.html', base)).toEqual(['a.html', 'docs/']);
  });

  it('<base href>, escaped names, non-ASCII names, &amp;', () => {
    const html = Buffer.from(
      '<base href="/blog/"><a href="post%201/">1</a> <a href="ブログ/">b</a> <a href="/q.html?a=1&amp;b=2">q</a>',
    ).toString('latin1');
    expect(links(html, 'index.html')).toEqual(['blog/post 1/', 'blog/ブログ/', 'q.html']);
  });

  it('runs as its source text (the reader threads get it so): it names nothing outside itself', () => {
    const copy = new Function(`return (${pageLinks.toString()})`)() as typeof pageLinks;
    const found = new Set<string>();
    copy('<a href="/x/">x</a>', 'index.html', siteOrigin('https://www.example.com/'), found);
    expect([...found]).toEqual(['x/']);
    const date = new Function(`return (${pageDate.toString()})`)() as typeof pageDate;
    expect(date('<time datetime="2026-01-02">')).toBe(pathDate('2026/01/02/'));
  });
});

describe('the day a page says it was published', () => {
  const day = (text: string): number => Math.floor(Date.parse(text) / 86_400_000);

  it.each([
    ['<meta property="article:published_time" content="2024-05-03T10:00:00+00:00">', '2024-05-03'],
    ['<meta content="2024-05-03" property="article:published_time">', '2024-05-03'],
    ['<script type="application/ld+json">{"datePublished": "2023-11-30"}</script>', '2023-11-30'],
    ['<article><time datetime="2022-02-02T08:00:00Z">Feb 2</time></article>', '2022-02-02'],
    ['<time datetime="2022-02-02">published</time> <time datetime="2022-03-01">updated</time>', '2022-02-02'],
  ])('%s → %s', (html, expected) => {
    expect(pageDate(html)).toBe(day(expected));
  });

  it.each([
    ['a list of posts: more than two dates, none its own', '<time datetime="2024-01-03"></time>'.repeat(3)],
    ['no date at all', '<p>text</p>'],
    ['a date out of range', '<time datetime="1900-01-01"></time>'],
    ['not a date', '<time datetime="soon"></time>'],
  ])('%s: none', (_why, html) => {
    expect(pageDate(html)).toBe(0);
  });

  it('or in the path, as blogs write it', () => {
    expect(pathDate('2024/05/03/post/index.html')).toBe(day('2024-05-03'));
    expect(pathDate('_posts/2024-05-03-post.html')).toBe(day('2024-05-03'));
    expect(pathDate('posts/20240503/index.html')).toBe(0);
    expect(pathDate('2024/13/03/x.html')).toBe(0);
  });
});

describe('counting and comparing', () => {
  it('a file is counted under every form a link may take', () => {
    const counts = new Map([
      ['', 5],
      ['index.html', 1],
      ['docs/', 3],
      ['docs', 1],
      ['guide/intro', 2],
      ['guide/intro.html', 1],
      ['css/site.css', 9],
    ]);
    const byFile = countsByFile(counts);
    expect(linkedBy('index.html', byFile)).toBe(6);
    expect(linkedBy('docs/index.html', byFile)).toBe(4);
    expect(linkedBy('guide/intro.html', byFile)).toBe(3);
    expect(linkedBy('css/site.css', byFile)).toBe(9);
    expect(linkedBy('css/other.css', byFile)).toBe(0);
  });

  it('link counts in powers of four', () => {
    expect([0, 1, 3, 4, 15, 16, 63, 64].map(linkBand)).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
  });

  it('feeds and sitemaps', () => {
    expect(
      ['index.xml', 'feed.json', 'atom.xml', 'sitemap.xml.gz', 'blog/rss.xml', 'feed.rss'].every(
        isFeedOrSitemap,
      ),
    ).toBe(true);
    expect(['index.html', 'feed.json.html', 'data.json', 'xml/'].some(isFeedOrSitemap)).toBe(false);
  });

  it('natural order: numbers by value, the rest by code unit', () => {
    const names = ['post-10', 'post-2', 'post-1', 'post-02', 'post-11', 'Post-3', 'post-1a', 'post-', 'p'];
    expect([...names].sort(naturalCompare)).toEqual([
      'Post-3',
      'p',
      'post-',
      'post-1',
      'post-1a',
      'post-2',
      'post-02',
      'post-10',
      'post-11',
    ]);
  });
});
