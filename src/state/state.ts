/**
 * The `state` file: what the last deploy the action saw looked like (a content hash per file of the
 * built site) and the URLs it planned but could not warm (the carried list). The next run diffs
 * against it and warms the carried URLs after its own changes.
 *
 * Format (version 1), one JSON document written one entry a line so that it stays readable and
 * diffable, and small: for 100,000 files it is 6 MB (paths of 40 characters) to 10 MB (70 characters).
 *
 *   {"format":"cdn-prefetch-state","version":1,"hash":"sha256/96","savedAt":"…","baseUrl":"…",
 *   "carried":[
 *   {"url":"…","file":"docs/index.html","change":"modified","cause":"quota","reason":"…","since":"2026-03-01",
 *    "refreshedAt":"2026-03-01T10:00:00.000Z"},
 *   …],
 *   "files":{
 *   "css/site.css":"q3Xv…",
 *   "docs/index.html":"Zk1P….r8Tn…",
 *   …}}
 *
 * `refreshedAt` (optional, added after the first format of version 1; absent: not refreshed) says a
 * refresh of the carried URL was accepted, so a later run prefetches it without refreshing it again.
 * It is additive: this version reads states without it, and an earlier one reads states with it.
 *
 * A file's value is its content hash, then for an HTML page `.` and the hash of its own content
 * (`<main>`, else `<article>`, else `<body>`). Hashes are SHA-256 cut to 96 bits and written in
 * base64url (16 characters): the state only ever compares a file with its own earlier version, so
 * the chance that a change goes unseen is 2^-96 per changed file. Two full hashes in hex (2 x 64
 * characters) would add about 10 MB per 100,000 pages — 15 to 19 MB in all — and buy nothing.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, errorMessage, systemErrorCode } from '../base/errors.js';

/** The `format` marker: a file without it is not ours, whatever else it holds. */
export const STATE_FORMAT = 'cdn-prefetch-state';
export const STATE_VERSION = 1;
/** How the hashes were made: a state whose hashes were made otherwise cannot be compared. */
export const STATE_HASH = 'sha256/96';

/** Why a URL was first planned. `unchanged` only with `changes: all`. */
export type ChangeKind = 'added' | 'modified' | 'unchanged';

/** Why a planned URL was not warmed, and so is carried to the next run. */
export type CarryCause =
  /** Skipped: the day's quota was used up. */
  | 'quota'
  /** Not sent: the run reached its deadline. */
  | 'deadline'
  /** Not sent: the run was cancelled. */
  | 'cancelled'
  /** Not sent: the run stopped for another reason (a credential error, a failure before sending). */
  | 'not-sent'
  /** Sent, and refused with an error that may pass later (throttling, a busy service, a full queue). */
  | 'retryable';

export interface FileHashes {
  /** The whole file (after `content-ignore`). */
  content: string;
  /** HTML pages only: the page's own content, without the navigation around it. */
  own?: string | undefined;
}

export interface CarriedEntry {
  url: string;
  /** The site file the URL serves, `/`-separated and relative to `site-dir`; absent when not known. */
  file?: string | undefined;
  /** What the deploy that first planned it saw. */
  change: ChangeKind;
  cause: CarryCause;
  /** The outcome's reason, for the report. */
  reason: string;
  /** The UTC day it was first planned, `YYYY-MM-DD`: entries older than `carry-days` are dropped. */
  since: string;
  /** When a refresh of it was accepted (ISO 8601); absent when none was (or it failed at the CDN). */
  refreshedAt?: string | undefined;
}

export interface SiteState {
  /** The base URL the files were mapped under; a state for another base URL is not used. */
  baseUrl: string;
  /** When it was written (ISO 8601). */
  savedAt: string;
  /** Every file of the site, by `/`-separated path relative to `site-dir`. */
  files: ReadonlyMap<string, FileHashes>;
  /** Planned but not warmed, in the order the next run should take them (oldest first). */
  carried: readonly CarriedEntry[];
}

