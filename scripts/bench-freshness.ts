/**
 * Freshness benchmark (issue 17): what the edge serves after a deploy, with the README's recommended
 * workflow exactly as it writes it (its `with:` inputs, read from README.md, plus `endpoint`). For each
 * scenario a Hugo-like blog (scripts/site-fixtures.ts) is deployed once to get a state, every file of
 * that deploy is cached at the edge (a site with visitors), the next build is deployed (the origin
 * serves it) and the bundled action runs on it; once the CDN's tasks have ended, each URL whose content
 * changed is fresh and warm, fresh and cold, or stale, and the prefetches that could not fill the
 * cache are counted. Then daily runs under a prefetch quota of 4 URLs. Prints figures; asserts nothing.
 * Targets (issue 17): 0 stale, 0 wasted prefetches; under the quota of 4, nothing stale after the first
 * run, every changed URL warm within ⌈n/4⌉ runs, no URL prefetched or refreshed twice.
 *
 *   npm run build && npx tsx scripts/bench-freshness.ts [--input name=value ...]
 *   BENCH_INPUTS='refresh=true poll-interval=1' npm run bench -- freshness
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { startEmulator, type Emulator, type Freshness } from '../emulator/index.js';
import { ROOT, runAction } from '../emulator/harness.js';
import { removeOnSignal, removeWorkspaces } from '../emulator/workspaces.js';
import { blog, build, changedPaths, post, type BlogSpec } from './site-fixtures.js';

const CREDENTIALS = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'bench', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bench-secret' };
const PREFETCH_TASK_MS = 1000;
const REFRESH_TASK_MS = 2000;
const DAILY_QUOTA = 4;

type Files = Record<string, string | Buffer>;

// ---------------------------------------------------------------------------------------------
// The inputs: README's recommended workflow, plus any the person running the bench adds.

/** The `with:` of the cdn-prefetch step in README's recommended workflow. */
async function recommendedInputs(): Promise<Record<string, string>> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- example examples\/warm-after-deploy\.yml:start[^\n]*\n```yaml\n([\s\S]*?)```/.exec(
    readme,
  );
  if (!block?.[1])
    throw new Error("README.md: the recommended workflow's block (examples/warm-after-deploy.yml) is gone");
  const workflow = parse(block[1]) as {
    jobs: Record<string, { steps?: { uses?: string; with?: object }[] }>;
  };
  const step = Object.values(workflow.jobs)
    .flatMap((job) => job.steps ?? [])
    .find((s) => /cdn-prefetch@/.test(s.uses ?? ''));
  if (!step?.with)
    throw new Error('README.md: the recommended workflow has no cdn-prefetch step with inputs');
  const inputs = Object.fromEntries(Object.entries(step.with).map(([name, value]) => [name, String(value)]));
  const expression = Object.entries(inputs).find(([, value]) => value.includes('${{'));
  if (expression)
    throw new Error(`README.md: input ${expression[0]} is an expression; the bench cannot evaluate it`);
  return inputs;
}

/** `name=value` pairs from BENCH_INPUTS (space- or newline-separated) and `--input name=value` flags. */
async function extraInputs(argv: readonly string[]): Promise<Record<string, string>> {
  const pairs = (process.env['BENCH_INPUTS'] ?? '').split(/\s+/).filter(Boolean);
  argv.forEach((arg, i) => {
    if (arg === '--input') pairs.push(argv[i + 1] ?? '');
    else if (arg.startsWith('--input=')) pairs.push(arg.slice('--input='.length));
  });
  const action = parse(await readFile(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: object };
  const known = Object.keys(action.inputs);
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    if (at <= 0 || !known.includes(name)) {
      throw new Error(`BENCH_INPUTS / --input: "${pair}" is not name=value with an input of action.yml`);
    }
    inputs[name] = pair.slice(at + 1);
  }
  return inputs;
}

// ---------------------------------------------------------------------------------------------
// Deploys and runs.

interface Bench {
  root: string;
  inputs: Record<string, string>;
  deploys: number;
}

