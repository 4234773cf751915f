/** The XML side of reading a sitemap: what is accepted, what is refused, and how it is reported. */
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseDocument, SitemapParser, type SitemapEntry } from '../../src/sitemap/parse.js';
import { readDocumentText } from '../../src/sitemap/document.js';
import { IMAGE_NS, limits, SITEMAP_NS, tempDir, writeFiles } from '../helpers/sitemap.js';

interface Parsed {
  kind: string | undefined;
  urls: SitemapEntry[];
  children: (string | undefined)[];
}

/** Parses `xml` fed in chunks of `chunk` characters (a small size puts boundaries everywhere). */
function parse(xml: string, chunk = 5): Parsed {
  const urls: SitemapEntry[] = [];
  const children: (string | undefined)[] = [];
  const parser = new SitemapParser(
    { label: 'test.xml', images: true },
    {
      url: (entry) => urls.push({ ...entry, images: entry.images && [...entry.images] }),
      child: (loc) => children.push(loc),
    },
  );
  for (let i = 0; i < xml.length; i += chunk) parser.write(xml.slice(i, i + chunk));
  parser.close();
  return { kind: parser.kind, urls, children };
}

/** Reads bytes from a file, as the loader does (gzip sniffing, UTF-8 decoding, BOM). */
async function parseBytes(bytes: Buffer, name = 'sitemap.xml'): Promise<Parsed> {
  const dir = tempDir();
  writeFiles(dir, { [name]: bytes });
  const urls: SitemapEntry[] = [];
  const children: (string | undefined)[] = [];
  const kind = await parseDocument(
    readDocumentText({ kind: 'file', path: path.join(dir, name), label: name }, { limits: limits() }),
    { label: name, images: false },
    { url: (entry) => urls.push({ ...entry }), child: (loc) => children.push(loc) },
  );
  return { kind, urls, children };
}

const URLSET = `<urlset xmlns="${SITEMAP_NS}">`;
const locs = (parsed: Parsed): (string | undefined)[] => parsed.urls.map((u) => u.loc?.trim());

