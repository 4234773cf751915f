/**
 * Sitemap diff benchmark: a before/after pair of 1,000,000 URLs a side (20 gzip files of 50,000
 * behind a sitemap index), generated once into .bench/ (git-ignored), then three approaches, each
 * in its own child process so that peak RSS is its own:
 *   (a) read + gunzip only — the floor;
 *   (b) the `sitemap` package's parser (XMLToSitemapItemStream) building the same two sets;
 *   (c) this project's sitemapChanges, normalization and diff included.
 *
 *   npx tsx scripts/bench-sitemap.ts [--urls 1000000] [--runs 1] [--only a,b,c]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createGunzip, gzipSync } from 'node:zlib';
import type { Logger } from '../src/base/logger.js';

const URLS_PER_FILE = 50_000;
const GENERATOR_VERSION = 4;
const HOST = 'https://www.example.com';
const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const IMAGE_NS = 'http://www.google.com/schemas/sitemap-image/1.1';

interface Expected {
  current: number;
  previous: number;
  added: number;
  modified: number;
  unchanged: number;
  /** In both, without a lastmod: whether they changed cannot be told. */
  notComparable: number;
}

interface ChildResult {
  ms: number;
  maxRssMB: number;
  detail: Record<string, number | undefined>;
}

const scriptPath = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(scriptPath), '..');

// ---------------------------------------------------------------------------------------------
// Data: deterministic, realistic. Each URL has an id; the sides differ by a few % of ids.

/** Which ids exist on each side: 2 % are new in `current`, 1 % were removed from `previous`. */
function sideIds(side: 'current' | 'previous', count: number): Int32Array {
  const ids = new Int32Array(count);
  let n = 0;
  for (let id = 0; n < count; id++) {
    const added = id % 50 === 7;
    const removed = id % 100 === 13;
    if (side === 'current' ? !removed : !added) ids[n++] = id;
  }
  return ids;
}

const hasLastmod = (id: number): boolean => id % 11 !== 0;
const isModified = (id: number): boolean => id % 33 === 5;

/** The page URL as written in `<loc>` (already escaped for XML, or CDATA), and its normalized form's traits. */
function locXml(id: number): string {
  const slug = `article-${id.toString(36)}-${(id * 2654435761) % 1000003}`;
  if (id % 97 === 1) return `${HOST}/ブログ/記事-${id}/`; // raw UTF-8: the slow normalization path
  if (id % 89 === 2) return `${HOST}/tag/%e5%95%86%e5%93%81-${id}/`; // lower-case escapes
  if (id % 10 === 4) return `${HOST}/docs/%E6%96%87%E6%A1%A3/${slug}/`; // upper-case escapes (canonical)
  if (id % 20 === 3) return `${HOST}/search?q=${slug}&amp;page=${id % 7}`; // entity in the query
  if (id % 25 === 6) return `<![CDATA[${HOST}/products/${slug}?ref=a&b=c]]>`; // CDATA with a raw &
  if (id % 13 === 8) return `${HOST}/products/caf&#233;-${slug}/`; // numeric reference
  return `${HOST}/blog/2025/${(id % 12) + 1}/${slug}/`;
}

/** Same instant, different spellings; `previous` sometimes writes it differently (still unchanged). */
function lastmodXml(id: number, side: 'current' | 'previous'): string | undefined {
  if (!hasLastmod(id)) return undefined;
  const base =
    Date.UTC(2025, 0, 1) + (id % 5000) * 3_600_000 + (side === 'current' && isModified(id) ? 86_400_000 : 0);
  const iso = new Date(base).toISOString(); // 2025-..T..:..:..000Z
  const form = (id + (side === 'previous' && id % 7 === 3 ? 1 : 0)) % 5;
  switch (form) {
    case 0:
      return iso;
    case 1:
      return `${iso.slice(0, 19)}Z`;
    case 2: {
      const plus8 = new Date(base + 8 * 3_600_000).toISOString();
      return `${plus8.slice(0, 19)}+08:00`;
    }
    case 3:
      return `${iso.slice(0, 19)}.${'0'.repeat(6)}Z`;
    default:
      return `${iso.slice(0, 16)}Z`;
  }
}

function urlXml(id: number, side: 'current' | 'previous', prefix: string): string {
  const p = prefix === '' ? '' : `${prefix}:`;
  let xml = `<${p}url><${p}loc>${locXml(id)}</${p}loc>`;
  const lastmod = lastmodXml(id, side);
  if (lastmod !== undefined) xml += `<${p}lastmod>${lastmod}</${p}lastmod>`;
  if (id % 4 === 0) xml += `<${p}changefreq>weekly</${p}changefreq>`;
  if (id % 3 === 0) xml += `<${p}priority>${((id % 10) / 10).toFixed(1)}</${p}priority>`;
  if (id % 5 === 0) {
    xml += `<image:image><image:loc>${HOST}/img/${id}.jpg</image:loc><image:title>Photo &#8470;${id} &amp; more</image:title></image:image>`;
  }
  if (id % 17 === 0) {
    xml += `<xhtml:link rel="alternate" hreflang="en" href="${HOST}/en/${id}/"/>`;
  }
  return `${xml}</${p}url>\n`;
}

