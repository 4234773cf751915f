/**
 * Site hashing benchmark (issue 11): a generated built site of 100,000 files / about 1 GB (HTML pages
 * with navigation, stylesheets and scripts, images, feeds, a few large downloads, non-ASCII names),
 * written once into .bench/ (git-ignored), and a state of the deploy before it in which 1 % of the
 * files differ (modified, added, deleted) with 500 carried URLs. Two measurements, alternated so that
 * both see the same machine load, each the median of --runs:
 *   (a) `find DIR -type f -print0 | xargs -0 sha256sum` over the site — the target;
 *   (b) this project: read the state, scan and hash the site, plan, build and write the next state,
 *       in a child process so that its peak RSS is its own.
 * Prints the ratios (b)/(a) of wall and of CPU time (user + system, every thread and process), (b)'s
 * peak RSS, the state file's size, and the machine's load (other work on it skews wall times).
 * (b) runs from an ncc bundle, as the action does.
 *
 * Then, unless `--no-million`, the whole action on a site of a million small files, first and second
 * run (bench-site-million.ts, in a process of its own).
 *
 *   npx tsx scripts/bench-site.ts [--files 100000] [--runs 3] [--no-million]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FileHashes } from '../src/state/state.js';

const GENERATOR_VERSION = 1;
const BASE_URL = 'https://www.example.com';
const CARRIED = 500;

const scriptPath = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(scriptPath), '..');

interface ChildResult {
  ms: number;
  cpuMs: number;
  maxRssMB: number;
  stateBytes: number;
  counts: Record<string, number>;
  planned: number;
  carriedOut: number;
}

// ---------------------------------------------------------------------------------------------
// The site: deterministic from the file number.

/** A small deterministic PRNG (mulberry32), so that the site is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'cache edge deploy origin prefetch quota region latency header static build page content route asset'.split(
    ' ',
  );

function paragraph(random: () => number, words: number): string {
  let text = '';
  for (let i = 0; i < words; i++) text += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return `<p>${text.trim()}.</p>\n`;
}

/** A page as generators write them: head, a navigation of 40 links, the content, a footer, scripts. */
function page(id: number, title: string): string {
  const random = prng(id);
  let nav = '';
  for (let i = 0; i < 40; i++) nav += `<li><a href="/docs/section-${i}/">Section ${i}</a></li>\n`;
  let body = '';
  const paragraphs = 4 + Math.floor(random() * 16);
  for (let i = 0; i < paragraphs; i++) body += paragraph(random, 40 + Math.floor(random() * 60));
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>\n` +
    `<link rel="stylesheet" href="/css/site.css"><script>var page=${id};/* </main> in a script */</script></head>\n` +
    `<body class="page"><header><nav><ul>\n${nav}</ul></nav></header>\n` +
    `<main id="content"><article><h1>${title}</h1>\n${body}</article></main>\n` +
    `<footer><p>Built for the cdn-prefetch benchmark.</p></footer>\n<script src="/js/app.js"></script></body></html>\n`
  );
}

interface FileSpec {
  path: string;
  bytes: (pool: Buffer) => Buffer;
}

/** File number `n` of the site: its path and how to make its bytes. */
function fileSpec(n: number): FileSpec {
  const slug = `post-${n.toString(36)}`;
  if (n < 5) {
    // A few large downloads: the chunked path.
    return { path: `downloads/release-${n}.zip`, bytes: (pool) => repeatPool(pool, n, 20 * 1024 * 1024) };
  }
  const kind = n % 100;
  if (kind < 55) {
    const section = n % 37;
    const file =
      n % 3 === 0
        ? `blog/${2000 + (n % 25)}/${slug}/index.html`
        : n % 97 === 1
          ? `ブログ/記事 ${n}/index.html`
          : `docs/section-${section}/${slug}.html`;
    return { path: file, bytes: () => Buffer.from(page(n, `Page ${n}`)) };
  }
  if (kind < 57) {
    return {
      path: `${kind === 55 ? 'css' : 'js'}/bundle-${n}.${kind === 55 ? 'css' : 'js'}`,
      bytes: () => Buffer.from(`/* ${n} */\n${'.rule{color:#123;margin:0 auto;padding:4px}\n'.repeat(300)}`),
    };
  }
  if (kind < 92) {
    return {
      path: `images/${n % 50}/photo-${n}.${n % 2 ? 'jpg' : 'png'}`,
      bytes: (pool) => repeatPool(pool, n, 4_000 + ((n * 7919) % 16_000)),
    };
  }
  return {
    path: `feeds/${n % 20}/index-${n}.${n % 2 ? 'xml' : 'json'}`,
    bytes: () => Buffer.from(`{"id":${n},"items":[${'"entry",'.repeat(300)}"last"]}\n`),
  };
}

/** `size` bytes of random-looking binary, different for every `n`. */
function repeatPool(pool: Buffer, n: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size;) {
    const from = (n * 104_729 + at) % (pool.length - 4096);
    at += pool.copy(out, at, from, Math.min(pool.length, from + size - at));
  }
  out.writeUInt32LE(n, 0);
  return out;
}

function generate(dir: string, files: number): number {
  const pool = randomBytes(8 * 1024 * 1024);
  const made = new Set<string>();
  let bytes = 0;
  for (let n = 0; n < files; n++) {
    const spec = fileSpec(n);
    const full = path.join(dir, spec.path);
    const folder = path.dirname(full);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    const data = spec.bytes(pool);
    writeFileSync(full, data);
    bytes += data.length;
  }
  return bytes;
}

function ensureSite(files: number): { dir: string; bytes: number } {
  const dir = path.join(repoRoot, '.bench', `site-${files}`);
  const stampFile = path.join(repoRoot, '.bench', `site-${files}.json`);
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { version: number; bytes: number };
    if (stamp.version === GENERATOR_VERSION) return { dir, bytes: stamp.bytes };
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`Generating ${files} files into ${path.relative(repoRoot, dir)} ...`);
  const started = performance.now();
  const bytes = generate(dir, files);
  writeFileSync(stampFile, JSON.stringify({ version: GENERATOR_VERSION, bytes }));
  console.log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, bytes };
}

// ---------------------------------------------------------------------------------------------
// The previous state: this site's, with 1 % of the files changed, and a carried list.

async function ensurePreviousState(dir: string, files: number): Promise<string> {
  const file = path.join(repoRoot, '.bench', `site-${files}-previous.state.json`);
  if (
    existsSync(file) &&
    statSync(file).mtimeMs > statSync(path.join(dir, '..', `site-${files}.json`)).mtimeMs
  ) {
    return file;
  }
  const { scanSite, writeState } = await import('../src/site/index.js');
  const scan = await scanSite({ workspace: dir, siteDir: '.', baseUrl: BASE_URL });
  const previous = new Map<string, FileHashes>();
  const flip = (hash: string): string => (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1);
  scan.files.forEach((f, i) => {
    const bucket = i % 1000;
    if (bucket < 3) return; // 0.3 %: added by this deploy
    if (bucket < 6 && f.hashes.own !== undefined) {
      // 0.3 %: pages where only the navigation changed
      previous.set(f.path, { content: flip(f.hashes.content), own: f.hashes.own });
    } else if (bucket < 10) {
      // 0.4 %: content changed
      previous.set(f.path, {
        content: flip(f.hashes.content),
        ...(f.hashes.own ? { own: flip(f.hashes.own) } : {}),
      });
    } else {
      previous.set(f.path, f.hashes);
    }
  });
  for (let i = 0; i < files / 500; i++)
    previous.set(`deleted/page-${i}.html`, { content: 'AAAAAAAAAAAAAAAA' });
  const carried = scan.files
    .filter((_, i) => i % 200 === 100)
    .slice(0, CARRIED)
    .map((f) => ({
      url: f.url,
      file: f.path,
      change: 'modified' as const,
      cause: 'quota' as const,
      reason: 'quota: the daily prefetch quota had 0 URLs left',
      since: new Date().toISOString().slice(0, 10),
    }));
  await writeState(file, { baseUrl: scan.base, savedAt: new Date().toISOString(), files: previous, carried });
  return file;
}

// ---------------------------------------------------------------------------------------------
// (b), in a child process.

async function child(dir: string, stateFile: string, out: string): Promise<void> {
  const site = await import('../src/site/index.js');
  const { parseChanges } = await import('../src/sitemap/diff.js');
  const started = performance.now();
  const cpu = process.cpuUsage();
  const read = await site.readState(stateFile);
  const previous = read.kind === 'found' ? read.state.files : undefined;
  const scan = await site.scanSite({ workspace: dir, siteDir: '.', baseUrl: BASE_URL, previous });
  const now = new Date();
  const plan = site.planSiteChanges(scan, read, { changes: parseChanges(''), carryDays: 7, now });
  // A quota of 300: the rest is skipped and carried.
  const outcomes = plan.urls.map((u, i) =>
    i < 300
      ? { url: u.url, status: 'submitted' as const, taskId: '1', order: i }
      : { url: u.url, status: 'skipped' as const, skip: 'quota' as const, reason: 'quota: 0 left', order: i },
  );
  const next = site.nextState({ scan, plan, outcomes, now });
  await site.writeState(out, next.state);
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const result: ChildResult = {
    ms,
    cpuMs: (user + system) / 1000,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    stateBytes: statSync(out).size,
    counts: { ...plan.counts },
    planned: plan.urls.length,
    carriedOut: next.carried,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * (b) runs from a bundle made by ncc, as the action does (dist/index.js): under tsx, its loader thread
 * would add about 40 MB to the peak RSS that the action never has.
 */
function bundleChild(): string {
  const outDir = path.join(repoRoot, '.bench', 'site-child');
  const ncc = path.join(repoRoot, 'node_modules', '.bin', 'ncc');
  const build = spawnSync(
    ncc,
    ['build', scriptPath, '-o', outDir, '--target', 'es2022', '--transpile-only', '--quiet'],
    {
      encoding: 'utf8',
    },
  );
  if (build.status !== 0)
    throw new Error(`ncc could not bundle the benchmark:\n${build.stderr}${build.stdout}`);
  return path.join(outDir, 'index.js');
}

function runChild(bundle: string, dir: string, stateFile: string): ChildResult {
  const out = path.join(repoRoot, '.bench', 'site-next.state.json');
  const run = spawnSync(process.execPath, [bundle, '--child', dir, stateFile, out], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`the site scan failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  }
  return JSON.parse(line) as ChildResult;
}

