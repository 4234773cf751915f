/**
 * The CLI's output is never cut (issue 21): the bundled CLI waits for a slow reader however long it
 * sleeps (past the last-resort exit's 2 s), and a reader that closes the pipe early makes a non-zero
 * exit, never a silent 0. Only a reader that never reads is given up, and that exit is a failure too.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { CLI_BUNDLE } from '../../emulator/cli-harness.js';
import { E2E_NODE, EXIT_NET_WARNING, ROOT } from '../../emulator/harness.js';
import { concurrentTest } from '../helpers/emulator.js';

const it = concurrentTest();

const URLS = 20_000;

interface Piped {
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `cdn-prefetch --dry-run --urls-file urls.txt --json` in `cwd` with its standard output on a pipe
 * that the test reads as `reader` says: after a pause, or only its first chunk before closing it.
 */
async function runPiped(
  cwd: string,
  reader: { sleepMs: number } | { closeAfterFirstChunk: true },
): Promise<Piped> {
  const urls = Array.from({ length: URLS }, (_, i) => `https://www.example.com/docs/page-${i}.html`);
  await writeFile(path.join(cwd, 'urls.txt'), urls.join('\n'));
  const child = spawn(E2E_NODE, [CLI_BUNDLE, '--dry-run', '--urls-file', 'urls.txt', '--json'], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if ('sleepMs' in reader) {
    child.stdout.pause(); // nothing is read: the pipe fills, and the CLI's write waits
    setTimeout(() => {
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stdout.resume();
    }, reader.sleepMs);
  } else {
    child.stdout.once('data', (chunk: Buffer) => {
      chunks.push(chunk);
      child.stdout.destroy(); // like `| head -c 65536`
    });
  }
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(guard);
  return { exitCode, stdout: Buffer.concat(chunks), stderr };
}

describe('the CLI through a pipe', () => {
  it('a reader that sleeps past the last-resort exit still gets the whole report, and the exit code is 0', async ({
    tempDir,
  }) => {
    const run = await runPiped(tempDir(), { sleepMs: 3_500 });
    expect(run.stderr).not.toMatch(EXIT_NET_WARNING);
    expect(run.stdout.length).toBeGreaterThan(1024 * 1024);
    const report = JSON.parse(run.stdout.toString('utf8')) as { urls: unknown[] };
    expect(report.urls).toHaveLength(URLS);
    expect(run.exitCode).toBe(0);
  }, 60_000);

  it('a reader that closes the pipe early: a non-zero exit, and standard error says why', async ({
    tempDir,
  }) => {
    const run = await runPiped(tempDir(), { closeAfterFirstChunk: true });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'cdn-prefetch: standard output was closed before everything was written (EPIPE).',
    );
  }, 60_000);
});

describe('the last-resort exit', () => {
  it('gives up only a reader that takes nothing for the stall limit, with a non-zero exit', async () => {
    const script =
      "import { exitWhenIdle } from './src/runtime/exit.ts';" +
      "process.stdout.write('x'.repeat(1024 * 1024));" +
      'exitWhenIdle({ graceMs: 100, stallMs: 1_000, warn: (m) => process.stderr.write(m) });';
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pause(); // never read
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = performance.now();
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(
      /^cdn-prefetch: \d+ bytes of output were not taken by their reader in 1 s; exiting without them\.$/,
    );
  }, 30_000);
});