function generate(dir: string, urls: number): Expected {
  const files = Math.ceil(urls / URLS_PER_FILE);
  const expected: Expected = {
    current: urls,
    previous: urls,
    added: 0,
    modified: 0,
    unchanged: 0,
    notComparable: 0,
  };
  const ids = { current: sideIds('current', urls), previous: sideIds('previous', urls) };
  const previous = new Set(ids.previous);
  for (const id of ids.current) {
    if (!previous.has(id)) expected.added++;
    else if (!hasLastmod(id)) expected.notComparable++;
    else if (isModified(id)) expected.modified++;
    else expected.unchanged++;
  }
  for (const side of ['current', 'previous'] as const) {
    mkdirSync(path.join(dir, side, 'sitemaps'), { recursive: true });
    let index = `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${SITEMAP_NS}">\n`;
    for (let f = 0; f < files; f++) {
      // One file in seven writes the sitemap namespace with a prefix; one has a BOM.
      const prefix = f % 7 === 3 ? 'sm' : '';
      const nsDecl = prefix === '' ? `xmlns="${SITEMAP_NS}"` : `xmlns:sm="${SITEMAP_NS}"`;
      const root = prefix === '' ? 'urlset' : 'sm:urlset';
      const parts: string[] = [
        `${f === 1 ? '\uFEFF' : ''}<?xml version="1.0" encoding="UTF-8"?>\n`,
        `<${root} ${nsDecl} xmlns:image="${IMAGE_NS}" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n`,
        '<!-- generated for the cdn-prefetch benchmark -->\n',
      ];
      const end = Math.min(urls, (f + 1) * URLS_PER_FILE);
      for (let i = f * URLS_PER_FILE; i < end; i++) parts.push(urlXml(ids[side][i]!, side, prefix));
      parts.push(`</${root}>\n`);
      const name = `sitemap-${f + 1}.xml.gz`;
      writeFileSync(path.join(dir, side, 'sitemaps', name), gzipSync(Buffer.from(parts.join(''), 'utf8')));
      index += `<sitemap><loc>${HOST}/sitemaps/${name}</loc></sitemap>\n`;
    }
    writeFileSync(path.join(dir, side, 'sitemap.xml'), `${index}</sitemapindex>\n`);
  }
  return expected;
}

function ensureData(urls: number): { dir: string; expected: Expected } {
  const dir = path.join(repoRoot, '.bench', `sitemap-${urls}`);
  const stampFile = path.join(dir, 'generated.json');
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { version: number; expected: Expected };
    if (stamp.version === GENERATOR_VERSION) return { dir, expected: stamp.expected };
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`Generating ${urls} URLs a side into ${path.relative(repoRoot, dir)} ...`);
  const started = performance.now();
  const expected = generate(dir, urls);
  writeFileSync(stampFile, JSON.stringify({ version: GENERATOR_VERSION, expected }));
  console.log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, expected };
}

// ---------------------------------------------------------------------------------------------
// The three approaches, each run in a child process.

function childFiles(dir: string, side: string): string[] {
  const index = readFileSync(path.join(dir, side, 'sitemap.xml'), 'utf8');
  return [...index.matchAll(/<loc>[^<]*\/sitemaps\/([^<]+)<\/loc>/g)].map((m) =>
    path.join(dir, side, 'sitemaps', m[1]!),
  );
}

type Detail = Record<string, number | undefined>;
/** Imports what the approach needs (not timed) and returns the timed work. */
type Prepare = (dir: string) => Promise<() => Promise<Detail>>;

const readOnly: Prepare = async (dir) => async () => {
  let bytes = 0;
  for (const side of ['current', 'previous']) {
    bytes += readFileSync(path.join(dir, side, 'sitemap.xml')).length;
    for (const file of childFiles(dir, side)) {
      for await (const chunk of createReadStream(file).pipe(createGunzip()))
        bytes += (chunk as Buffer).length;
    }
  }
  return { decompressedMB: Math.round(bytes / 1024 / 1024) };
};

