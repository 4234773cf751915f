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
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errorMessage, systemErrorCode } from '../base/errors.js';

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
  | { kind: 'found'; state: SiteState }
  /** No file at `label`: every file counts as added (the plan gives the notice). */
  | { kind: 'missing'; label: string }
  /** A file that cannot be used: `warning` (naming `state`) is given, then it is as if it were missing. */
  | { kind: 'unusable'; warning: string; label: string; why: string };

/** A state larger than this is not ours (100,000 files take 6–10 MB). */
const MAX_STATE_BYTES = 512 * 1024 * 1024;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CHANGES: readonly string[] = ['added', 'modified', 'unchanged'];
const CAUSES: readonly string[] = ['quota', 'deadline', 'cancelled', 'not-sent', 'retryable'];

/**
 * Reads `file` (an absolute path; `label`, e.g. the input as written, is what a warning names). Never
 * throws: every problem is a `missing` or `unusable` result.
 */
export async function readState(file: string, label = file): Promise<StateRead> {
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) return unusable(label, 'it is a folder, not a file');
    if (stat.size > MAX_STATE_BYTES) return unusable(label, `it is ${stat.size} bytes long`);
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return { kind: 'missing', label };
    return unusable(label, `it cannot be read: ${errorMessage(error)}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return unusable(label, 'it is not JSON (a truncated or foreign file?)');
  }
  const parsed = parseDocument(document);
  return typeof parsed === 'string' ? unusable(label, parsed) : { kind: 'found', state: parsed };
}

function unusable(file: string, why: string): StateRead {
  return {
    kind: 'unusable',
    label: file,
    why,
    warning:
      `state: ${file} cannot be used (${why}); every file counts as added this run, nothing carried ` +
      `is warmed, and the file is replaced at the end of the run.`,
  };
}

/** The state in `document`, or why it is not one. */
function parseDocument(document: unknown): SiteState | string {
  if (!isRecord(document) || document.format !== STATE_FORMAT) {
    return `it is not a cdn-prefetch state file: no "format": "${STATE_FORMAT}"`;
  }
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
  const files = parseFiles(document.files);
  if (typeof files === 'string') return files;
  const carried = parseCarried(document.carried);
  if (typeof carried === 'string') return carried;
  return { baseUrl: document.baseUrl, savedAt: document.savedAt, files, carried };
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

function parseCarried(value: unknown): CarriedEntry[] | string {
  if (!Array.isArray(value)) return '"carried" is not a list';
  const carried: CarriedEntry[] = [];
  for (const [i, entry] of value.entries()) {
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
      return `carried entry ${i + 1} is not a url, change, cause, reason and since`;
    }
    carried.push({
      url: entry.url,
      ...(entry.file === undefined ? {} : { file: entry.file as string }),
      change: entry.change as ChangeKind,
      cause: entry.cause as CarryCause,
      reason: entry.reason,
      since: entry.since,
      // Optional: one that is not a time only costs a second refresh, never the entry.
      ...(isTime(entry.refreshedAt) ? { refreshedAt: entry.refreshedAt } : {}),
    });
  }
  return carried;
}

function isTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes `state` to `file` (an absolute path; parent folders are created) through a temporary file in
 * the same folder, flushed to disk and then renamed over `file`: a reader sees the old state or the
 * new one, never a part. On failure the temporary file is removed, the old state is left as it was,
 * and the error is thrown. Takes no stop signal, so that it also runs on the failure, deadline and
 * cancel paths.
 */
export async function writeState(file: string, state: SiteState): Promise<void> {
  const folder = path.dirname(file);
  await fs.mkdir(folder, { recursive: true });
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
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
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
