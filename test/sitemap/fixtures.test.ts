/**
 * Real sitemaps from test/fixtures/sitemaps, as their generators wrote them. The expected `<loc>`
 * counts and git blob hashes are read from SOURCES.md, so every listed fixture is checked.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sitemapChanges } from '../../src/sitemap/changes.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { loadSitemap } from '../../src/sitemap/load.js';
import { parseDocument } from '../../src/sitemap/parse.js';
import { SitemapSet } from '../../src/sitemap/set.js';
import { readDocumentText, type DocumentLocation } from '../../src/sitemap/document.js';
import { MemoryLogger } from '../helpers/logger.js';
import { limits, tempDir } from '../helpers/sitemap.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = path.join(repoRoot, 'test/fixtures/sitemaps');

interface Source {
  /** The number of `<loc>` elements. */
  locs: number;
  /** `git hash-object` of the file as its generator wrote it. */
  blob: string;
}

/** `file` -> its row of the SOURCES.md table. */
function sources(): Map<string, Source> {
  const rows = new Map<string, Source>();
  for (const line of readFileSync(path.join(FIXTURES, 'SOURCES.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const file = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const locs = Number(cells[6]);
    if (file !== undefined && Number.isInteger(locs)) rows.set(file, { locs, blob: cells[9] ?? '' });
  }
  return rows;
}

/** What `git hash-object` prints for these bytes. */
function gitBlobHash(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const at = (file: string): DocumentLocation => ({
  kind: 'file',
  path: path.join(FIXTURES, file),
  label: file,
});

async function parseFixture(file: string) {
  const locs: string[] = [];
  const children: string[] = [];
  let images = 0;
  const kind = await parseDocument(
    readDocumentText(at(file), { limits: limits() }),
    { label: file, images: true },
    {
      url: (entry) => {
        if (entry.loc !== undefined) locs.push(entry.loc);
        images += entry.images?.length ?? 0;
      },
      child: (loc) => {
        if (loc !== undefined) children.push(loc);
      },
    },
  );
  return { kind, locs, children, images };
}

async function loadFixture(file: string) {
  const set = new SitemapSet();
  const logger = new MemoryLogger();
  const stats = await loadSitemap(
    at(file),
    { side: 'deployed', images: false, limits: limits(), logger },
    set,
  );
  return { set, stats };
}

describe('real sitemaps (test/fixtures/sitemaps)', () => {
  const rows = sources();
  const counts = new Map([...rows].map(([file, row]) => [file, row.locs]));

  it('SOURCES.md lists every fixture file, and only those', () => {
    const files = readdirSync(FIXTURES).filter((file) => file !== 'SOURCES.md');
    expect([...counts.keys()].sort()).toEqual(files.sort());
    expect(counts.size).toBeGreaterThanOrEqual(14);
  });

  it('every fixture is byte for byte the blob SOURCES.md names', () => {
    const hashes = [...rows.keys()].map((file) => [
      file,
      gitBlobHash(readFileSync(path.join(FIXTURES, file))),
    ]);
    expect(hashes).toEqual([...rows].map(([file, row]) => [file, row.blob]));
  });

  for (const [file, expected] of counts) {
    it(`${file}: ${expected} <loc>`, async () => {
      const { kind, locs, children } = await parseFixture(file);
      expect(kind).toBe(/index/.test(file) ? 'sitemapindex' : 'urlset');
      expect(kind === 'urlset' ? locs.length : children.length).toBe(expected);
    });
  }

  it('every URL and lastmod of every urlset fixture is usable', async () => {
    for (const file of counts.keys()) {
      if (/index/.test(file)) continue;
      const { stats } = await loadFixture(file);
      expect(stats.invalidLocs, file).toEqual({ count: 0, examples: [] });
      expect(stats.invalidLastmods, file).toEqual({ count: 0, examples: [] });
    }
  });

  it('finds no change between each urlset fixture and itself, duplicates included', async () => {
    for (const file of counts.keys()) {
      if (/index/.test(file)) continue;
      const { set } = await loadFixture(file);
      const result = await sitemapChanges(
        {
          workspace: FIXTURES,
          sitemap: file,
          previousSitemap: file,
          changes: parseChanges('added,modified'),
          includeImages: true,
          limits: limits(),
        },
        new MemoryLogger(),
      );
      expect(result.urls, file).toEqual([]);
      expect(result.counts, file).toMatchObject({
        deployed: set.size,
        baseline: set.size,
        added: 0,
        modified: 0,
      });
      // URLs without a lastmod cannot be compared: counted apart, never as unchanged.
      const withoutLastmod = [...set.entries()].filter(([, lastmod]) => Number.isNaN(lastmod)).length;
      expect(result.counts.notComparable, file).toBe(withoutLastmod);
      expect(result.counts.unchanged, file).toBe(set.size - withoutLastmod);
    }
  });

  it('merges duplicate locs (Docusaurus 2, Hugo 28)', async () => {
    expect((await loadFixture('docusaurus-persian-cs-docs.xml')).set.size).toBe(21);
    expect((await loadFixture('hugo-111qqz-zh.xml')).set.size).toBe(1709 - 28);
  });

  it('reads +08:00 and +00:00 lastmods as instants (Hugo)', async () => {
    const { set } = await loadFixture('hugo-111qqz-zh.xml');
    const order = set.orderOf('https://111qqz.com/2020/06caffe-notes/');
    expect(order).toBeDefined();
    expect(set.lastmodAt(order!)).toBe(Date.parse('2020-06-30T11:47:02Z'));
  });

  it('percent-encodes raw UTF-8 and upper-cases lower-case escapes (next-sitemap)', async () => {
    const { set } = await loadFixture('next-sitemap-2001y-sitemap-0.xml');
    const urls = [...set.entries()].map(([url]) => url);
    expect(urls.every((url) => /^[\x21-\x7e]+$/.test(url))).toBe(true);
    expect(urls.some((url) => url.includes('%E6%AD%A3%E8%A6%8F'))).toBe(true); // 正規
    expect(urls.some((url) => /%[0-9A-F][a-f]|%[a-f]/.test(url))).toBe(false);
    expect(set.size).toBe(396);
  });

  it('decodes &amp; in an index <loc> (Shopify)', async () => {
    const { children } = await parseFixture('shopify-iticket-index.xml');
    expect(children.filter((loc) => /\?from=\d+&to=\d+$/.test(loc))).toHaveLength(3);
  });

  it('finds the 6 <image:loc> of the Yoast post sitemap', async () => {
    const { images } = await parseFixture('wordpress-yoast-sutura-post-sitemap.xml');
    expect(images).toBe(6);
  });

  it('reads the MkDocs .xml.gz exactly like the .xml', async () => {
    const plain = await parseFixture('mkdocs-23people-handbook.xml');
    const gzipped = await parseFixture('mkdocs-23people-handbook.xml.gz');
    expect(gzipped.locs).toEqual(plain.locs);
  });

  // The generator's own index and child, deployed side by side as they would be in the build output.
  it.each([
    ['astro-shale-docs-sitemap-index.xml', 'astro-shale-docs-sitemap-0.xml', 'sitemap-0.xml', 46],
    ['next-sitemap-2001y-index.xml', 'next-sitemap-2001y-sitemap-0.xml', 'sitemap-0.xml', 396],
  ])('follows %s to its child in the build folder', async (indexFile, childFile, childName, urls) => {
    const workspace = tempDir();
    mkdirSync(path.join(workspace, 'dist'));
    copyFileSync(path.join(FIXTURES, indexFile), path.join(workspace, 'dist/sitemap.xml'));
    copyFileSync(path.join(FIXTURES, childFile), path.join(workspace, 'dist', childName));
    const result = await sitemapChanges(
      {
        workspace,
        sitemap: 'dist/sitemap.xml',
        changes: parseChanges('all'),
        includeImages: false,
        limits: limits(),
      },
      new MemoryLogger(),
    );
    expect(result.counts.deployed).toBe(urls);
    expect(result.urls).toHaveLength(urls);
  });
});