const sitemapPackage: Prepare = async (dir) => {
  const { XMLToSitemapItemStream, parseSitemapIndex, ErrorLevel } = await import('sitemap');
  return async () => {
    const load = async (side: string): Promise<Map<string, string | undefined>> => {
      const urls = new Map<string, string | undefined>();
      const index = await parseSitemapIndex(createReadStream(path.join(dir, side, 'sitemap.xml')));
      for (const child of index) {
        const file = path.join(dir, side, new URL(child.url).pathname);
        const items = createReadStream(file)
          .pipe(createGunzip())
          .pipe(new XMLToSitemapItemStream({ level: ErrorLevel.SILENT, logger: false }));
        for await (const item of items as AsyncIterable<{ url: string; lastmod?: string }>) {
          if (!urls.has(item.url)) urls.set(item.url, item.lastmod);
        }
      }
      return urls;
    };
    const current = await load('current');
    const previous = await load('previous');
    let added = 0;
    let modified = 0;
    for (const [url, lastmod] of current) {
      if (!previous.has(url)) added++;
      else {
        const before = previous.get(url);
        if (lastmod !== undefined && before !== undefined && Date.parse(lastmod) !== Date.parse(before))
          modified++;
      }
    }
    return { current: current.size, previous: previous.size, added, modified };
  };
};

/** The diff's log lines are not what is measured. */
const QUIET: Logger = {
  info: () => undefined,
  warning: () => undefined,
  notice: () => undefined,
  debug: () => undefined,
  group: (_title, fn) => fn(),
};

const ours: Prepare = async (dir) => {
  const { sitemapChanges } = await import('../src/sitemap/changes.js');
  const { parseChanges } = await import('../src/sitemap/diff.js');
  return async () => {
    const result = await sitemapChanges(
      {
        workspace: dir,
        sitemap: 'current/sitemap.xml',
        previousSitemap: 'previous/sitemap.xml',
        changes: parseChanges('added,modified'),
        includeImages: false,
      },
      QUIET,
    );
    const { deployed, baseline, added, modified, unchanged, notComparable } = result.counts;
    return {
      current: deployed,
      previous: baseline,
      added,
      modified,
      unchanged,
      notComparable,
      selected: result.urls.length,
    };
  };
};

const APPROACHES = {
  a: { name: '(a) read + gunzip only', prepare: readOnly },
  b: { name: '(b) `sitemap` package parser', prepare: sitemapPackage },
  c: { name: '(c) cdn-prefetch diff', prepare: ours },
} as const;
type ApproachKey = keyof typeof APPROACHES;

async function child(mode: ApproachKey, dir: string): Promise<void> {
  const work = await APPROACHES[mode].prepare(dir);
  const started = performance.now();
  const detail = await work();
  const ms = performance.now() - started;
  const result: ChildResult = { ms, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), detail };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(mode: ApproachKey, dir: string): ChildResult {
  // process.execArgv carries tsx's loader, so the child can import TypeScript too.
  const run = spawnSync(process.execPath, [...process.execArgv, scriptPath, '--child', mode, dir], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${APPROACHES[mode].name} failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  }
  return JSON.parse(line) as ChildResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string): string => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? fallback : (args[at + 1] ?? fallback);
  };
  if (option('child', '') !== '') {
    await child(option('child', '') as ApproachKey, args[args.indexOf('--child') + 2]!);
    return;
  }
  const urls = Number(option('urls', '1000000'));
  const runs = Number(option('runs', '1'));
  const only = option('only', 'a,b,c').split(',') as ApproachKey[];
  const { dir, expected } = ensureData(urls);
  console.log(
    `Pair: ${urls} URLs a side in ${Math.ceil(urls / URLS_PER_FILE)} gzip files; expected ` +
      `${expected.added} added, ${expected.modified} modified, ${expected.unchanged} unchanged, ` +
      `${expected.notComparable} not comparable. Node ${process.version}.`,
  );
  const results: Partial<Record<ApproachKey, { ms: number; maxRssMB: number }>> = {};
  for (const key of only) {
    const samples: ChildResult[] = [];
    for (let run = 0; run < runs; run++) samples.push(runChild(key, dir));
    const ms = median(samples.map((s) => s.ms));
    const maxRssMB = median(samples.map((s) => s.maxRssMB));
    results[key] = { ms, maxRssMB };
    const detail = Object.entries(samples[0]!.detail)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `${APPROACHES[key].name.padEnd(32)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${String(maxRssMB).padStart(5)} MB peak RSS  (${detail})`,
    );
    if (key === 'c') {
      const d = samples[0]!.detail;
      if (
        d.added !== expected.added ||
        d.modified !== expected.modified ||
        d.unchanged !== expected.unchanged ||
        d.notComparable !== expected.notComparable
      ) {
        console.log(`  !! (c) counts differ from the generator's: ${JSON.stringify(expected)}`);
        process.exitCode = 1;
      }
    }
  }
  const { a, b, c } = results;
  if (a && c) console.log(`(c)/(a): ${(c.ms / a.ms).toFixed(1)}x the time of just reading the files`);
  if (b && c) console.log(`(b)/(c): ${(b.ms / c.ms).toFixed(1)}x — target at least 6x`);
  if (c) console.log(`(c) peak memory ${c.maxRssMB} MB — target under 500 MB`);
}

await main();
