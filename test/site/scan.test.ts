/**
 * site-dir: which files count, the URL each maps to (and back from a sitemap loc), and the errors
 * for a site-dir that is missing, a file, or empty.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { fileToUrl, scanSite, siteBase, urlToFile } from '../../src/site/index.js';
import { normalizeUrl } from '../../src/urls/normalize.js';
import { BASE, tempDir, writeSite } from '../helpers/site.js';

async function scan(
  files: Record<string, string | Buffer>,
  extra: { state?: string; baseUrl?: string } = {},
) {
  const workspace = tempDir();
  writeSite(path.join(workspace, 'public'), files);
  return scanSite({ workspace, siteDir: 'public', baseUrl: extra.baseUrl ?? BASE, state: extra.state });
}

describe('scanSite: which files and which URLs', () => {
  it('maps index.html to its folder URL and every other file to its own path, percent-encoded as browsers send it', async () => {
    const result = await scan({
      'index.html': 'home',
      'docs/index.html': 'docs',
      'docs/configure.html': 'configure',
      'css/site.css': 'body{}',
      'index.xml': '<rss/>',
      'blog/2026/hello/index.html': 'nested',
      'ブログ/記事.html': 'non-ASCII',
      'café/menu du jour.pdf': 'space and é',
      'faq/what#is?this.html': '# and ?',
      'odd/100%.txt': 'percent',
      'odd/a+b,c;d=e:f@g$h&i.txt': 'sub-delimiters stay raw',
      'odd/[x] {y} |z|.txt': 'brackets and braces are encoded',
      'docs/index.htm': 'not index.html: its own path',
    });
    const urls = Object.fromEntries(result.files.map((f) => [f.path, f.url]));
    expect(urls).toEqual({
      'index.html': `${BASE}/`,
      'docs/index.html': `${BASE}/docs/`,
      'docs/configure.html': `${BASE}/docs/configure.html`,
      'css/site.css': `${BASE}/css/site.css`,
      'index.xml': `${BASE}/index.xml`,
      'blog/2026/hello/index.html': `${BASE}/blog/2026/hello/`,
      'ブログ/記事.html': `${BASE}/%E3%83%96%E3%83%AD%E3%82%B0/%E8%A8%98%E4%BA%8B.html`,
      'café/menu du jour.pdf': `${BASE}/caf%C3%A9/menu%20du%20jour.pdf`,
      'faq/what#is?this.html': `${BASE}/faq/what%23is%3Fthis.html`,
      'odd/100%.txt': `${BASE}/odd/100%25.txt`,
      'odd/a+b,c;d=e:f@g$h&i.txt': `${BASE}/odd/a+b,c;d=e:f@g$h&i.txt`,
      'odd/[x] {y} |z|.txt': `${BASE}/odd/%5Bx%5D%20%7By%7D%20%7Cz%7C.txt`,
      'docs/index.htm': `${BASE}/docs/index.htm`,
    });
    // The URLs are already canonical: normalization (and so the dedup and the report) keeps them as they are.
    for (const url of Object.values(urls)) expect(normalizeUrl(url)).toMatchObject({ ok: true, url });
    // The browser's own parser reads each back to the file's path.
    for (const [file, url] of Object.entries(urls)) {
      const decoded = decodeURIComponent(new URL(url).pathname).slice(1);
      expect(decoded).toBe(file.replace(/(^|\/)index\.html$/, '$1'));
    }
    expect(result.bytes).toBe(result.files.reduce((sum, f) => sum + f.size, 0));
  });

  it('lists files sorted by path, whatever order the folder gives them in', async () => {
    const result = await scan({ 'b.html': '1', 'a/z.css': '2', 'a.txt': '3', 'B.html': '4' });
    expect(result.files.map((f) => f.path)).toEqual(['B.html', 'a.txt', 'a/z.css', 'b.html']);
  });

  it('skips hidden files and folders (.git, .DS_Store, .well-known) and a state file kept inside site-dir', async () => {
    const result = await scan(
      {
        'index.html': 'home',
        '.DS_Store': 'finder',
        '.git/HEAD': 'ref: refs/heads/main',
        '.well-known/security.txt': 'hidden folder',
        'docs/.hidden.html': 'hidden file',
        'cdn-state.json': '{"format":"cdn-prefetch-state"}',
        'docs/cdn-state.json': 'same name, other folder: a site file',
      },
      { state: 'public/cdn-state.json' },
    );
    expect(result.files.map((f) => f.path)).toEqual(['docs/cdn-state.json', 'index.html']);
  });

  it('follows a link to a file but not a link to a folder, and ignores a dangling link', async () => {
    const workspace = tempDir();
    const site = path.join(workspace, 'public');
    writeSite(site, { 'index.html': 'home', 'assets/app.js': 'js' });
    symlinkSync(path.join(site, 'assets/app.js'), path.join(site, 'app-latest.js'));
    symlinkSync(path.join(site, 'assets'), path.join(site, 'assets-link'));
    symlinkSync(path.join(site, 'nowhere'), path.join(site, 'dangling.txt'));
    symlinkSync(site, path.join(site, 'assets', 'loop'));
    const result = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE });
    expect(result.files.map((f) => f.path)).toEqual(['app-latest.js', 'assets/app.js', 'index.html']);
  });

  it('keeps the base URL path: a site served under /docs/ maps below it', async () => {
    const result = await scan(
      { 'index.html': 'home', 'guide/setup.html': 'setup' },
      { baseUrl: 'https://Docs.Example.com/manual' },
    );
    expect(result.base).toBe('https://docs.example.com/manual/');
    expect(result.files.map((f) => f.url)).toEqual([
      'https://docs.example.com/manual/guide/setup.html',
      'https://docs.example.com/manual/',
    ]);
  });
});

describe('scanSite: a site-dir that cannot be used is a configuration error naming it', () => {
  it.each([
    ['missing', (_ws: string) => undefined, /site-dir: "public" \(.*public\) does not exist/],
    [
      'a file',
      (ws: string) => writeFileSync(path.join(ws, 'public'), 'not a folder'),
      /site-dir: "public" \(.*public\) is a file, not a folder/,
    ],
    [
      'empty',
      (ws: string) => mkdirSync(path.join(ws, 'public')),
      /site-dir: "public" \(.*public\) has no files \(hidden ones are skipped\)/,
    ],
    [
      'only hidden files',
      (ws: string) => writeSite(path.join(ws, 'public'), { '.git/HEAD': 'x', '.nojekyll': '' }),
      /has no files/,
    ],
  ])('site-dir %s', async (_name, prepare, message) => {
    const workspace = tempDir();
    prepare(workspace);
    const error = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).input).toBe('site-dir');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path.join(workspace, 'public'));
  });

  it('a base-url that is not an http(s) URL names base-url', () => {
    expect(() => siteBase('www.example.com')).toThrow(ConfigError);
    expect(() => siteBase('ftp://www.example.com')).toThrow(
      /base-url: "ftp:\/\/www.example.com" is not an http\(s\) URL/,
    );
    expect(() => siteBase('https://www.example.com/?v=1')).toThrow(/query or fragment/);
  });
});

describe('urlToFile: which file a sitemap loc is served from', () => {
  const files = new Set([
    'index.html',
    'p/index.html',
    'guide/intro.html',
    'feed',
    'feed.html',
    'ブログ/記事/index.html',
    'about/index.html',
  ]);
  const exists = (file: string): boolean => files.has(file);
  it.each([
    [`${BASE}/`, 'index.html'],
    [`${BASE}/p/`, 'p/index.html'],
    [`${BASE}/p`, 'p/index.html'],
    [`${BASE}/p/index.html`, 'p/index.html'],
    [`${BASE}/guide/intro`, 'guide/intro.html'],
    [`${BASE}/guide/intro.html`, 'guide/intro.html'],
    [`${BASE}/feed`, 'feed'], // a file of that exact name wins over feed.html
    [`${BASE}/%E3%83%96%E3%83%AD%E3%82%B0/%E8%A8%98%E4%BA%8B/`, 'ブログ/記事/index.html'],
    [`${BASE}/missing/`, undefined],
    [`${BASE}/guide/intro?lang=en`, undefined],
    ['https://other.example.com/p/', undefined],
    [`${BASE}/%E3%83`, undefined], // not UTF-8
  ])('%s → %s', (url, file) => {
    expect(urlToFile(`${BASE}/`, url, exists)).toBe(file);
  });

  it('reads back every URL fileToUrl makes', () => {
    for (const file of files) {
      expect(urlToFile(`${BASE}/`, fileToUrl(`${BASE}/`, file), exists)).toBe(file);
    }
  });
});
