#!/usr/bin/env node
/**
 * `cdn-prefetch`: the command line, bundled to dist/cli.js. All the work is in cli/run-cli.ts.
 */
// First: before the bundled modules that warn as they load (runtime/deprecations.ts).
import './runtime/deprecations.js';
import packageJson from '../package.json';
import { runCli } from './cli/run-cli.js';
import { exitWhenIdle, watchOutput } from './runtime/exit.js';
import { keepHeapNearLiveData } from './runtime/memory.js';

keepHeapNearLiveData();

/** The exit code when the output could not be delivered and the run itself did not fail. */
const OUTPUT_LOST = 1;
let outputLost = false;

// `cdn-prefetch --json | head`: the reader closed the pipe before the end. What it did not take is
// lost, and the exit code says so; the run itself is not cut short (its state is still written).
watchOutput([process.stdout, process.stderr], (stream, error) => {
  outputLost = true;
  if (!process.exitCode) process.exitCode = OUTPUT_LOST;
  if (stream === process.stdout && !process.stderr.destroyed) {
    process.stderr.write(
      `cdn-prefetch: standard output was closed before everything was written (${error.code}).\n`,
    );
  }
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
  process.exitCode = code === 0 && outputLost ? OUTPUT_LOST : code;
  // Everything is written: the process ends by itself once its output is taken (runtime/exit.ts).
  exitWhenIdle({ graceMs: 2_000, warn: (message) => process.stderr.write(`${message}\n`) });
});
