/**
 * The folders the harnesses run the bundled action and CLI in. Every one a process makes is inside one
 * folder of the OS temp folder, removed by `removeWorkspaces` and, at the latest, when the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let workspaceRoot: string | undefined;

/** A fresh folder for one run (`prefix` and a random suffix). */
export function newWorkspace(prefix: string): Promise<string> {
  if (workspaceRoot === undefined) {
    workspaceRoot = mkdtempSync(path.join(os.tmpdir(), 'cdn-prefetch-runs-'));
    process.once('exit', removeWorkspaces);
  }
  return mkdtemp(path.join(workspaceRoot, prefix));
}

/**
 * Removes every workspace this process's runs made, however they ended: the tests call it once a file's
 * tests are done (what a test reads from a workspace, it reads before), the demo and the benchmarks when
 * they end or are interrupted.
 */
export function removeWorkspaces(): void {
  if (workspaceRoot === undefined) return;
  rmSync(workspaceRoot, { recursive: true, force: true });
  workspaceRoot = undefined;
  process.removeListener('exit', removeWorkspaces);
}

/**
 * For a script (the demo, a benchmark), which SIGINT or SIGTERM would otherwise end at once, skipping
 * its `finally` and the 'exit' handler: on either signal, removes the workspaces and `folders`, then
 * ends the process by that signal, as it would have ended.
 */
export function removeOnSignal(folders: readonly string[] = []): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    removeWorkspaces();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