export type StateRead =
  | {
      kind: 'found';
      state: SiteState;
      /** Carried entries that were not entries at all (a field missing or of the wrong kind): dropped. */
      malformedCarried?: number;
    }
  /** No file at `label`: every file counts as added (the plan gives the notice). */
  | { kind: 'missing'; label: string }
  /**
   * A state file that cannot be used (truncated, a newer version's) or a folder: `warning` (naming
   * `state`) is given, every file counts as added, and what the quota cannot take is carried. `carried`
   * is what could still be read of its carried list. `setAside`: a file to keep aside, never overwrite.
   */
  | {
      kind: 'unusable';
      warning: string;
      label: string;
      why: string;
      carried: CarriedEntry[];
      malformedCarried: number;
      setAside: boolean;
      /** The path is a folder: no state can ever be written there. */
      folder?: boolean;
    }
  /** A file that is not a state at all (a page, a README): never read, never replaced. */
  | { kind: 'foreign'; label: string; why: string };

/** A state larger than this is not ours (1,000,000 files take about 55 MB). */
const MAX_STATE_BYTES = 512 * 1024 * 1024;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CHANGES: readonly string[] = ['added', 'modified', 'unchanged'];
const CAUSES: readonly string[] = ['quota', 'deadline', 'cancelled', 'not-sent', 'retryable'];
/** How every state this project writes begins (whitespace aside): how a damaged one is still known. */
const HEAD = /^\s*\{\s*"format"\s*:\s*"cdn-prefetch-state"/;
/** Opened without blocking: a FIFO at the state's path must not hold the run. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads `file` (an absolute path; `label`, e.g. the input as written, is what a warning names). Never
 * throws: every problem is a `missing`, `unusable` or `foreign` result.
 */
export async function readState(file: string, label = file): Promise<StateRead> {
  let bytes: Buffer;
  try {
    const handle = await fs.open(file, READ_FLAGS);
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) return folderState(label);
      if (!stat.isFile())
        return { kind: 'foreign', label, why: 'it is not a regular file (a FIFO, a device?)' };
      if (stat.size > MAX_STATE_BYTES) {
        const head = Buffer.alloc(64);
        const { bytesRead } = await handle.read(head, 0, head.length, 0);
        if (!HEAD.test(head.toString('utf8', 0, bytesRead))) return notAState(label);
        return unusable(label, `it is ${stat.size} bytes long`, [], 0);
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT') return { kind: 'missing', label };
    if (code === 'EISDIR') return folderState(label);
    return unusable(label, `it cannot be read: ${errorMessage(error)}`, [], 0, false);
  }
  return parseState(bytes, label);
}

/** The state in `bytes`: the files line by line when written as writeState writes them, else as JSON. */
function parseState(bytes: Buffer, label: string): StateRead {
  const lines = fileLines(bytes);
  const text = lines === undefined ? bytes.toString('utf8') : lines.head;
  if (text.trim() === '') return unusable(label, 'it is empty', [], 0);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    const whole = lines === undefined ? text : bytes.toString('utf8');
    if (!HEAD.test(whole)) return notAState(label);
    const salvaged = salvageCarried(whole);
    return unusable(label, 'it is not JSON: cut short?', salvaged.carried, salvaged.malformed);
  }
  if (!isRecord(document) || document.format !== STATE_FORMAT) return notAState(label);
  const parsed = parseDocument(document, lines?.files);
  if (typeof parsed === 'string') {
    const { carried, malformed } = parseCarried(document.carried);
    return unusable(label, parsed, carried, malformed);
  }
  const { state, malformedCarried } = parsed;
  return { kind: 'found', state, ...(malformedCarried > 0 ? { malformedCarried } : {}) };
}

const FILES_START = Buffer.from('\n"files":{');

/**
 * The files of a state written as writeState writes it (one `"path":"hash"` a line), read straight
 * from the bytes: a million files as one JSON document would be parsed into an object of a million
 * properties first, then copied into the map (seconds, and hundreds of MB at once). `head` is the
 * document with no files, for JSON.parse. Undefined when the bytes are not in that form (a state
 * reformatted by hand, or damaged): JSON.parse reads those.
 */
