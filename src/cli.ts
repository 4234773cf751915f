#!/usr/bin/env node
/**
 * `cdn-prefetch`: the command line, bundled to dist/cli.js. All the work is in cli/run-cli.ts.
 */
import packageJson from '../package.json';
import { runCli } from './cli/run-cli.js';
import { exitWhenIdle } from './runtime/exit.js';

// `cdn-prefetch --json | head`: a reader that stops early is not the run's failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

void runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  version: packageJson.version,
}).then((code) => {
  process.exitCode = code;
  // Everything is written: the process ends by itself, or at the latest 2 s later (runtime/exit.ts).
  exitWhenIdle(2_000, (message) => process.stderr.write(`${message}\n`));
});
