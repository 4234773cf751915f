/**
 * sitemapChanges end to end on a realistic pair written into a temp workspace: a sitemap index
 * with gzip and BOM children, entities, CDATA, a prefixed namespace, images, non-ASCII paths.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { sitemapChanges, type SitemapSourceOptions } from '../../src/sitemap/changes.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { saveSitemapBaseline } from '../../src/sitemap/save.js';
import { compileExcludes } from '../../src/urls/exclude.js';
import { MemoryLogger } from '../helpers/logger.js';
import {
  IMAGE_NS,
  limits,
  serve,
  SITEMAP_NS,
  sitemapIndex,
  tempDir,
  urlset,
  writeFiles,
} from '../helpers/sitemap.js';

const SITE = 'https://www.example.com';

/** The deployed build: index -> pages.xml.gz (prefixed namespace, images) + blog.xml (BOM). */
function deployedFiles(): Record<string, string | Buffer> {
  const pages =
    `<?xml version="1.0" encoding="UTF-8"?>\n<sm:urlset xmlns:sm="${SITEMAP_NS}" xmlns:image="${IMAGE_NS}">\n` +
    // unchanged: same instant written differently on each side
    `<sm:url><sm:loc>${SITE}/</sm:loc><sm:lastmod>2026-01-05T08:00:00+08:00</sm:lastmod><sm:priority>1.0</sm:priority></sm:url>\n` +
    // modified, with images
    `<sm:url><sm:loc>${SITE}/products/caf&#233;?id=1&amp;lang=en</sm:loc><sm:lastmod>2026-02-01</sm:lastmod>` +
    `<image:image><image:loc>${SITE}/img/cafe.jpg</image:loc></image:image>` +
    `<image:image><image:loc>${SITE}/img/cafe-2.jpg</image:loc></image:image></sm:url>\n` +
    // added, CDATA with a raw &
    `<sm:url><sm:loc><![CDATA[${SITE}/products/new?a=1&b=2]]></sm:loc><sm:lastmod>2026-02-03T10:00:00Z</sm:lastmod></sm:url>\n` +
    // modified: a lastmod that appears where the baseline had none
    `<sm:url><sm:loc>${SITE}/about</sm:loc><sm:lastmod>2026-02-02</sm:lastmod></sm:url>\n` +
    // added, raw non-ASCII path
    `<sm:url><sm:loc>${SITE}/ブログ/新しい</sm:loc></sm:url>\n` +
    // duplicate of the home page, different spelling: merged
    `<sm:url><sm:loc>HTTPS://WWW.EXAMPLE.COM:443/</sm:loc></sm:url>\n` +
    `</sm:urlset>\n`;
  const blog =
    '\uFEFF' +
    urlset([
      { loc: `${SITE}/blog/2026/hello`, lastmod: '2026-02-03T09:00:00.000Z', priority: '0.8' }, // modified
      { loc: `${SITE}/blog/2026/drafts/wip`, lastmod: '2026-02-04' }, // added, excluded
      { loc: `${SITE}/blog/tag/news`, lastmod: '2026-02-04' }, // unchanged, excluded
      { loc: `${SITE}/blog/2026/%E6%96%87`, lastmod: '2026-01-01' }, // unchanged
    ]);
  return {
    'public/sitemap.xml': sitemapIndex([`${SITE}/sitemaps/pages.xml.gz`, `${SITE}/sitemaps/blog.xml`]),
    'public/sitemaps/pages.xml.gz': pages,
    'public/sitemaps/blog.xml': blog,
  };
}

/** The same site before the deploy. */
function baselineFiles(prefix = 'previous'): Record<string, string | Buffer> {
  return {
    [`${prefix}/sitemap.xml`]: sitemapIndex([`${SITE}/sitemaps/pages.xml.gz`, `${SITE}/sitemaps/blog.xml`]),
    [`${prefix}/sitemaps/pages.xml.gz`]: urlset([
      { loc: `${SITE}/`, lastmod: '2026-01-05T00:00:00Z' },
      { loc: `${SITE}/products/caf%C3%A9?id=1&amp;lang=en`, lastmod: '2026-01-20' },
      { loc: `${SITE}/about` },
      { loc: `${SITE}/removed`, lastmod: '2025-01-01' },
    ]),
    [`${prefix}/sitemaps/blog.xml`]: urlset([
      { loc: `${SITE}/blog/2026/hello`, lastmod: '2026-02-01' },
      { loc: `${SITE}/blog/tag/news`, lastmod: '2026-02-04T00:00:00Z' },
      { loc: `${SITE}/blog/2026/%e6%96%87`, lastmod: '2026-01-01T00:00Z' },
    ]),
  };
}