function fileLines(bytes: Buffer): { head: string; files: Map<string, FileHashes> } | undefined {
  const split = bytes.indexOf(FILES_START);
  if (split === -1) return undefined;
  const head = `${bytes.toString('utf8', 0, split)}\n"files":{}}`;
  const files = new Map<string, FileHashes>();
  const blankFrom = (at: number): boolean => bytes.toString('latin1', at).trim() === '';
  let at = split + FILES_START.length;
  if (bytes[at] === BRACE && bytes[at + 1] === BRACE) return blankFrom(at + 2) ? { head, files } : undefined;
  if (bytes[at] !== NEWLINE) return undefined;
  let backslash = -1; // the next `\` at or after `at` (Infinity: none), found lazily
  for (at++; ;) {
    const next = bytes.indexOf(NEWLINE, at);
    const stop = next === -1 ? bytes.length : next;
    const last = bytes[stop - 1] === BRACE && bytes[stop - 2] === BRACE;
    if (!last && bytes[stop - 1] !== COMMA) return undefined;
    const end = stop - (last ? 3 : 2); // the closing quote of the hashes
    const long = bytes[end - 17] === DOT; // content.own
    const sep = end - (long ? 33 : 16) - 3; // `":"`
    if (bytes[at] !== QUOTE || bytes[end] !== QUOTE || sep <= at) return undefined;
    if (bytes[sep] !== QUOTE || bytes[sep + 1] !== COLON || bytes[sep + 2] !== QUOTE) return undefined;
    if (backslash < at) {
      const found = bytes.indexOf(BACKSLASH, at); // searched again only once passed: linear
      backslash = found === -1 ? Infinity : found;
    }
    let name: string;
    try {
      name =
        backslash < sep
          ? (JSON.parse(bytes.toString('utf8', at, sep + 1)) as string)
          : bytes.toString('utf8', at + 1, sep);
    } catch {
      return undefined;
    }
    const value = sep + 3;
    const content = bytes.toString('latin1', value, value + 16);
    files.set(name, long ? { content, own: bytes.toString('latin1', value + 17, value + 33) } : { content });
    if (last) return blankFrom(stop) ? { head, files } : undefined;
    if (next === -1) return undefined;
    at = next + 1;
  }
}

const [NEWLINE, QUOTE, COMMA, DOT, COLON, BACKSLASH, BRACE] = [0x0a, 0x22, 0x2c, 0x2e, 0x3a, 0x5c, 0x7d];

function notAState(label: string): StateRead {
  return { kind: 'foreign', label, why: `it does not begin {"format":"${STATE_FORMAT}"` };
}

function unusable(
  label: string,
  why: string,
  carried: CarriedEntry[],
  malformedCarried: number,
  setAside = true,
): StateRead {
  return {
    kind: 'unusable',
    label,
    why,
    carried,
    malformedCarried,
    setAside,
    warning:
      `state: ${label} cannot be used (${why}). This is not a first deploy: every file counts as added this run, ` +
      'and what the quota cannot take is carried to the next runs, so that no edit is lost. The file is kept ' +
      'aside, not overwritten, when the new state is written (never in a dry run). None is refreshed (a new ' +
      'file cannot be told from one the CDN holds): if files changed in place, run once with refresh: true.',
  };
}

function folderState(label: string): StateRead {
  return {
    kind: 'unusable',
    label,
    why: 'it is a folder, not a file',
    carried: [],
    malformedCarried: 0,
    setAside: false,
    folder: true,
    warning:
      `state: ${label} cannot be used: it is a folder, not a file. No state can be kept there, so every run would warm the whole ` +
      'site. Every file counts as added this run; set state to a file path (e.g. .cdn-prefetch/state.json). ' +
      'The step fails at the end of the run (not in a dry run).',
  };
}

/**
 * The configuration error for a `state` that names a file that is not a state: it is never read, and
 * never replaced (one typo would otherwise overwrite a page or the README).
 */
export function foreignStateError(read: Extract<StateRead, { kind: 'foreign' }>, file: string): ConfigError {
  return new ConfigError(
    `state: "${read.label}" (${file}) is a file that is not a cdn-prefetch state (${read.why}); it is neither ` +
      'read nor replaced. Set state to a path of its own, e.g. .cdn-prefetch/state.json: a file that does not ' +
      'exist yet is created.',
    'state',
  );
}

