/**
 * `npm run demo` (scripts/demo.ts, which runs the bundled action through the harness) leaves nothing in
 * the temp folder: neither its site folders nor the action's workspaces, when it ends and when it is
 * interrupted mid-way. The benchmarks clean up the same way (emulator/workspaces.ts).
 */
import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { ROOT, spawnNode } from '../../emulator/harness.js';
import { concurrentTest } from '../helpers/emulator.js';

const it = concurrentTest();

/** Our entries in `dir`: what the demo made there. */
const ours = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith('cdn-prefetch-'));

function demo(tmp: string, signals: Parameters<typeof spawnNode>[3]['signals'] = []) {
  return spawnNode(
    ['--import', 'tsx', 'scripts/demo.ts'],
    { ...(process.env as Record<string, string>), TMPDIR: tmp },
    ROOT,
    { signals, timeoutMs: 60_000 },
  );
}

it('run to its end: three deploys, then nothing left in the temp folder', async ({ tempDir }) => {
  const tmp = tempDir();
  const run = await demo(tmp);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toContain('## Deploy 3');
  expect(ours(tmp)).toEqual([]);
});

it('interrupted by SIGINT after its first deploy: nothing left either, and it ends by the signal', async ({
  tempDir,
}) => {
  const tmp = tempDir();
  let atSignal: string[] = [];
  const run = await demo(tmp, [
    {
      signal: 'SIGINT',
      when: (output) => {
        if (!output.includes('## Deploy 1')) return false;
        atSignal = ours(tmp);
        return true;
      },
    },
  ]);
  // Its site folder and the first run's workspace were there when the signal came.
  expect(atSignal.map((name) => name.replace(/-[^-]+$/, '')).sort()).toEqual([
    'cdn-prefetch-demo',
    'cdn-prefetch-runs',
  ]);
  expect(run.killed).toBe(false);
  expect(run.exitCode).toBeNull();
  expect(run.stdout).not.toContain('## Deploy 3');
  expect(ours(tmp)).toEqual([]);
});