function workspace(
  files: Record<string, string | Buffer> = { ...deployedFiles(), ...baselineFiles() },
): string {
  const dir = tempDir();
  writeFiles(dir, files);
  return dir;
}

function options(dir: string, extra: Partial<SitemapSourceOptions> = {}): SitemapSourceOptions {
  return {
    workspace: dir,
    sitemap: 'public/sitemap.xml',
    previousSitemap: 'previous/sitemap.xml',
    changes: parseChanges('added,modified'),
    includeImages: false,
    limits: limits(),
    ...extra,
  };
}

const CAFE = `${SITE}/products/caf%C3%A9?id=1&lang=en`;
const NEW_PRODUCT = `${SITE}/products/new?a=1&b=2`;
const BLOG_NEW = `${SITE}/%E3%83%96%E3%83%AD%E3%82%B0/%E6%96%B0%E3%81%97%E3%81%84`;

describe('sitemapChanges', () => {
  it('lists what was added or modified, ordered by priority, then newest lastmod, then document order', async () => {
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(workspace()), logger);
    expect(result.urls).toEqual([
      `${SITE}/blog/2026/hello`, // priority 0.8
      `${SITE}/blog/2026/drafts/wip`, // 0.5 (absent), lastmod 2026-02-04
      NEW_PRODUCT, // 0.5, lastmod 2026-02-03T10:00Z
      `${SITE}/about`, // 0.5, lastmod 2026-02-02 (the baseline had none)
      CAFE, // 0.5, lastmod 2026-02-01
      BLOG_NEW, // 0.5, no lastmod: last
    ]);
    expect(result.counts).toEqual({
      deployed: 9,
      baseline: 7,
      added: 3,
      modified: 3,
      unchanged: 3,
      notComparable: 0,
      unknown: 0,
      excluded: 0,
      invalid: 0,
      images: 0,
      imagesExcluded: 0,
    });
    // Why each URL is there: added, or modified with both lastmods (NaN: the baseline had none).
    expect(result.changes).toEqual([
      { change: 'modified', lastmod: Date.UTC(2026, 1, 3, 9), previousLastmod: Date.UTC(2026, 1, 1) },
      { change: 'added', lastmod: Date.UTC(2026, 1, 4), previousLastmod: NaN },
      { change: 'added', lastmod: Date.UTC(2026, 1, 3, 10), previousLastmod: NaN },
      { change: 'modified', lastmod: Date.UTC(2026, 1, 2), previousLastmod: NaN },
      { change: 'modified', lastmod: Date.UTC(2026, 1, 1), previousLastmod: Date.UTC(2026, 0, 20) },
      { change: 'added', lastmod: NaN, previousLastmod: NaN },
    ]);
    expect(result.baseline).toBe('previous/sitemap.xml');
    expect(logger.messages('warning')).toEqual([]);
    expect(result.notes).toEqual([]);
  });

  it('counts excluded URLs first, whatever the baseline says, and never lists them', async () => {
    const exclude = compileExcludes(['/blog/*/drafts/**', '/blog/tag/**', '/img/*-2.jpg']);
    const result = await sitemapChanges(
      options(workspace(), { exclude, includeImages: true }),
      new MemoryLogger(),
    );
    expect(result.urls).toEqual([
      `${SITE}/blog/2026/hello`,
      NEW_PRODUCT,
      `${SITE}/about`,
      CAFE,
      `${SITE}/img/cafe.jpg`,
      BLOG_NEW,
    ]);
    // An image carries its page's change.
    expect(result.changes[4]).toEqual(result.changes[3]);
    const { counts } = result;
    expect(counts).toMatchObject({
      deployed: 9,
      added: 2,
      modified: 3,
      unchanged: 2,
      excluded: 2,
      images: 1,
      imagesExcluded: 1,
    });
    expect(
      counts.added +
        counts.modified +
        counts.unchanged +
        counts.notComparable +
        counts.unknown +
        counts.excluded,
    ).toBe(counts.deployed);
  });

  it("puts a page's images right after it, each URL once", async () => {
    const files = workspace({
      'public/sitemap.xml': urlset([
        { loc: `${SITE}/a`, priority: '0.9', images: [`${SITE}/shared.jpg`, `${SITE}/a.jpg`] },
        { loc: `${SITE}/b`, priority: '0.1', images: [`${SITE}/shared.jpg`, `${SITE}/a`] },
        { loc: `${SITE}/c`, priority: '0.5', images: [`${SITE}/c.jpg`] },
      ]),
    });
    const result = await sitemapChanges(
      options(files, { previousSitemap: undefined, includeImages: true }),
      new MemoryLogger(),
    );
    expect(result.urls).toEqual([
      `${SITE}/a`,
      `${SITE}/shared.jpg`,
      `${SITE}/a.jpg`,
      `${SITE}/c`,
      `${SITE}/c.jpg`,
      `${SITE}/b`,
    ]);
    expect(result.counts.images).toBe(3);
    const without = await sitemapChanges(options(files, { previousSitemap: undefined }), new MemoryLogger());
    expect(without.urls).toEqual([`${SITE}/a`, `${SITE}/c`, `${SITE}/b`]);
  });

  it('takes only the kinds of change asked for', async () => {
    const dir = workspace();
    const added = await sitemapChanges(options(dir, { changes: parseChanges('added') }), new MemoryLogger());
    expect(added.urls).toEqual([`${SITE}/blog/2026/drafts/wip`, NEW_PRODUCT, BLOG_NEW]);
    const modified = await sitemapChanges(
      options(dir, { changes: parseChanges('modified') }),
      new MemoryLogger(),
    );
    expect(modified.urls).toEqual([`${SITE}/blog/2026/hello`, `${SITE}/about`, CAFE]);
    expect(modified.counts.added).toBe(3); // still counted
  });

  it('changes: all takes every URL and reads no baseline', async () => {
    const logger = new MemoryLogger();
    const result = await sitemapChanges(
      options(workspace(), { changes: parseChanges('all'), previousSitemap: 'does/not/exist.xml' }),
      logger,
    );
    expect(result.urls).toHaveLength(9);
    expect(result.urls[0]).toBe(`${SITE}/`); // priority 1.0
    expect(result.counts).toMatchObject({ deployed: 9, baseline: undefined, added: 9 });
    expect(result.notes).toEqual([]);
  });

  it('leaves out unusable <loc> values with ONE warning that counts them and gives examples', async () => {
    const dir = workspace({
      'public/sitemap.xml': urlset([
        { loc: `${SITE}/ok` },
        { loc: '/relative/path' },
        { loc: 'ftp://example.com/file' },
        { loc: '' },
        { loc: 'javascript:alert(1)' },
      ]),
      // The baseline's own unusable locs change nothing: an info line, not a second warning.
      'previous/sitemap.xml': urlset([{ loc: '/relative/path' }]),
    });
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(dir), logger);
    expect(result.urls).toEqual([`${SITE}/ok`]);
    expect(result.counts).toMatchObject({ deployed: 1, invalid: 3 });
    // Each unusable value is kept, with its reason and document, to become a failed report row.
    expect(result.invalid).toEqual([
      {
        value: '/relative/path',
        reason: 'is a path: set base-url so that it can be resolved',
        document: 'public/sitemap.xml',
      },
      { value: 'ftp://example.com/file', reason: 'is not an http(s) URL', document: 'public/sitemap.xml' },
      { value: 'javascript:alert(1)', reason: 'is not an http(s) URL', document: 'public/sitemap.xml' },
    ]);
    const warnings = logger.messages('warning');
    expect(warnings).toEqual([
      expect.stringMatching(
        /^sitemap: 3 <loc> values are not usable URLs; each is reported as failed: "\/relative\/path" is a path.*"ftp:\/\/example\.com\/file" is not an http\(s\) URL.*"javascript:alert\(1\)" is not an http\(s\) URL$/,
      ),
      'sitemap: 1 entry has an empty or no <loc>, so there is nothing to prefetch or report for them.',
    ]);
    expect(result.notes.map((note) => note.message)).toEqual(warnings);
    expect(logger.messages('info')).toContainEqual(
      expect.stringMatching(/^baseline: 1 <loc> values are not usable URLs/),
    );
  });

  it('resolves <loc> paths against base-url when it is given', async () => {
    const dir = workspace({ 'public/sitemap.xml': urlset([{ loc: '/relative/path' }]) });
    const result = await sitemapChanges(
      options(dir, { previousSitemap: undefined, baseUrl: 'https://cdn.example.com' }),
      new MemoryLogger(),
    );
    expect(result.urls).toEqual(['https://cdn.example.com/relative/path']);
  });

  it('warns once about lastmods that are not W3C datetimes; those URLs cannot be modified', async () => {
    const dir = workspace({
      'public/sitemap.xml': urlset([{ loc: `${SITE}/a`, lastmod: 'Tue, 03 Feb 2026 10:00:00 GMT' }]),
      'previous/sitemap.xml': urlset([{ loc: `${SITE}/a`, lastmod: '2026-01-01' }]),
    });
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(dir), logger);
    expect(result.counts).toMatchObject({ modified: 0, notComparable: 1 });
    expect(logger.messages('warning')).toContainEqual(
      expect.stringMatching(/^sitemap: 1 <lastmod> values are not W3C datetimes.*"Tue, 03 Feb 2026/),
    );
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(/^sitemap: 1 <lastmod> values are not W3C datetimes.*"Tue, 03 Feb 2026/),
      expect.stringMatching(/^1 of the 1 deployed URLs are not comparable/),
    ]);
  });

  describe('baseline', () => {
    it('missing: every URL is new, with a notice', async () => {
      const logger = new MemoryLogger();
      const result = await sitemapChanges(options(workspace(deployedFiles())), logger);
      expect(result.counts).toMatchObject({ deployed: 9, baseline: undefined, added: 9, modified: 0 });
      expect(result.urls).toHaveLength(9);
      expect(logger.messages('notice')).toEqual([
        expect.stringMatching(/^No baseline: previous\/sitemap\.xml: no such file\. Every URL/),
      ]);
      expect(logger.messages('warning')).toEqual([]);
      expect(result.baseline).toBeUndefined();
    });

    it('not configured: every URL is new, with a notice', async () => {
      const logger = new MemoryLogger();
      const result = await sitemapChanges(options(workspace(), { previousSitemap: undefined }), logger);
      expect(result.counts.added).toBe(9);
      expect(logger.messages('notice')).toEqual([
        expect.stringMatching(/No previous-sitemap or previous-ref is set/),
      ]);
    });

    it.each([
      [
        'unparsable',
        `<urlset xmlns="${SITEMAP_NS}"><url></urlset>`,
        /^previous-sitemap: the baseline cannot be read: previous\/sitemap\.xml:1:\d+: unexpected close tag/,
      ],
      [
        'truncated',
        `<urlset xmlns="${SITEMAP_NS}"><url><loc>${SITE}/</loc></url>`,
        /^previous-sitemap: the baseline cannot be read: previous\/sitemap\.xml: is truncated/,
      ],
      [
        'not a sitemap',
        `<feed xmlns="http://www.w3.org/2005/Atom"></feed>`,
        /^previous-sitemap: the baseline cannot be read: .*is not a sitemap/,
      ],
    ])(
      '%s: a warning, and nothing is selected (not a guess that every URL is new)',
      async (_, text, warning) => {
        const logger = new MemoryLogger();
        const result = await sitemapChanges(
          options(workspace({ ...deployedFiles(), 'previous/sitemap.xml': text })),
          logger,
        );
        expect(result.urls).toEqual([]);
        expect(result.counts).toMatchObject({ deployed: 9, added: 0, unknown: 9, baseline: undefined });
        expect(result.baselineProblem).toBe('unreadable');
        expect(logger.messages('warning')).toEqual([expect.stringMatching(warning)]);
        expect(logger.messages('warning')[0]).toContain(
          "Nothing from the sitemap is selected, so that the day's quota is not spent on a guess",
        );
        expect(logger.messages('warning')[0]).toContain('set changes: all');
        expect(result.notes).toEqual([{ level: 'warning', message: logger.messages('warning')[0] }]);
      },
    );

    it.each([
      ['an <html> root', '<html><body>Not Found</body></html>'],
      [
        'an HTML5 page',
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>404</title></head></html>',
      ],
      ['a lower-case doctype', '<!doctype html><html><body><p>Page not found<br></body></html>'],
    ])('an HTML page (%s) is taken as no baseline, with a warning naming the input', async (_, html) => {
      const logger = new MemoryLogger();
      const result = await sitemapChanges(
        options(workspace({ ...deployedFiles(), 'previous/sitemap.xml': html })),
        logger,
      );
      expect(result.counts).toMatchObject({ deployed: 9, added: 9, unknown: 0, baseline: undefined });
      expect(result.urls).toHaveLength(9);
      expect(result.baselineProblem).toBe('html');
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(
          /^previous-sitemap: previous\/sitemap\.xml: is an HTML page, not a sitemap; a host answers a missing file with 200 and a page, so it is taken as no baseline: every URL of the sitemap counts as added\./,
        ),
      ]);
    });

    it('a truncated child: the baseline cannot be read, and nothing is selected', async () => {
      const files = baselineFiles();
      const blog = files['previous/sitemaps/blog.xml'] as string;
      const logger = new MemoryLogger();
      const result = await sitemapChanges(
        options(
          workspace({
            ...deployedFiles(),
            ...files,
            'previous/sitemaps/blog.xml': blog.slice(0, blog.lastIndexOf('<url>')),
          }),
        ),
        logger,
      );
      // A child that exists but cannot be read leaves the whole baseline unreadable: no guesses.
      expect(result.urls).toEqual([]);
      expect(result.counts).toMatchObject({ baseline: undefined, added: 0, unknown: 9 });
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(
          /^previous-sitemap: the baseline cannot be read: previous\/sitemaps\/blog\.xml: is truncated/,
        ),
      ]);
    });

    it('a missing child: a warning, and its URLs count as new', async () => {
      const files = baselineFiles();
      delete files['previous/sitemaps/blog.xml'];
      const logger = new MemoryLogger();
      const result = await sitemapChanges(options(workspace({ ...deployedFiles(), ...files })), logger);
      expect(result.counts).toMatchObject({ baseline: 4, added: 6, modified: 2 });
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(
          /^Baseline previous\/sitemap\.xml lists https:\/\/www\.example\.com\/sitemaps\/blog\.xml, which is missing \(looked at previous\/sitemaps\/blog\.xml, previous\/blog\.xml\); its URLs count as new\.$/,
        ),
      ]);
    });

    it('reads the children of a baseline index next to it, never from the live site', async () => {
      const { origin, requests } = await serve((_req, res) =>
        res.end(urlset([{ loc: `${SITE}/live-only` }])),
      );
      const files = baselineFiles();
      files['previous/sitemap.xml'] = sitemapIndex([
        `${origin}/sitemaps/pages.xml.gz`,
        `${origin}/sitemaps/gone.xml`,
      ]);
      const logger = new MemoryLogger();
      const result = await sitemapChanges(options(workspace({ ...deployedFiles(), ...files })), logger);
      expect(requests).toHaveLength(0);
      expect(result.counts.baseline).toBe(4); // pages.xml.gz only
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(/lists http:\/\/127\.0\.0\.1:\d+\/sitemaps\/gone\.xml, which is missing/),
      ]);
    });

    it("a URL baseline's children are read beside it, not at the URLs its index names", async () => {
      const files = baselineFiles('');
      const { origin, requests } = await serve((req, res) => {
        const body = files[req.url!.replace(/^\/old\//, '/')];
        if (body === undefined) {
          res.statusCode = 404;
          res.end();
        } else res.end(body);
      });
      const result = await sitemapChanges(
        options(workspace(deployedFiles()), { previousSitemap: `${origin}/old/sitemap.xml` }),
        new MemoryLogger(),
      );
      expect(result.counts).toMatchObject({ baseline: 7, added: 3, modified: 3, unchanged: 3 });
      expect(requests.map((r) => r.url)).toEqual([
        '/old/sitemap.xml',
        '/old/sitemaps/pages.xml.gz',
        '/old/sitemaps/blog.xml',
      ]);
    });
  });

  describe('deployed sitemap', () => {
    it('a missing sitemap is a configuration error naming the input, the path as given and the workspace', async () => {
      const dir = workspace(baselineFiles());
      const promise = sitemapChanges(options(dir), new MemoryLogger());
      await expect(promise).rejects.toThrow(ConfigError);
      await expect(promise).rejects.toThrow(
        `sitemap: public/sitemap.xml: no such file; a path is relative to the workspace (${dir}): did the build run before this step?`,
      );
    });

    it('an absolute path is echoed as given, not relative to the workspace', async () => {
      const missing = path.join(tempDir(), 'nonexistent', 'sitemap.xml');
      const promise = sitemapChanges(
        options(workspace(baselineFiles()), {
          sitemap: missing,
          previousSitemap: path.join(tempDir(), 'b.xml'),
        }),
        new MemoryLogger(),
      );
      await expect(promise).rejects.toThrow(
        `sitemap: ${missing}: no such file; did the build run before this step?`,
      );

      const logger = new MemoryLogger();
      const baseline = path.join(tempDir(), 'nonexistent', 'baseline.xml');
      await sitemapChanges(options(workspace(deployedFiles()), { previousSitemap: baseline }), logger);
      expect(logger.messages('notice')).toEqual([
        `No baseline: ${baseline}: no such file. Every URL of the sitemap counts as added.`,
      ]);
    });

    it('an HTML page as the sitemap is a configuration error that says what it is', async () => {
      const dir = workspace({ 'public/sitemap.xml': '<!DOCTYPE html><html><body>Welcome</body></html>' });
      const promise = sitemapChanges(options(dir), new MemoryLogger());
      await expect(promise).rejects.toThrow(ConfigError);
      await expect(promise).rejects.toThrow(
        /^sitemap: public\/sitemap\.xml: is an HTML page, not a sitemap; a host answers a missing file with 200 and a page/,
      );
    });

    it('an unparsable sitemap is a configuration error with the reason', async () => {
      const dir = workspace({
        'public/sitemap.xml': `<urlset xmlns="${SITEMAP_NS}"><url><loc>a&b</loc></url></urlset>`,
      });
      const promise = sitemapChanges(options(dir), new MemoryLogger());
      await expect(promise).rejects.toThrow(ConfigError);
      await expect(promise).rejects.toThrow(/^sitemap: cannot be used: public\/sitemap\.xml: a raw "&"/);
    });

    it('a child that cannot be read is an error, not a warning', async () => {
      const files = deployedFiles();
      files['public/sitemaps/blog.xml'] = '<urlset';
      await expect(sitemapChanges(options(workspace(files)), new MemoryLogger())).rejects.toThrow(
        /^sitemap: cannot be used: public\/sitemaps\/blog\.xml:/,
      );
    });

    it('a child found neither locally nor on the site is an error', async () => {
      const { origin } = await serve((_req, res) => {
        res.statusCode = 404;
        res.end();
      });
      const dir = workspace({ 'public/sitemap.xml': sitemapIndex([`${origin}/sitemaps/missing.xml`]) });
      await expect(
        sitemapChanges(options(dir, { previousSitemap: undefined }), new MemoryLogger()),
      ).rejects.toThrow(
        /public\/sitemap\.xml lists http:\/\/127\.0\.0\.1:\d+\/sitemaps\/missing\.xml, which cannot be found \(looked at public\/sitemaps\/missing\.xml, public\/missing\.xml, http:/,
      );
    });

    it('falls back to fetching a child that is not in the build folder', async () => {
      const { origin, requests } = await serve((_req, res) =>
        res.end(urlset([{ loc: `${SITE}/remote-child` }])),
      );
      const dir = workspace({
        'public/sitemap.xml': sitemapIndex([`${SITE}/sitemaps/blog.xml`, `${origin}/elsewhere/remote.xml`]),
        'public/sitemaps/blog.xml': urlset([{ loc: `${SITE}/local-child` }]),
      });
      const result = await sitemapChanges(options(dir, { previousSitemap: undefined }), new MemoryLogger());
      expect(result.urls).toEqual([`${SITE}/local-child`, `${SITE}/remote-child`]);
      expect(requests.map((r) => r.url)).toEqual(['/elsewhere/remote.xml']);
    });

    it('finds children of a site served under a base path (GitHub Pages project site)', async () => {
      const dir = workspace({
        'dist/sitemap-index.xml': sitemapIndex(['https://me.github.io/docs/sitemap-0.xml']),
        'dist/sitemap-0.xml': urlset([{ loc: 'https://me.github.io/docs/' }]),
      });
      const result = await sitemapChanges(
        options(dir, { sitemap: 'dist/sitemap-index.xml', previousSitemap: undefined }),
        new MemoryLogger(),
      );
      expect(result.urls).toEqual(['https://me.github.io/docs/']);
    });

    it('never leaves the index folder because of an encoded "../" in a child URL', async () => {
      const { origin, requests } = await serve((_req, res) => res.end(urlset([{ loc: `${SITE}/fetched` }])));
      const dir = workspace({
        // `..%2F` survives URL normalization and decodes to "../".
        'public/sitemap.xml': sitemapIndex([`${origin}/..%2Fsecret.xml`]),
        'secret.xml': urlset([{ loc: `${SITE}/secret` }]),
      });
      const result = await sitemapChanges(options(dir, { previousSitemap: undefined }), new MemoryLogger());
      expect(result.urls).toEqual([`${SITE}/fetched`]);
      expect(requests).toHaveLength(1);
    });

    it('stops at the nesting and children limits, with a warning', async () => {
      const dir = workspace({
        'public/sitemap.xml': sitemapIndex([`${SITE}/a.xml`, `${SITE}/b.xml`, `${SITE}/c.xml`]),
        'public/a.xml': sitemapIndex([`${SITE}/a1.xml`]),
        'public/a1.xml': urlset([{ loc: `${SITE}/deep` }]),
        'public/b.xml': urlset([{ loc: `${SITE}/b` }]),
        'public/c.xml': urlset([{ loc: `${SITE}/c` }]),
      });
      const logger = new MemoryLogger();
      const shallow = await sitemapChanges(
        options(dir, { previousSitemap: undefined, limits: limits({ maxDepth: 1, maxChildren: 2 }) }),
        logger,
      );
      expect(shallow.urls).toEqual([`${SITE}/b`]);
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(
          /^public\/a\.xml: sitemap index nested 1 levels deep; its 1 children are not read \(limit 1\)$/,
        ),
        expect.stringMatching(
          /^public\/sitemap\.xml: more than 2 sitemap index children; the rest are not read$/,
        ),
      ]);
      const deep = await sitemapChanges(options(dir, { previousSitemap: undefined }), new MemoryLogger());
      expect(deep.urls).toEqual([`${SITE}/deep`, `${SITE}/b`, `${SITE}/c`]);
    });

    it('reads an index that lists itself once, with a warning', async () => {
      const dir = workspace({ 'public/sitemap.xml': sitemapIndex([`${SITE}/sitemap.xml`]) });
      const logger = new MemoryLogger();
      const result = await sitemapChanges(options(dir, { previousSitemap: undefined }), logger);
      expect(result.urls).toEqual([]);
      expect(logger.messages('warning')).toEqual([
        expect.stringMatching(
          /lists https:\/\/www\.example\.com\/sitemap\.xml, which was already read \(a loop\)/,
        ),
      ]);
    });

    it('applies the size limits to local files too', async () => {
      const dir = workspace();
      await expect(
        sitemapChanges(options(dir, { limits: limits({ maxBytes: 100 }) }), new MemoryLogger()),
      ).rejects.toThrow(
        /public\/sitemap\.xml: is \d+ bytes, more than the 100 bytes limit per sitemap document/,
      );
      await expect(
        sitemapChanges(options(dir, { limits: limits({ maxDecompressedBytes: 200 }) }), new MemoryLogger()),
      ).rejects.toThrow(
        /public\/sitemaps\/pages\.xml\.gz: more than 200 bytes once decompressed, the limit per sitemap document/,
      );
    });
  });

  describe('configuration', () => {
    it('refuses previous-sitemap together with previous-ref', async () => {
      const promise = sitemapChanges(
        options(workspace(), {
          previousRef: 'main',
          github: { token: 't', apiUrl: 'http://x', owner: 'o', repo: 'r' },
        }),
        new MemoryLogger(),
      );
      await expect(promise).rejects.toThrow(ConfigError);
      await expect(promise).rejects.toThrow('previous-sitemap and previous-ref are both set');
    });

    it('refuses previous-ref with a URL sitemap', async () => {
      const promise = sitemapChanges(
        options(workspace(), {
          sitemap: 'https://www.example.com/sitemap.xml',
          previousSitemap: undefined,
          previousRef: 'main',
          github: { token: 't', apiUrl: 'http://x', owner: 'o', repo: 'r' },
        }),
        new MemoryLogger(),
      );
      await expect(promise).rejects.toThrow(
        /^previous-ref: reads the sitemap file from the repository, so sitemap must be a workspace path/,
      );
    });

    it('refuses a sitemap that is neither a path nor an http(s) URL', async () => {
      await expect(
        sitemapChanges(options(workspace(), { sitemap: 'ftp://x/sitemap.xml' }), new MemoryLogger()),
      ).rejects.toThrow('sitemap: "ftp://x/sitemap.xml" is neither a workspace path nor an http(s) URL');
    });

    it('parses the changes input', () => {
      expect(parseChanges('')).toEqual({ added: true, modified: true, all: false });
      expect(parseChanges(' Modified , added ')).toEqual({ added: true, modified: true, all: false });
      expect(parseChanges('all')).toEqual({ added: true, modified: true, all: true });
      expect(() => parseChanges('added,removed')).toThrow(
        'changes: "added,removed" is not one of added,modified | added | modified | all',
      );
      expect(() => parseChanges('all,added')).toThrow(/changes:/);
    });
  });

  describe('save-sitemap', () => {
    it('writes every URL and lastmod as one flat urlset that diffs as unchanged', async () => {
      const dir = workspace(deployedFiles());
      const logger = new MemoryLogger();
      const saved = await saveSitemapBaseline(
        { workspace: dir, sitemap: 'public/sitemap.xml', saveSitemap: 'out/baseline.xml', limits: limits() },
        logger,
      );
      expect(saved).toEqual({ file: path.join(dir, 'out/baseline.xml'), urls: 9 });
      const xml = readFileSync(saved.file, 'utf8');
      expect(xml).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">\n/,
      );
      expect(xml).toContain(
        `<url><loc>${SITE}/products/caf%C3%A9?id=1&amp;lang=en</loc><lastmod>2026-02-01T00:00:00Z</lastmod></url>`,
      );
      expect(xml).toContain(`<url><loc>${SITE}/</loc><lastmod>2026-01-05T00:00:00Z</lastmod></url>`);
      expect(xml).toContain(`<url><loc>${BLOG_NEW}</loc></url>`);
      expect(xml.match(/<url>/g)).toHaveLength(9);

      const again = await sitemapChanges(
        options(dir, { previousSitemap: 'out/baseline.xml' }),
        new MemoryLogger(),
      );
      expect(again.counts).toMatchObject({
        deployed: 9,
        baseline: 9,
        added: 0,
        modified: 0,
        unchanged: 8,
        notComparable: 1, // BLOG_NEW has no lastmod on either side
      });
      expect(again.urls).toEqual([]);
    });

    it('can be written by sitemapChanges from the same read', async () => {
      const dir = workspace();
      const result = await sitemapChanges(
        options(dir, { saveSitemap: 'next-baseline.xml' }),
        new MemoryLogger(),
      );
      expect(result.urls).toHaveLength(6);
      const again = await sitemapChanges(
        options(dir, { previousSitemap: 'next-baseline.xml' }),
        new MemoryLogger(),
      );
      expect(again.counts).toMatchObject({ added: 0, modified: 0, unchanged: 8, notComparable: 1 });
    });

    it('writes an empty urlset, with a notice, when the site has no sitemap yet', async () => {
      const dir = workspace({});
      const logger = new MemoryLogger();
      const saved = await saveSitemapBaseline(
        { workspace: dir, sitemap: 'public/sitemap.xml', saveSitemap: 'baseline.xml' },
        logger,
      );
      expect(saved.urls).toBe(0);
      expect(readFileSync(saved.file, 'utf8')).toBe(
        `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}">\n</urlset>\n`,
      );
      expect(logger.messages('notice')).toEqual([
        expect.stringMatching(
          /public\/sitemap\.xml: no such file: there is no sitemap yet, so baseline\.xml is an empty urlset/,
        ),
      ]);

      writeFiles(dir, deployedFiles());
      const next = new MemoryLogger();
      const result = await sitemapChanges(options(dir, { previousSitemap: 'baseline.xml' }), next);
      expect(result.counts).toMatchObject({ baseline: 0, added: 9 });
      expect(next.messages('warning')).toEqual([]);
      expect(next.messages('notice')).toEqual([]);
    });

    it('fails, and writes nothing, when the sitemap exists but cannot be read', async () => {
      const dir = workspace({ 'public/sitemap.xml': '<urlset' });
      await expect(
        saveSitemapBaseline(
          { workspace: dir, sitemap: 'public/sitemap.xml', saveSitemap: 'baseline.xml' },
          new MemoryLogger(),
        ),
      ).rejects.toThrow(/^sitemap: cannot be used: public\/sitemap\.xml/);
      expect(() => readFileSync(path.join(dir, 'baseline.xml'))).toThrow(/ENOENT/);
    });
  });
});
