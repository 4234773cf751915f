/**
 * save-sitemap: one flat `<urlset>` with every URL and lastmod of the deployed sitemap (children
 * included), to serve as the next run's previous-sitemap. URLs are written normalized and lastmods
 * in a form that reads back as the same instant, so an unchanged site diffs as unchanged.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { formatLastmod } from './lastmod.js';
import type { SitemapSet } from './set.js';

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
const TAIL = '</urlset>\n';

/**
 * Writes `set` (or an empty urlset) to `file`, through a temporary file and a rename so that an
 * interrupted run never leaves a truncated baseline behind.
 */
export async function writeUrlset(file: string, set: SitemapSet | undefined): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(temporary, { encoding: 'utf8' });
  try {
    let buffer = HEAD;
    for (const [url, lastmod] of set?.entries() ?? []) {
      buffer += urlElement(url, lastmod);
      if (buffer.length >= 64 * 1024) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer + TAIL);
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await fs.rename(temporary, file);
}

function urlElement(url: string, lastmod: number): string {
  const loc = `<url><loc>${escapeXml(url)}</loc>`;
  return Number.isNaN(lastmod)
    ? `${loc}</url>\n`
    : `${loc}<lastmod>${formatLastmod(lastmod)}</lastmod></url>\n`;
}

/** Text content escaping: `&` and `<` must be escaped, `>` is for `]]>`. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