async function writeDeploy(bench: Bench, files: Files): Promise<string> {
  const dir = path.join(bench.root, `deploy-${++bench.deploys}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

interface Run {
  state: string | undefined;
  exitCode: number | null;
  carried: string;
  seconds: number;
}

/** The bundled action over `files` as the site, with the state of the run before. */
async function deployRun(
  bench: Bench,
  emulator: Emulator,
  files: Files,
  state: string | undefined,
): Promise<Run> {
  const inputs: Record<string, string> = { ...bench.inputs, endpoint: emulator.url };
  const siteDir = inputs['site-dir'] ?? 'public';
  const statePath = inputs['state'];
  const workspaceFiles: Files = {};
  for (const [name, content] of Object.entries(files)) workspaceFiles[`${siteDir}/${name}`] = content;
  if (statePath && state !== undefined) workspaceFiles[statePath] = state;
  const started = performance.now();
  const run = await runAction(inputs, { env: CREDENTIALS, files: workspaceFiles, timeoutMs: 600_000 });
  try {
    const seconds = (performance.now() - started) / 1000;
    if (run.exitCode !== 0) console.log(`  (the action exited ${run.exitCode}: ${lastLines(run.log)})`);
    const next = statePath
      ? await readFile(path.join(run.workspace, statePath), 'utf8').catch(() => state)
      : undefined;
    return { state: next, exitCode: run.exitCode, carried: run.outputs['carried-count'] ?? '', seconds };
  } finally {
    await rm(run.workspace, { recursive: true, force: true });
  }
}

function lastLines(log: string): string {
  return log.trim().split('\n').slice(-2).join(' / ');
}

async function startBenchEmulator(quota = 1000): Promise<Emulator> {
  return startEmulator({
    credentials: { bench: 'bench-secret' },
    preloadQuota: quota,
    taskDurationMs: PREFETCH_TASK_MS,
    refreshTaskDurationMs: REFRESH_TASK_MS,
    edge: {},
  });
}

/** The state after deploying `files` as a first deploy (everything prefetched, nothing cached yet). */
async function firstDeploy(bench: Bench, files: Files): Promise<string | undefined> {
  const emulator = await startEmulator({ credentials: { bench: 'bench-secret' } });
  try {
    return (await deployRun(bench, emulator, files, undefined)).state;
  } finally {
    await emulator.close();
  }
}

interface Freshnesses {
  'fresh-warm': number;
  'fresh-cold': number;
  stale: number;
}

async function freshnessOf(emulator: Emulator, paths: readonly string[]): Promise<Freshnesses> {
  const base = new URL(siteBase);
  const counts: Freshnesses = { 'fresh-warm': 0, 'fresh-cold': 0, stale: 0 };
  for (const p of paths) {
    const state: Freshness = (await emulator.edge.inspect(new URL(p.slice(1), base).href)).freshness;
    if (state !== 'absent') counts[state]++;
  }
  return counts;
}

/** Where the site is served: the workflow's base-url. */
let siteBase = 'https://www.example.com/';

// ---------------------------------------------------------------------------------------------
// Scenarios.

interface Scenario {
  name: string;
  before: BlogSpec;
  after: BlogSpec;
}

function scenarios(): Scenario[] {
  const base = blog(40);
  const edited: BlogSpec = {
    ...base,
    posts: [...base.posts.map((p) => (p.n === 7 ? post(7, 1) : p)), post(41)],
    css: `${base.css}\n.post img{border-radius:4px}`,
  };
  return [
    { name: 'edit: a post added, the stylesheet, one page edited', before: base, after: edited },
    { name: 'theme change: every page', before: base, after: { ...base, theme: 2 } },
    { name: 'rebuild with no change', before: base, after: base },
  ];
}

interface Row {
  name: string;
  changed: number;
  prefetched: number;
  refreshed: number;
  counts: Freshnesses;
  wasted: number;
  seconds: number;
  exitCode: number | null;
}

async function oneDeploy(bench: Bench, scenario: Scenario): Promise<Row> {
  const before = build(scenario.before);
  const after = build(scenario.after);
  const state = await firstDeploy(bench, before);
  const emulator = await startBenchEmulator();
  try {
    emulator.edge.seed({ dir: await writeDeploy(bench, before), baseUrl: siteBase });
    emulator.edge.origin.serve(await writeDeploy(bench, after));
    const run = await deployRun(bench, emulator, after, state);
    await emulator.edge.settled();
    const changed = changedPaths(before, after);
    return {
      name: scenario.name,
      changed: changed.length,
      prefetched: emulator.acceptedPrefetches().length,
      refreshed: emulator.acceptedRefreshes().length,
      counts: await freshnessOf(emulator, changed),
      wasted: emulator.edge.totals().prefetchesNotFilled,
      seconds: run.seconds,
      exitCode: run.exitCode,
    };
  } finally {
    await emulator.close();
  }
}

/** A small blog's edit, then one run a day with a prefetch quota of 4 URLs (the same build each day). */
async function dailyQuota(bench: Bench): Promise<void> {
  const base = blog(6);
  const edited: BlogSpec = {
    ...base,
    posts: [...base.posts.map((p) => (p.n === 2 ? post(2, 1) : p)), post(7)],
  };
  const before = build(base);
  const after = build(edited);
  const changed = changedPaths(before, after);
  const runs = Math.ceil(changed.length / DAILY_QUOTA);
  let state = await firstDeploy(bench, before);
  const emulator = await startBenchEmulator(DAILY_QUOTA);
  try {
    emulator.edge.seed({ dir: await writeDeploy(bench, before), baseUrl: siteBase });
    emulator.edge.origin.serve(await writeDeploy(bench, after));
    console.log(
      `\n## Daily runs, prefetch quota ${DAILY_QUOTA} URLs a day: a 6-post blog gets a post, an edit and new navigation: ` +
        `${changed.length} changed URLs, so ⌈n/${DAILY_QUOTA}⌉ = ${runs} runs`,
    );
    console.log('run  prefetched  refreshed  fresh+warm  fresh+cold  stale  wasted  carried  exit');
    let warmBy: number | undefined;
    let staleAfterFirst = 0;
    for (let day = 1; day <= runs + 1; day++) {
      emulator.setPreloadRemain(DAILY_QUOTA);
      const prefetchedBefore = emulator.acceptedPrefetches().length;
      const refreshedBefore = emulator.acceptedRefreshes().length;
      const wastedBefore = emulator.edge.totals().prefetchesNotFilled;
      const run = await deployRun(bench, emulator, after, state);
      state = run.state;
      await emulator.edge.settled();
      const counts = await freshnessOf(emulator, changed);
      if (day === 1) staleAfterFirst = counts.stale;
      if (warmBy === undefined && counts['fresh-warm'] === changed.length) warmBy = day;
      console.log(
        [
          String(day).padEnd(3),
          pad(emulator.acceptedPrefetches().length - prefetchedBefore, 10),
          pad(emulator.acceptedRefreshes().length - refreshedBefore, 9),
          pad(counts['fresh-warm'], 10),
          pad(counts['fresh-cold'], 10),
          pad(counts.stale, 5),
          pad(emulator.edge.totals().prefetchesNotFilled - wastedBefore, 6),
          pad(run.carried, 7),
          pad(run.exitCode ?? 'killed', 4),
        ].join('  '),
      );
    }
    const twice = (urls: { url: string }[]): number => {
      const seen = new Map<string, number>();
      for (const { url } of urls) seen.set(url, (seen.get(url) ?? 0) + 1);
      return [...seen.values()].filter((n) => n > 1).length;
    };
    console.log(
      `nothing stale after run 1:              ${staleAfterFirst === 0 ? 'yes' : `no (${staleAfterFirst} stale)`}`,
    );
    console.log(
      `every changed URL warm within ${runs} runs:   ${warmBy !== undefined && warmBy <= runs ? `yes (run ${warmBy})` : warmBy ? `no (run ${warmBy})` : 'no'}`,
    );
    console.log(
      `URLs prefetched twice: ${twice(emulator.acceptedPrefetches())}; refreshed twice: ${twice(emulator.acceptedRefreshes())}`,
    );
  } finally {
    await emulator.close();
  }
}