/** The state in `document` (its files already read when `lines` is given), or why it is not one. */
function parseDocument(
  document: Record<string, unknown>,
  lines?: Map<string, FileHashes> | undefined,
): { state: SiteState; malformedCarried: number } | string {
  if (document.version !== STATE_VERSION) {
    return typeof document.version === 'number' && document.version > STATE_VERSION
      ? `it was written by a newer cdn-prefetch (format version ${document.version}); use that version`
      : `format version ${JSON.stringify(document.version)} is not one this version reads`;
  }
  if (document.hash !== STATE_HASH)
    return `its hashes are ${JSON.stringify(document.hash)}, not ${STATE_HASH}`;
  if (typeof document.baseUrl !== 'string' || typeof document.savedAt !== 'string') {
    return 'it has no "baseUrl" or "savedAt"';
  }
  const files = lines ?? parseFiles(document.files);
  if (typeof files === 'string') return files;
  if (!Array.isArray(document.carried)) return '"carried" is not a list';
  const { carried, malformed } = parseCarried(document.carried);
  return {
    state: { baseUrl: document.baseUrl, savedAt: document.savedAt, files, carried },
    malformedCarried: malformed,
  };
}

function parseFiles(value: unknown): Map<string, FileHashes> | string {
  if (!isRecord(value)) return '"files" is not an object';
  const files = new Map<string, FileHashes>();
  for (const file in value) {
    const hashes = value[file];
    // 16 characters, or 16 + "." + 16. Any other character only makes the file count as modified.
    if (
      typeof hashes !== 'string' ||
      (hashes.length !== 16 && (hashes.length !== 33 || hashes[16] !== '.'))
    ) {
      return `the hashes of "${file}" are not ${STATE_HASH} hashes`;
    }
    files.set(
      file,
      hashes.length === 16 ? { content: hashes } : { content: hashes.slice(0, 16), own: hashes.slice(17) },
    );
  }
  return files;
}

/**
 * The carried entries, one by one: an entry that lacks a field (or has one of the wrong kind) is
 * dropped and counted, the others kept. Whether an entry is still a URL of the site is the plan's to say.
 */
function parseCarried(value: unknown): { carried: CarriedEntry[]; malformed: number } {
  const carried: CarriedEntry[] = [];
  let malformed = 0;
  for (const entry of Array.isArray(value) ? value : []) {
    const parsed = carriedEntry(entry);
    if (parsed === undefined) malformed++;
    else carried.push(parsed);
  }
  return { carried, malformed };
}

function carriedEntry(entry: unknown): CarriedEntry | undefined {
  if (
    !isRecord(entry) ||
    typeof entry.url !== 'string' ||
    (entry.file !== undefined && typeof entry.file !== 'string') ||
    !CHANGES.includes(entry.change as string) ||
    !CAUSES.includes(entry.cause as string) ||
    typeof entry.reason !== 'string' ||
    typeof entry.since !== 'string' ||
    !DAY.test(entry.since)
  ) {
    return undefined;
  }
  return {
    url: entry.url,
    ...(entry.file === undefined ? {} : { file: entry.file as string }),
    change: entry.change as ChangeKind,
    cause: entry.cause as CarryCause,
    reason: entry.reason,
    since: entry.since,
    // Optional: one that is not a time only costs a second refresh, never the entry.
    ...(isTime(entry.refreshedAt) ? { refreshedAt: entry.refreshedAt } : {}),
  };
}

/**
 * What can still be read of the carried list of a state cut short: it is written one entry a line,
 * before the files, so a state cut anywhere in its files still has all of it.
 */
function salvageCarried(text: string): { carried: CarriedEntry[]; malformed: number } {
  const start = text.indexOf('\n"carried":[');
  if (start === -1) return { carried: [], malformed: 0 };
  const carried: CarriedEntry[] = [];
  let malformed = 0;
  // Line by line from the list's first entry, up to the line that closes it (or the cut).
  for (let at = text.indexOf('\n', start + 1) + 1; at > 0 && at < text.length;) {
    const next = text.indexOf('\n', at);
    const line = text.slice(at, next === -1 ? text.length : next);
    at = next + 1;
    if (line.startsWith('"files"')) break;
    const closes = line.endsWith('],') || line.endsWith(']');
    const json = (closes ? line.slice(0, line.lastIndexOf(']')) : line).replace(/,$/, '');
    let parsed: CarriedEntry | undefined;
    try {
      parsed = json === '' ? undefined : carriedEntry(JSON.parse(json));
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) carried.push(parsed);
    else if (json !== '') malformed++;
    if (closes || next === -1) break;
  }
  return { carried, malformed };
}

function isTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Between a state's name and the time it was set aside: `state.json.unusable-2026-03-02T10-00-00Z`. */
export const SET_ASIDE_MARK = '.unusable-';

