/**
 * A site of a million small files through the whole action (issue 21): the bundled dist/index.js run
 * as the runner runs it, against the emulator, twice — the first deploy (no state: every file added,
 * the day's quota of 1,000 URLs sent, the rest reported) and the next one (0.1 % of the pages edited).
 * Prints each run's wall time and peak memory (`/usr/bin/time -v`: the process's maximum resident set
 * size) and the state file's size, against the targets: under 1 GB and 30 s each on 2 cores, the
 * state under 60 MB.
 *
 * The site is written under the system's temporary folder (about 8 GB of disk: a million small files
 * and their folders) and removed afterwards, also when the benchmark fails or is interrupted.
 *
 *   npx tsx scripts/bench-site-million.ts [--files 1000000]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startEmulator } from '../emulator/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(repoRoot, 'dist/index.js');
const TIME = '/usr/bin/time';
const AK_ID = 'bench-million';
const AK_SECRET = 'bench-million-secret';
const STATE = '.cdn-prefetch/state.json';
const QUOTA = 1_000;

/** File `n`: four pages in five (`p/<n % 1000>/<n>.html`, 0.6-1.4 KB), else an image (0.3-2 KB). */
function file(n: number, version: number): { path: string; bytes: Buffer } {
  const folder = n % 1000;
  if (n % 5 === 4) {
    const bytes = Buffer.alloc(300 + ((n * 7919) % 1700), n % 251);
    bytes.writeUInt32LE(n, 0);
    return { path: `img/${folder}/${n}.png`, bytes };
  }
  const words = 'cache edge deploy origin prefetch quota page content '.repeat(1 + (n % 16));
  const text =
    `<!DOCTYPE html><html><head><title>Page ${n}</title><link rel="stylesheet" href="/site.css"></head>` +
    `<body><nav><a href="/">Home</a> <a href="/p/${folder}/">Section ${folder}</a></nav>` +
    `<main><h1>Page ${n}</h1><p>${words}</p><p>version ${version}</p></main></body></html>\n`;
  return { path: `p/${folder}/${n}.html`, bytes: Buffer.from(text) };
}

/** Writes the site; `edited` pages get version 2. Returns its size in bytes. */
function writeSite(dir: string, files: number, edited: (n: number) => boolean): number {
  let bytes = 0;
  for (let n = 0; n < files; n++) {
    const { path: name, bytes: data } = file(n, edited(n) ? 2 : 1);
    if (n < 2000) mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), data);
    bytes += data.length;
  }
  return bytes;
}

interface Measured {
  exitCode: number | null;
  wallMs: number;
  maxRssMB: number | undefined;
  /** User + system time, every thread (a busy machine lengthens the wall time, not this). */
  cpuMs: number | undefined;
  log: string;
}

/** One run of the bundled action with `/usr/bin/time -v` (when there is one). */
async function runAction(workspace: string, inputs: Record<string, string>): Promise<Measured> {
  const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? tmpdir(),
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: path.join(workspace, '.github-output'),
    GITHUB_STEP_SUMMARY: path.join(workspace, '.github-summary'),
    RUNNER_TEMP: workspace,
    ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET,
  };
  writeFileSync(env['GITHUB_OUTPUT']!, '');
  writeFileSync(env['GITHUB_STEP_SUMMARY']!, '');
  for (const [name, spec] of Object.entries(action.inputs)) {
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  }
  const timed = existsSync(TIME);
  const [command, args] = timed ? [TIME, ['-v', process.execPath, BUNDLE]] : [process.execPath, [BUNDLE]];
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(command, args, { cwd: workspace, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    },
  );
  const wallMs = performance.now() - started;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return {
    exitCode: code,
    wallMs,
    maxRssMB: rss ? Math.round(Number(rss[1]) / 1024) : undefined,
    cpuMs: user && system ? (Number(user[1]) + Number(system[1])) * 1000 : undefined,
    log: stdout + stderr,
  };
}

function line(title: string, run: Measured, stateBytes: number): string {
  const rss = run.maxRssMB === undefined ? '(no /usr/bin/time)' : `${run.maxRssMB} MB peak RSS`;
  const cpu = run.cpuMs === undefined ? '' : `${(run.cpuMs / 1000).toFixed(1).padStart(6)} s CPU  `;
  return (
    `${title.padEnd(34)} ${(run.wallMs / 1000).toFixed(1).padStart(6)} s wall ${cpu}${rss.padStart(17)}  ` +
    `state ${(stateBytes / 1024 / 1024).toFixed(1)} MB  exit ${run.exitCode}`
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--files');
  const files = at === -1 ? 1_000_000 : Number(args[at + 1]);
  const workspace = mkdtempSync(path.join(tmpdir(), 'cdn-prefetch-bench-million-'));
  // Removed however the benchmark ends: a million files must not be left behind.
  const cleanup = (): void => rmSync(workspace, { recursive: true, force: true });
  const interrupted = (signal: NodeJS.Signals): void => {
    console.log(`\n${signal}: removing ${workspace} ...`);
    cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const emulator = await startEmulator({ credentials: { [AK_ID]: AK_SECRET }, preloadQuota: QUOTA });
  try {
    const site = path.join(workspace, 'public');
    console.log(`## The whole action on a site of ${files} small files (issue 21)`);
    const started = performance.now();
    const bytes = writeSite(site, files, () => false);
    console.log(
      `site: ${files} files, ${(bytes / 1024 / 1024).toFixed(0)} MB, written in ${((performance.now() - started) / 1000).toFixed(0)} s to ${workspace}`,
    );
    const inputs = {
      endpoint: emulator.url,
      'site-dir': 'public',
      'base-url': 'https://www.example.com',
      state: STATE,
      timeout: '900',
    };
    const stateBytes = (): number => statSync(path.join(workspace, STATE)).size;
    const first = await runAction(workspace, inputs);
    if (first.exitCode !== 0) throw new Error(`the first run failed:\n${first.log.slice(-4000)}`);
    const firstState = stateBytes();
    // The next deploy: 0.1 % of the pages edited, a new day's quota.
    for (let n = 7; n < files; n += 1000) {
      const { path: name, bytes: data } = file(n, 2);
      writeFileSync(path.join(site, name), data);
    }
    emulator.setPreloadRemain(QUOTA);
    const second = await runAction(workspace, inputs);
    if (second.exitCode !== 0) throw new Error(`the second run failed:\n${second.log.slice(-4000)}`);
    console.log(line('first run (no state, quota 1,000)', first, firstState));
    console.log(line('second run (0.1 % of pages edited)', second, stateBytes()));
    console.log(
      `sent: ${emulator.acceptedPrefetches().length} URLs in both runs; ` +
        `targets: under 1,024 MB and 30 s a run on 2 cores, the state under 60 MB`,
    );
    console.log(
      `machine: ${availableParallelism()} cores, load average ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')} (1, 5, 15 min) at the end; Node ${process.version}`,
    );
  } finally {
    await emulator.close();
    cleanup();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

await main();