function pad(value: number | string, width: number): string {
  return String(value).padStart(width);
}

function printRows(rows: readonly Row[]): void {
  console.log(
    'scenario                                              changed  prefetched  refreshed  fresh+warm  fresh+cold  stale  wasted  run s  exit',
  );
  for (const r of rows) {
    console.log(
      [
        r.name.padEnd(52),
        pad(r.changed, 7),
        pad(r.prefetched, 10),
        pad(r.refreshed, 9),
        pad(r.counts['fresh-warm'], 10),
        pad(r.counts['fresh-cold'], 10),
        pad(r.counts.stale, 5),
        pad(r.wasted, 6),
        pad(r.seconds.toFixed(1), 5),
        pad(r.exitCode ?? 'killed', 4),
      ].join('  '),
    );
  }
}

async function main(): Promise<void> {
  const recommended = await recommendedInputs();
  const extra = await extraInputs(process.argv.slice(2));
  const root = await mkdtemp(path.join(os.tmpdir(), 'cdn-prefetch-bench-freshness-'));
  removeOnSignal([root]);
  try {
    const bench: Bench = { root, inputs: { ...recommended, ...extra }, deploys: 0 };
    siteBase = new URL(bench.inputs['base-url'] ?? 'https://www.example.com').href;
    console.log("## Freshness at the edge after a deploy, README's recommended workflow");
    const shown = Object.entries(bench.inputs).map(([k, v]) => `${k}: ${v}`);
    console.log(
      `inputs: ${shown.join(', ')}${Object.keys(extra).length ? ' (with BENCH_INPUTS / --input)' : ''}`,
    );
    console.log(
      `Every file of the previous deploy cached at the edge before the run; tasks take ${REFRESH_TASK_MS / 1000} s (refresh) ` +
        `and ${PREFETCH_TASK_MS / 1000} s (prefetch); figures once every task has ended. Targets: 0 stale, 0 wasted.`,
    );
    const rows: Row[] = [];
    for (const scenario of scenarios()) rows.push(await oneDeploy(bench, scenario));
    printRows(rows);
    console.log(
      'wasted: prefetches that could not fill the cache (a valid copy was cached, or the origin lacked the file)',
    );
    await dailyQuota(bench);
  } finally {
    await rm(root, { recursive: true, force: true });
    removeWorkspaces();
  }
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
