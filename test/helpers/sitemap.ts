/** Shared by the sitemap tests: temp folders, a loopback HTTP server, sitemap builders. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach } from 'vitest';
import { DEFAULT_LIMITS, type SitemapLimits } from '../../src/sitemap/document.js';

export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const IMAGE_NS = 'http://www.google.com/schemas/sitemap-image/1.1';

/** A fresh folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdn-prefetch-sitemap-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` (path -> text or bytes; `.gz` names are gzipped unless already bytes) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    const bytes = typeof content === 'string' && name.endsWith('.gz') ? gzipSync(content) : content;
    writeFileSync(file, bytes);
  }
}

export interface UrlSpec {
  loc: string;
  lastmod?: string;
  priority?: string;
  images?: string[];
}

/** A urlset; `loc` and image locs are written as given (escape them yourself). */
export function urlset(urls: UrlSpec[], extra = ''): string {
  const body = urls
    .map((u) => {
      let xml = `<url><loc>${u.loc}</loc>`;
      if (u.lastmod !== undefined) xml += `<lastmod>${u.lastmod}</lastmod>`;
      if (u.priority !== undefined) xml += `<priority>${u.priority}</priority>`;
      for (const image of u.images ?? []) xml += `<image:image><image:loc>${image}</image:loc></image:image>`;
      return `${xml}</url>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}" xmlns:image="${IMAGE_NS}"${extra}>\n${body}\n</urlset>\n`;
}

export function sitemapIndex(locs: string[]): string {
  const body = locs.map((loc) => `<sitemap><loc>${loc}</loc></sitemap>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${SITEMAP_NS}">\n${body}\n</sitemapindex>\n`;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server, closed after the test; `requests` records each request's URL. */
export async function serve(handler: Handler): Promise<{ origin: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, requests };
}

/** Small limits so that the caps are reached by small test documents. */
export function limits(overrides: Partial<SitemapLimits> = {}): SitemapLimits {
  return { ...DEFAULT_LIMITS, timeoutMs: 5_000, ...overrides };
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
