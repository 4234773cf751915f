/** Remote sitemaps against a real HTTP server on 127.0.0.1: formats, statuses, and every cap. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DocumentNotFoundError } from '../../src/sitemap/errors.js';
import { sitemapChanges } from '../../src/sitemap/changes.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { type SitemapLimits } from '../../src/sitemap/document.js';
import { parseDocument } from '../../src/sitemap/parse.js';
import { readDocumentText } from '../../src/sitemap/document.js';
import { MemoryLogger } from '../helpers/logger.js';
import { limits, serve, SITEMAP_NS, tempDir, urlset, type Handler } from '../helpers/sitemap.js';

const XML = urlset([
  { loc: 'https://www.example.com/a' },
  { loc: 'https://www.example.com/b', lastmod: '2026-01-05' },
]);

/** The `<loc>`s of the document at `url`. */
async function fetchLocs(url: string, overrides: Partial<SitemapLimits> = {}): Promise<string[]> {
  const locs: string[] = [];
  await parseDocument(
    readDocumentText({ kind: 'url', url, label: url }, { limits: limits(overrides) }),
    { label: url, images: false },
    { url: (entry) => locs.push(entry.loc!), child: () => undefined },
  );
  return locs;
}

const reply =
  (body: string | Buffer, headers: Record<string, string> = {}, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };

