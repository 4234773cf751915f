// Starts the emulator of the CDN API (`npm run emulator`) in the background for a workflow's later steps,
// and stops it again. A background process cannot hand values to the steps after it, so the emulator's
// one JSON line ({url, accessKeyId, accessKeySecret}, printed once it listens) goes to a file, and `start`
// returns only when that file holds the whole line — or fails, with the emulator's log, when the emulator
// exits first or does not listen within a minute.
//
//   node .ci/emulator.mjs start DIR [emulator flags]  writes DIR/emulator.json, DIR/emulator.log, DIR/emulator.pid
//   node .ci/emulator.mjs stop DIR                    stops it (its whole process group) and prints its log
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LISTEN_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const root = path.resolve(import.meta.dirname, '..');

/** The emulator's JSON line, once the file holds all of it (a line ends with its newline). */
function readLine(file) {
  const text = readFileSync(file, 'utf8');
  const line = text
    .split('\n')
    .find((candidate, index, lines) => index < lines.length - 1 && candidate.startsWith('{'));
  if (line === undefined) return undefined;
  const value = JSON.parse(line);
  if (typeof value.url !== 'string' || typeof value.accessKeyId !== 'string') {
    throw new Error(`${file}: the emulator printed ${line}, without url and accessKeyId`);
  }
  return value;
}

async function start(dir, flags) {
  mkdirSync(dir, { recursive: true });
  const files = { json: path.join(dir, 'emulator.json'), log: path.join(dir, 'emulator.log') };
  rmSync(files.json, { force: true });
  const out = openSync(files.json, 'w');
  const err = openSync(files.log, 'w');
  // detached: a process group of its own, which outlives this script and which `stop` ends as a whole
  // (npm, the shell it starts, tsx and node).
  const child = spawn('npm', ['run', '--silent', 'emulator', '--', ...flags], {
    cwd: root,
    detached: true,
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  let exited;
  child.on('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.on('error', (error) => (exited = error.message));
  const fail = (why) => {
    console.error(`The emulator ${why}. Its log (${files.log}):\n${readFileSync(files.log, 'utf8')}`);
    if (exited === undefined) process.kill(-child.pid, 'SIGKILL');
    process.exit(1);
  };
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  for (;;) {
    const line = readLine(files.json);
    if (line !== undefined) {
      writeFileSync(path.join(dir, 'emulator.pid'), `${child.pid}\n`);
      console.log(`Emulator of the CDN API listening on ${line.url} (process group ${child.pid}).`);
      child.unref();
      return;
    }
    if (exited !== undefined) fail(`ended (${exited}) before it listened`);
    if (Date.now() > deadline) fail(`did not listen within ${LISTEN_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

/** True while any process of the group is alive. */
function alive(group) {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(dir) {
  const pidFile = path.join(dir, 'emulator.pid');
  if (!existsSync(pidFile)) {
    console.log(`No emulator to stop: ${pidFile} does not exist (it never started).`);
    return;
  }
  const group = Number(readFileSync(pidFile, 'utf8'));
  if (alive(group)) process.kill(-group, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(group) && Date.now() < deadline) await sleep(50);
  if (alive(group)) process.kill(-group, 'SIGKILL');
  rmSync(pidFile);
  const log = readFileSync(path.join(dir, 'emulator.log'), 'utf8').trim();
  console.log(`Emulator stopped.${log ? ` Its log:\n${log}` : ''}`);
}

const [command, dir, ...flags] = process.argv.slice(2);
if (command === 'start' && dir) await start(path.resolve(dir), flags);
else if (command === 'stop' && dir && flags.length === 0) await stop(path.resolve(dir));
else {
  console.error('Usage: node .ci/emulator.mjs start DIR [emulator flags] | stop DIR');
  process.exit(2);
}