/** Wall time, and CPU time (user + system) of find, xargs and every sha256sum, as bash's `time` counts it. */
function runSha256sum(dir: string): { ms: number; cpuMs: number } {
  const started = performance.now();
  const run = spawnSync(
    'bash',
    ['-c', 'TIMEFORMAT="%U %S"; time (find . -type f -print0 | xargs -0 sha256sum > /dev/null)'],
    { cwd: dir, encoding: 'utf8' },
  );
  const ms = performance.now() - started;
  const times = /([\d.]+) ([\d.]+)\s*$/.exec(run.stderr);
  if (run.status !== 0 || times === null) {
    throw new Error(`find | xargs sha256sum failed (exit ${run.status}): ${run.stderr}`);
  }
  return { ms, cpuMs: (Number(times[1]) + Number(times[2])) * 1000 };
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
  if (args[0] === '--child') {
    await child(args[1]!, args[2]!, args[3]!);
    return;
  }
  const files = Number(option('files', '100000'));
  const runs = Number(option('runs', '3'));
  const { dir, bytes } = ensureSite(files);
  const stateFile = await ensurePreviousState(dir, files);
  console.log(
    `Site: ${files} files, ${(bytes / 1024 / 1024).toFixed(0)} MB; previous state ${(statSync(stateFile).size / 1024 / 1024).toFixed(1)} MB ` +
      `with 1 % of the files different and ${CARRIED} carried URLs. Node ${process.version}.`,
  );
  const bundle = bundleChild();
  runSha256sum(dir); // both then read from the page cache, as right after a build
  const sha: { ms: number; cpuMs: number }[] = [];
  const ours: ChildResult[] = [];
  for (let run = 0; run < runs; run++) {
    sha.push(runSha256sum(dir));
    ours.push(runChild(bundle, dir, stateFile));
  }
  const a = { ms: median(sha.map((r) => r.ms)), cpuMs: median(sha.map((r) => r.cpuMs)) };
  const b = { ms: median(ours.map((r) => r.ms)), cpuMs: median(ours.map((r) => r.cpuMs)) };
  const rss = median(ours.map((r) => r.maxRssMB));
  const { counts, planned, carriedOut, stateBytes } = ours[0]!;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2).padStart(6)} s`;
  console.log(`(a) find | xargs sha256sum          ${seconds(a.ms)} wall ${seconds(a.cpuMs)} CPU`);
  console.log(
    `(b) read state, scan, plan, write    ${seconds(b.ms)} wall ${seconds(b.cpuMs)} CPU  ${rss} MB peak RSS`,
  );
  console.log(
    `    ${counts.added} added, ${counts.modified} modified (${counts.chromeOnly} chrome-only), ` +
      `${counts.unchanged} unchanged; ${counts.carriedIn} carried in; ${planned} planned, ${carriedOut} carried out`,
  );
  console.log(
    `(b)/(a): ${(b.ms / a.ms).toFixed(2)}x the wall time, ${(b.cpuMs / a.cpuMs).toFixed(2)}x the CPU time of sha256sum — target at most 1.0x`,
  );
  console.log(`(b) peak memory ${rss} MB — target under 300 MB`);
  console.log(`state file ${(stateBytes / 1024 / 1024).toFixed(1)} MB — target under 15 MB`);
  // (b) reads on two threads while the main one hashes: with idle cores its wall time is well under
  // its CPU time; on a machine busy with other work it gets no more than its CPU time.
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} (1, 5, 15 min) at the end`,
  );
}

await main();
if (!process.argv.includes('--no-million') && !process.argv.includes('--child')) {
  console.log('');
  const million = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(path.dirname(scriptPath), 'bench-site-million.ts')],
    { stdio: 'inherit' },
  );
  if (million.status !== 0) process.exitCode = million.status ?? 1;
}
