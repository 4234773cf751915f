/**
 * vitest's global setup: one temporary folder for the whole test run, inside the OS temp folder, that
 * each test file's own folder goes into (temp-file.ts). It is removed when the run ends, and also when
 * the run is interrupted (vitest ends by process.exit on SIGINT and SIGTERM, which runs 'exit'
 * handlers), so that an interrupted run leaves nothing behind either.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's temporary folder. */
    tempRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'cdn-prefetch-tests-'));
  const remove = (): void => rmSync(root, { recursive: true, force: true });
  process.once('exit', remove);
  project.provide('tempRoot', root);
  return () => {
    process.removeListener('exit', remove);
    remove();
  };
}