/**
 * Writes `state` to `file` (an absolute path; parent folders are created) through a temporary file in
 * the same folder, flushed to disk and then renamed over `file`: a reader sees the old state or the
 * new one, never a part. Only a state (or nothing) is ever replaced: a file at `file` that does not
 * begin as a state does, or a folder, is an error and is left as it is. On failure the temporary file
 * is removed, the old state is left as it was, and the error is thrown. Temporary files that a killed
 * run left (their process is gone) are removed first. Takes no stop signal, so that it also runs on
 * the failure, deadline and cancel paths.
 */
export async function writeState(file: string, state: SiteState): Promise<void> {
  const folder = path.dirname(file);
  await fs.mkdir(folder, { recursive: true });
  await removeStaleTemporaries(file);
  // Hidden, so that a state kept inside site-dir is skipped by the site scan even while it is written.
  const temporary = path.join(
    folder,
    `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await fs.open(temporary, 'wx');
  try {
    try {
      for (const chunk of serialize(state)) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await checkReplaceable(file);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** Throws unless `file` is missing or a regular file that begins as a state. */
async function checkReplaceable(file: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return;
    if (systemErrorCode(error) === 'EISDIR') throw new Error('it is a folder, not a file', { cause: error });
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new Error('it is a folder, not a file');
    const head = Buffer.alloc(64);
    const { bytesRead } = stat.isFile() ? await handle.read(head, 0, head.length, 0) : { bytesRead: 0 };
    if (!stat.isFile() || !HEAD.test(head.toString('utf8', 0, bytesRead))) {
      throw new Error('the file there is not a cdn-prefetch state, and is not replaced');
    }
  } finally {
    await handle.close();
  }
}

/**
 * Renames the state at `file` (one that cannot be used) to `<file>.unusable-<time>` beside it, so that
 * the new state does not overwrite it; returns the new path (undefined: the file is gone already).
 */
export async function setStateAside(file: string, now: Date): Promise<string | undefined> {
  if (!(await exists(file))) return undefined;
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  for (let n = 1; ; n++) {
    const aside = `${file}${SET_ASIDE_MARK}${stamp}${n === 1 ? '' : `-${n}`}`;
    try {
      await fs.link(file, aside); // fails when `aside` exists: nothing is ever overwritten
    } catch (error) {
      if (systemErrorCode(error) === 'EEXIST') continue;
      // A file system without hard links: a rename, once `aside` is known to be free.
      if (await exists(aside)) continue;
      await fs.rename(file, aside);
      return aside;
    }
    await fs.rm(file);
    return aside;
  }
}

/** The temporary files of writeState whose process is no longer running (a SIGKILL mid-write). */
async function removeStaleTemporaries(file: string): Promise<void> {
  const name = path.basename(file);
  const folder = path.dirname(file);
  let entries: string[];
  try {
    entries = await fs.readdir(folder);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`.${name}.`) || !entry.endsWith('.tmp')) continue;
    const match = /^(\d+)-[0-9a-f]{8}\.tmp$/.exec(entry.slice(name.length + 2));
    if (match === null || isRunning(Number(match[1]))) continue;
    await fs.rm(path.join(folder, entry), { force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === 'EPERM'; // someone else's process: running
  }
}

/** The state's text, in chunks of about 1 MB (a 100,000-file state is never one big string twice). */
function* serialize(state: SiteState): Generator<string> {
  const head = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    hash: STATE_HASH,
    savedAt: state.savedAt,
    baseUrl: state.baseUrl,
  };
  let text = `${JSON.stringify(head).slice(0, -1)},\n"carried":[`;
  state.carried.forEach((entry, i) => {
    const { url, file, change, cause, reason, since, refreshedAt } = entry;
    const ordered = {
      url,
      ...(file === undefined ? {} : { file }),
      change,
      cause,
      reason,
      since,
      ...(refreshedAt === undefined ? {} : { refreshedAt }),
    };
    text += `${i === 0 ? '' : ','}\n${JSON.stringify(ordered)}`;
  });
  text += '],\n"files":{';
  let first = true;
  for (const [name, hashes] of state.files) {
    const value = hashes.own === undefined ? hashes.content : `${hashes.content}.${hashes.own}`;
    text += `${first ? '' : ','}\n${JSON.stringify(name)}:"${value}"`;
    first = false;
    if (text.length >= 1024 * 1024) {
      yield text;
      text = '';
    }
  }
  yield `${text}}}\n`;
}