describe('remote sitemaps', () => {
  it('reads a plain sitemap, asking for gzip', async () => {
    const { origin, requests } = await serve(reply(XML, { 'Content-Type': 'application/xml' }));
    expect(await fetchLocs(`${origin}/sitemap.xml`)).toEqual([
      'https://www.example.com/a',
      'https://www.example.com/b',
    ]);
    expect(requests[0]?.headers['accept-encoding']).toBe('gzip');
    expect(requests[0]?.headers['user-agent']).toBe('cdn-prefetch');
  });

  it('reads a .gz file served as bytes', async () => {
    const { origin } = await serve(reply(gzipSync(XML), { 'Content-Type': 'application/x-gzip' }));
    expect(await fetchLocs(`${origin}/sitemap.xml.gz`)).toHaveLength(2);
  });

  it('undoes Content-Encoding: gzip, also over a .gz file', async () => {
    const { origin } = await serve((req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end(req.url === '/double.xml.gz' ? gzipSync(gzipSync(XML)) : gzipSync(XML));
    });
    expect(await fetchLocs(`${origin}/sitemap.xml`)).toHaveLength(2);
    expect(await fetchLocs(`${origin}/double.xml.gz`)).toHaveLength(2);
  });

  it('refuses a Content-Encoding it cannot undo', async () => {
    const { origin } = await serve(reply('xx', { 'Content-Encoding': 'br' }));
    await expect(fetchLocs(`${origin}/s.xml`)).rejects.toThrow(
      /Content-Encoding "br", which is not supported/,
    );
  });

  it('reports 404 as not found, and other statuses as errors', async () => {
    const { origin } = await serve((req, res) => {
      res.statusCode = req.url === '/missing.xml' ? 404 : 500;
      res.end('no');
    });
    await expect(fetchLocs(`${origin}/missing.xml`)).rejects.toThrow(DocumentNotFoundError);
    await expect(fetchLocs(`${origin}/missing.xml`)).rejects.toThrow(/missing\.xml: HTTP 404 \(not found\)/);
    await expect(fetchLocs(`${origin}/broken.xml`)).rejects.toThrow(
      /broken\.xml: HTTP 500 Internal Server Error$/,
    );
  });

  it('follows up to 5 redirects, relative ones included', async () => {
    const { origin, requests } = await serve((req, res) => {
      const hop = Number(/\/hop(\d+)/.exec(req.url!)?.[1] ?? 0);
      if (hop < 5) {
        res.writeHead(hop % 2 === 0 ? 301 : 307, { Location: `/hop${hop + 1}` });
        res.end();
      } else res.end(XML);
    });
    expect(await fetchLocs(`${origin}/hop0`)).toHaveLength(2);
    expect(requests).toHaveLength(6);
  });

  it('stops a redirect loop at the cap, naming it', async () => {
    const { origin, requests } = await serve((_req, res) => {
      res.writeHead(302, { Location: '/loop' });
      res.end();
    });
    await expect(fetchLocs(`${origin}/loop`)).rejects.toThrow(/loop: more than 5 redirects \(the limit\)$/);
    expect(requests).toHaveLength(6);
    requests.length = 0;
    await expect(fetchLocs(`${origin}/loop`, { maxRedirects: 2 })).rejects.toThrow(/more than 2 redirects/);
    expect(requests).toHaveLength(3);
  });

  it('checks the scheme at every hop', async () => {
    const { origin } = await serve((_req, res) => {
      res.writeHead(302, { Location: 'file:///etc/passwd' });
      res.end();
    });
    await expect(fetchLocs(`${origin}/s.xml`)).rejects.toThrow(
      /file:\/\/\/etc\/passwd is not an http\(s\) URL; only http and https are fetched/,
    );
  });

  it('refuses a body over the download cap, declared or not', async () => {
    const big = urlset(Array.from({ length: 200 }, (_, i) => ({ loc: `https://www.example.com/${i}` })));
    const { origin } = await serve((req, res) => {
      if (req.url === '/declared.xml')
        res.writeHead(200, { 'Content-Length': String(Buffer.byteLength(big)) });
      // Two writes without a Content-Length: sent chunked, the size unknown until it arrives.
      res.write(big.slice(0, 100));
      res.end(big.slice(100));
    });
    await expect(fetchLocs(`${origin}/declared.xml`, { maxBytes: 4096 })).rejects.toThrow(
      /declared\.xml: is \d+ bytes, more than the 4096 bytes download limit/,
    );
    await expect(fetchLocs(`${origin}/chunked.xml`, { maxBytes: 4096 })).rejects.toThrow(
      /chunked\.xml: more than the 4096 bytes download limit/,
    );
    expect(await fetchLocs(`${origin}/chunked.xml`)).toHaveLength(200);
  });

  it('stops a gzip bomb at the decompressed cap, as a file or as Content-Encoding', async () => {
    // 64 MiB of whitespace inside a valid root compresses to about 64 KiB.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from(`<urlset xmlns="${SITEMAP_NS}">`), Buffer.alloc(64 * 1024 * 1024, 0x20)]),
      { level: 9 },
    );
    expect(bomb.length).toBeLessThan(200 * 1024);
    const { origin } = await serve((req, res) => {
      res.writeHead(200, req.url === '/encoded.xml' ? { 'Content-Encoding': 'gzip' } : {});
      res.end(bomb);
    });
    const cap = { maxDecompressedBytes: 4 * 1024 * 1024 };
    const before = process.memoryUsage().rss;
    await expect(fetchLocs(`${origin}/bomb.xml.gz`, cap)).rejects.toThrow(
      /bomb\.xml\.gz: more than 4 MiB once decompressed, the limit per sitemap document/,
    );
    await expect(fetchLocs(`${origin}/encoded.xml`, cap)).rejects.toThrow(
      /encoded\.xml: more than 4 MiB once decompressed/,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('times out a request whose headers never come, and one whose body stalls', async () => {
    const { origin } = await serve((req, res) => {
      if (req.url === '/silent.xml') return; // never answers
      res.writeHead(200);
      res.write(`<urlset xmlns="${SITEMAP_NS}">`); // then stalls
    });
    await expect(fetchLocs(`${origin}/silent.xml`, { timeoutMs: 300 })).rejects.toThrow(
      /timed out after 0\.3 s/,
    );
    await expect(fetchLocs(`${origin}/stalled.xml`, { timeoutMs: 300 })).rejects.toThrow(
      /stalled\.xml: timed out while downloading \(limit 0\.3 s per request\)/,
    );
  });

  it('reports a connection cut half-way', async () => {
    const { origin } = await serve((req, res) => {
      res.writeHead(200, req.url === '/declared.xml' ? { 'Content-Length': '100000' } : {});
      res.write(`<urlset xmlns="${SITEMAP_NS}"><url><loc>https://www.example.com/a</loc></url>`);
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(fetchLocs(`${origin}/chunked.xml`)).rejects.toThrow(/Premature close/);
    // node-fetch 2 does not notice a short Content-Length body; the request's deadline ends it.
    await expect(fetchLocs(`${origin}/declared.xml`, { timeoutMs: 500 })).rejects.toThrow(
      /timed out while downloading/,
    );
  });

  it('is a deployed sitemap or a baseline like any file', async () => {
    const { origin } = await serve((req, res) => {
      if (req.url === '/now.xml') res.end(XML);
      else if (req.url === '/before.xml.gz')
        res.end(gzipSync(urlset([{ loc: 'https://www.example.com/a' }])));
      else if (req.url === '/broken.xml') res.end('<urlset');
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    const run = (previousSitemap: string, logger = new MemoryLogger()) =>
      sitemapChanges(
        {
          workspace: tempDir(),
          sitemap: `${origin}/now.xml`,
          previousSitemap,
          changes: parseChanges('added,modified'),
          includeImages: false,
          limits: limits(),
        },
        logger,
      );
    expect((await run(`${origin}/before.xml.gz`)).urls).toEqual(['https://www.example.com/b']);

    const missing = new MemoryLogger();
    expect((await run(`${origin}/gone.xml`, missing)).urls).toHaveLength(2);
    expect(missing.messages('notice')).toEqual([
      expect.stringMatching(/^No baseline: http:\/\/127\.0\.0\.1:\d+\/gone\.xml: HTTP 404/),
    ]);

    const broken = new MemoryLogger();
    expect((await run(`${origin}/broken.xml`, broken)).urls).toEqual([]);
    expect(broken.messages('warning')).toEqual([
      expect.stringMatching(/^previous-sitemap: the baseline cannot be read: .*broken\.xml/),
    ]);
  });
});
