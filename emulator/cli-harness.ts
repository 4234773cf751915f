/**
 * Runs the bundled CLI (`node dist/cli.js …`) as a person or a CI script would: in a fresh directory,
 * with no GitHub Actions variables, and returns its exit code and both output streams.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, spawnNode, type RunOptions } from './harness.js';
import { newWorkspace } from './workspaces.js';

export const CLI_BUNDLE = path.join(ROOT, 'dist/cli.js');

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The directory it ran in. */
  cwd: string;
  /** True when the harness had to kill it: it did not end by itself. */
  killed: boolean;
  elapsedMs: number;
  signalledAtMs: number[];
}

export async function runCliBundle(
  args: string[],
  options: RunOptions & { bundle?: string } = {},
): Promise<CliRun> {
  const cwd = await newWorkspace('cli-');
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
    await writeFile(path.join(cwd, name), content);
  }
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? os.tmpdir(),
    ...options.env,
  };
  const run = await spawnNode([options.bundle ?? CLI_BUNDLE, ...args], env, cwd, options);
  return { ...run, cwd };
}