describe('sitemap XML', () => {
  it('reads loc, lastmod and priority of each url, and child locs of an index', () => {
    const parsed = parse(
      `<?xml version="1.0"?>${URLSET}<url><loc>https://a.com/</loc><lastmod>2026-01-05</lastmod>` +
        `<changefreq>daily</changefreq><priority>0.8</priority></url><url><loc>https://a.com/b</loc></url></urlset>`,
    );
    expect(parsed.kind).toBe('urlset');
    expect(parsed.urls).toEqual([
      { loc: 'https://a.com/', lastmod: '2026-01-05', priority: '0.8', images: undefined },
      { loc: 'https://a.com/b', lastmod: undefined, priority: undefined, images: undefined },
    ]);
    const index = parse(
      `<sitemapindex xmlns="${SITEMAP_NS}"><sitemap><loc>https://a.com/1.xml</loc></sitemap></sitemapindex>`,
    );
    expect(index.kind).toBe('sitemapindex');
    expect(index.children).toEqual(['https://a.com/1.xml']);
  });

  it('unescapes entities and numeric references, and reads CDATA', () => {
    const parsed = parse(
      `${URLSET}<url><loc>https://a.com/?a=1&amp;b=2&#38;c=&#x33;</loc></url>` +
        `<url><loc><![CDATA[https://a.com/?x=1&y=<2>]]></loc></url>` +
        `<url><loc>https://a.com/<![CDATA[mixed]]>&amp;more</loc></url></urlset>`,
    );
    expect(locs(parsed)).toEqual([
      'https://a.com/?a=1&b=2&c=3',
      'https://a.com/?x=1&y=<2>',
      'https://a.com/mixed&more',
    ]);
  });

  it('matches elements by namespace, whatever the prefix', () => {
    const parsed = parse(
      `<sm:urlset xmlns:sm="${SITEMAP_NS}" xmlns:img="${IMAGE_NS}"><sm:url><sm:loc>https://a.com/p</sm:loc>` +
        `<img:image><img:loc>https://a.com/p.jpg</img:loc></img:image></sm:url></sm:urlset>`,
    );
    expect(parsed.urls).toEqual([
      { loc: 'https://a.com/p', lastmod: undefined, priority: undefined, images: ['https://a.com/p.jpg'] },
    ]);
  });

  it('ignores elements of other namespaces that share a local name', () => {
    const parsed = parse(
      `${URLSET.slice(0, -1)} xmlns:x="urn:other"><url><x:loc>https://a.com/wrong</x:loc><loc>https://a.com/right</loc>` +
        `<x:image><x:loc>https://a.com/no.jpg</x:loc></x:image></url><x:url><loc>https://a.com/nope</loc></x:url></urlset>`,
    );
    expect(parsed.urls).toEqual([
      { loc: 'https://a.com/right', lastmod: undefined, priority: undefined, images: undefined },
    ]);
  });

  it('honours a namespace declared on an inner element', () => {
    expect(() => parse(`<urlset xmlns="urn:not-sitemap"><url/></urlset>`)).toThrow(
      /is not a sitemap: its root element is <urlset> in namespace urn:not-sitemap/,
    );
    const inner = parse(
      `<x:urlset xmlns:x="${SITEMAP_NS}"><x:url><loc xmlns="${SITEMAP_NS}">https://a.com/in</loc></x:url></x:urlset>`,
    );
    expect(locs(inner)).toEqual(['https://a.com/in']);
  });

  it("accepts a sitemap without a namespace, and Google's old one", () => {
    expect(locs(parse('<urlset><url><loc>https://a.com/</loc></url></urlset>'))).toEqual(['https://a.com/']);
    const old = parse(
      '<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url><loc>https://a.com/</loc></url></urlset>',
    );
    expect(locs(old)).toEqual(['https://a.com/']);
  });

  it('skips comments, processing instructions and a commented-out url', () => {
    const parsed = parse(
      `<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="//x/s.xsl"?>${URLSET}<!-- <url><loc>https://a.com/old</loc></url> -->` +
        `<url><loc>https://a.com/new</loc></url></urlset><!-- trailing comment -->`,
    );
    expect(locs(parsed)).toEqual(['https://a.com/new']);
  });

  it('keeps surrounding whitespace for the normalizer to trim', () => {
    expect(parse(`${URLSET}<url><loc>\n   https://a.com/x\n  </loc></url></urlset>`).urls[0]?.loc).toBe(
      '\n   https://a.com/x\n  ',
    );
  });

  it('accepts whitespace before the XML declaration', () => {
    expect(
      locs(
        parse(
          `\n\n   \t<?xml version="1.0" encoding="UTF-8"?>${URLSET}<url><loc>https://a.com/</loc></url></urlset>`,
          2,
        ),
      ),
    ).toEqual(['https://a.com/']);
  });

  it('ignores a DOCTYPE and never fetches its DTD', () => {
    const parsed = parse(
      `<!DOCTYPE urlset SYSTEM "http://127.0.0.1:1/evil.dtd">${URLSET}<url><loc>https://a.com/</loc></url></urlset>`,
    );
    expect(locs(parsed)).toEqual(['https://a.com/']);
  });

  it('refuses an entity only a DTD could define', () => {
    const xml = `<!DOCTYPE urlset [<!ENTITY host "a.com">]>${URLSET}<url><loc>https://&host;/</loc></url></urlset>`;
    expect(() => parse(xml)).toThrow(
      /test\.xml:1:\d+: undefined entity.*entities declared in a DTD are not read/,
    );
  });

  it('explains a raw "&" instead of reporting an unclosed tag at the end of the file', () => {
    const urls = Array.from({ length: 2000 }, (_, i) => `<url><loc>https://a.com/${i}</loc></url>`).join(
      '\n',
    );
    const xml = `${URLSET}\n<url>\n<loc>https://a.com/?a=1&b=2</loc></url>\n${urls}</urlset>`;
    expect(() => parse(xml, 4096)).toThrow(
      /test\.xml: a raw "&" in the element opened at line 3, column 5 never ends as an entity; write it as &amp;/,
    );
    expect(() => parse(`${URLSET}<url><loc>https://a.com/?a=1&b</loc></url></urlset>`)).toThrow(
      /raw "&".*write it as &amp;/,
    );
  });

  it('reports a document whose root never closes as truncated', () => {
    expect(() => parse(`${URLSET}<url><loc>https://a.com/</loc></url>`)).toThrow(
      /test\.xml: is truncated: <urlset> never closes/,
    );
    expect(() => parse(`${URLSET}<url><loc>https://a.com/`)).toThrow(/is truncated/);
  });

  it('refuses what is not a sitemap', () => {
    expect(() => parse('<rss version="2.0"><channel/></rss>')).toThrow(
      /is not a sitemap: its root element is <rss>/,
    );
    expect(() => parse('<!DOCTYPE html><html><body>Not found</body></html>')).toThrow(
      /is an HTML page, not a sitemap/,
    );
    expect(() => parse('')).toThrow(/test\.xml: is empty/);
    expect(() => parse('not xml at all')).toThrow(/test\.xml:1:\d+:/);
    expect(() => parse(`${URLSET}</urlset>junk`)).toThrow(/text data outside of root node/);
  });

  it('refuses an undeclared namespace prefix, with a hint', () => {
    expect(() => parse(`${URLSET}<url><loc>https://a.com/</loc><image:image/></url></urlset>`)).toThrow(
      /unbound namespace prefix: "image".*declare the prefix on the root element/,
    );
  });

  it('reads UTF-8 with and without a BOM, plain or gzipped whatever the name', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${URLSET}<url><loc>https://a.com/ブログ</loc></url></urlset>`;
    const expected = ['https://a.com/ブログ'];
    expect(locs(await parseBytes(Buffer.from(xml)))).toEqual(expected);
    expect(
      locs(await parseBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))),
    ).toEqual(expected);
    expect(locs(await parseBytes(gzipSync(xml), 'sitemap.xml'))).toEqual(expected); // gzip named .xml
    expect(locs(await parseBytes(Buffer.from(xml), 'sitemap.xml.gz'))).toEqual(expected); // plain named .gz
  });

  it('refuses bytes that are not UTF-8', async () => {
    const latin1 = Buffer.from(`${URLSET}<url><loc>https://a.com/caf\xe9</loc></url></urlset>`, 'latin1');
    await expect(parseBytes(latin1)).rejects.toThrow(/sitemap\.xml: is not valid UTF-8/);
  });

  it('reports corrupt gzip data', async () => {
    const gz = gzipSync(`${URLSET}<url><loc>https://a.com/</loc></url></urlset>`);
    await expect(parseBytes(gz.subarray(0, gz.length - 12))).rejects.toThrow(
      /gzip data is corrupt or truncated/,
    );
  });
});
