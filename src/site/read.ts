/**
 * Reads the site's files on reader threads, in batches, while the main thread hashes what has arrived.
 *
 * Why threads: a built site is many small files, and opening, reading and closing each one costs more
 * than hashing it. Through libuv's thread pool each of those calls is a round trip to the main thread
 * (measured: 2x slower than reading synchronously); synchronous reads on the main thread leave the
 * hashing waiting on them. READERS threads doing synchronous reads overlap the reading with the hashing.
 *
 * The readers also hash each file's content (SHA-256, of which the state keeps 96 bits: see hash.ts),
 * so that on a large site the main thread only parses the pages whose content changed (hash.ts).
 * Bounded: each reader keeps at most MAX_IN_FLIGHT batches of BATCH_BYTES ahead of the main thread; a
 * batch's memory is handed over (transferred, not copied), and handed back once used to be refilled.
 * A file over `wholeFileLimit` is not sent: its reader hashes it in chunks.
 *
 * The tree cannot block a reader: only what is a regular file once opened is read, and it is opened
 * without blocking and without following a link (a FIFO or a device swapped in after the listing
 * would otherwise hold `open` or `read` forever; a link swapped in could point out of the site).
 *
 * `content-ignore` runs here too, not on the main thread: a careless pattern can take hours on one
 * file (`.*Build Date.*` on a one-line bundle), and a regular expression cannot be interrupted from
 * its own thread. Each reader says in shared memory which file and pattern it is on; a reader on one
 * for longer than the pattern budget is terminated, the file named (`onPatternStopped`) and read again
 * without the patterns by a new reader, which takes over the rest of the old one's files.
 *
 * The readers' code is a plain JavaScript string run with `eval: true`, so that it needs no file of its
 * own beside the bundle. It loads its modules with import(), which works whether the worker starts as
 * CommonJS or as an ES module. The file names reach it in one shared buffer (UTF-8, with offsets):
 * a million names copied to every reader as strings would cost each of them a copy of the list.
 */
import { constants } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Two readers: one keeps a core busy with system calls; two also share the work on a busy machine. */
const READERS = 2;
export const BATCH_BYTES = 2 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;
/** Files are dealt to the readers in runs of this many, in turn, so that both finish at about the same time. */
export const CHUNK_FILES = 256;
/**
 * How long the `content-ignore` patterns may take on one file. The patterns the docs give take
 * milliseconds on megabytes (5.8 MB in 34 ms); one that takes this long has no bound at all.
 */
export const PATTERN_BUDGET_MS = 2_000;
/** How long the readers get to end once given up (a thread cannot be waited for forever). */
const END_WAIT_MS = 1_000;

/**
 * One file's result: its content hash (16 characters of base64url: 96 bits of the SHA-256 of the file
 * after `content-ignore`) and its bytes (after `content-ignore`), or (over the limit) its hash and
 * size only, or that it vanished since it was listed, or that it was no longer a regular file.
 */
export type ReadResult =
  | { index: number; hash: string; bytes: Buffer }
  | { index: number; hash: string; size: number }
  | { index: number; missing: true }
  | { index: number; special: true };

/** Bytes of a content hash: 96 bits, 16 characters of base64url. */
const DIGEST_BYTES = 12;

/** What the patterns did, over every text file read (the scan's warnings are made from it). */
export interface PatternReport {
  /** Text files (UTF-8 without NUL bytes, up to the whole-file limit) the patterns ran on. */
  textFiles: number;
  /** By pattern: text files it left empty (it removed all of what the patterns before it left). */
  emptied: number[];
  /** By pattern: the first file it left empty (an index of `files`), or -1. */
  firstEmptied: number[];
  /** By pattern: text files of which it removed 90 % or more, but not all. */
  mostly: number[];
}

export interface ReadOptions {
  root: string;
  /** Paths relative to root. */
  files: readonly string[];
  /** Files that are symbolic links: index → the real path to read (checked to be inside the site). */
  links?: ReadonlyMap<number, string> | undefined;
  wholeFileLimit: number;
  /** `content-ignore`'s patterns (sources, compiled global): removed from each text file. */
  patterns?: readonly string[] | undefined;
  patternBudgetMs?: number | undefined;
  /** A file the patterns took too long on: it is read again without them. */
  onPatternStopped?: ((index: number, pattern: number) => void) | undefined;
  /** Filled in as files arrive, when there are patterns. */
  patternReport?: PatternReport | undefined;
  signal?: AbortSignal | undefined;
}

export function emptyPatternReport(patterns: number): PatternReport {
  return {
    textFiles: 0,
    emptied: new Array<number>(patterns).fill(0),
    firstEmptied: new Array<number>(patterns).fill(-1),
    mostly: new Array<number>(patterns).fill(0),
  };
}

/**
 * A batch of files read. `entries` has 4 numbers a file: index, kind (0 bytes, 1 hash only, 2 missing,
 * 3 not a regular file), offset or size, length. Numbers, not objects: a batch holds hundreds of files.
 * `digests`: DIGEST_BYTES a file of kinds 0 and 1, in the order of `entries`. `stats`: what the
 * patterns did since the last batch.
 */
interface Batch {
  batch: ArrayBuffer;
  entries: number[];
  digests: ArrayBuffer;
  stats?: PatternReport | undefined;
}

/** What a reader posts: a batch, its end, a file it could not apply a pattern to, or a failure. */
type Message =
  | Batch
  | { done: true }
  | { failed: true; index: number; pattern: number }
  | { error: string; index: number };

/** A reader thread, and the files it reads, in order. */
interface Reader {
  slot: number;
  worker: Worker;
  order: Int32Array;
  /** Files to read without the patterns (they took too long on them). */
  raw: number[];
  /** Shared with the thread: [pattern runs started, file index or -1, pattern]. */
  status: Int32Array;
  /** The last pattern run seen, and since when (for the budget). */
  seen?: { run: number; at: number } | undefined;
}

/** A message as it arrives, tagged with its reader; or a reader over its budget; or an error. */
type Arrived =
  | (Batch & { reader: Reader })
  | { done: true; reader: Reader }
  | { failed: true; index: number; pattern: number; reader: Reader }
  | { error: string; index: number; reader: Reader }
  | { stuck: Reader; index: number; pattern: number }
  | Error;

const READER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const fs = await import('node:fs');
  const crypto = await import('node:crypto');
  const digest = crypto.hash
    ? (bytes) => crypto.hash('sha256', bytes, 'buffer')
    : (bytes) => crypto.createHash('sha256').update(bytes).digest();
  const { isUtf8 } = await import('node:buffer');
  const { root, names, offsets, order, links, raw, sources, status, flags, batchBytes, maxInFlight, wholeFileLimit } = workerData;
  const nameBytes = Buffer.from(names);
  const starts = new Int32Array(offsets);
  const watch = new Int32Array(status);
  const patterns = sources.map((source) => new RegExp(source, 'g'));
  const unfiltered = new Set(raw);
  const emptyStats = () => ({
    textFiles: 0,
    emptied: patterns.map(() => 0),
    firstEmptied: patterns.map(() => -1),
    mostly: patterns.map(() => 0),
  });
  let stats = emptyStats();
  // Batches come back once hashed: at most maxInFlight + 1 full-size ones ever exist.
  const free = [];
  let inFlight = 0;
  let wake;
  parentPort.on('message', (returned) => {
    inFlight--;
    if (returned.byteLength === batchBytes) free.push(returned);
    if (wake) { const w = wake; wake = undefined; w(); }
  });
  const post = async (message) => {
    if (patterns.length > 0) { message.stats = stats; stats = emptyStats(); }
    parentPort.postMessage(message, [message.batch, message.digests]);
    inFlight++;
    while (inFlight >= maxInFlight) await new Promise((resolve) => { wake = resolve; });
  };
  let batch = free.pop() ?? new ArrayBuffer(batchBytes);
  let view = new Uint8Array(batch);
  let used = 0;
  let entries = [];
  // Room for the digests of a batch full of empty files (one entry per file).
  let digests = [];
  const flush = async () => {
    if (entries.length === 0) return;
    // An ArrayBuffer of its own: a small Buffer's may be Node's shared pool, which must not be transferred.
    const packed = new Uint8Array(new ArrayBuffer(digests.length * 12));
    digests.forEach((d, i) => packed.set(d, i * 12));
    await post({ batch, entries, digests: packed.buffer });
    batch = free.pop() ?? new ArrayBuffer(batchBytes);
    view = new Uint8Array(batch);
    used = 0;
    entries = [];
    digests = [];
  };
  // The 96 bits the state keeps, in a buffer of its own (concatenated per batch).
  const keep = (full) => Buffer.from(full.subarray(0, 12));
  // An entry of kind 0: the file's bytes (after the patterns) at view[at, at + length), and their hash.
  const add = (index, target, at, length) => {
    entries.push(index, 0, at, length);
    digests.push(keep(digest(target.subarray(at, at + length))));
  };
  // Reads from the file's position into view[at, end) until it is full or the file ends.
  const fill = (fd, target, at, end) => {
    let filled = at;
    while (filled < end) {
      const read = fs.readSync(fd, target, filled, end - filled, null);
      if (read === 0) break;
      filled += read;
    }
    return filled - at;
  };
  const hashWhole = (fd) => {
    const hash = crypto.createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0, read; (read = fs.readSync(fd, chunk, 0, chunk.length, at)) > 0; at += read) {
      hash.update(chunk.subarray(0, read));
    }
    return keep(hash.digest());
  };
  // content-ignore, in place: target[at, at + length) becomes the text without the matches (never
  // longer: removing code units from valid UTF-8 text never lengthens its UTF-8). Returns the length.
  const filter = (index, target, at, length) => {
    if (patterns.length === 0 || unfiltered.has(index)) return length;
    const bytes = Buffer.from(target.buffer, target.byteOffset + at, length);
    if (bytes.includes(0) || !isUtf8(bytes)) return length;
    stats.textFiles++;
    const original = bytes.toString('utf8');
    let text = original;
    for (let p = 0; p < patterns.length; p++) {
      Atomics.store(watch, 1, index);
      Atomics.store(watch, 2, p);
      Atomics.add(watch, 0, 1);
      const before = text.length;
      try {
        text = text.replace(patterns[p], '');
      } catch {
        // Out of stack on this file (some patterns recurse on long input): the file is read as it is.
        Atomics.store(watch, 1, -1);
        parentPort.postMessage({ failed: true, index, pattern: p });
        return length;
      }
      if (before > 0 && text.length === 0) {
        stats.emptied[p]++;
        if (stats.firstEmptied[p] === -1) stats.firstEmptied[p] = index;
      } else if (before > 0 && text.length * 10 <= before) stats.mostly[p]++;
    }
    Atomics.store(watch, 1, -1);
    if (text === original) return length;
    if (Buffer.byteLength(text) > length) throw new Error('content-ignore made a file longer');
    return bytes.write(text, 0, 'utf8');
  };
  // Reads the size bytes (the size fstat gave: one read for a small file, not a second one to find the
  // end) into the batch, or into a buffer of its own when it is over half a batch, or hashes it here
  // when it is over the whole-file limit. A file that grows while it is read is taken as it was sized.
  const readOne = async (index, fd, size) => {
    if (size > wholeFileLimit) {
      entries.push(index, 1, size, 0);
      digests.push(hashWhole(fd));
      return;
    }
    if (size > batchBytes / 2) {
      const own = new Uint8Array(new ArrayBuffer(size));
      const length = filter(index, own, 0, fill(fd, own, 0, size));
      const packed = new Uint8Array(new ArrayBuffer(12));
      packed.set(digest(own.subarray(0, length)).subarray(0, 12));
      await post({ batch: own.buffer, entries: [index, 0, 0, length], digests: packed.buffer });
      return;
    }
    // Full, or holding 4,096 files (a folder of empty files must not become one endless batch).
    if (used + size > batchBytes || entries.length >= 4 * 4096) await flush();
    const filled = fill(fd, view, used, used + size);
    add(index, view, used, filter(index, view, used, filled));
    used += filled;
  };
  const pathOf = (index) => links[index] ?? root + '/' + nameBytes.toString('utf8', starts[index], starts[index + 1]);
  for (const index of order) {
    let fd;
    try {
      fd = fs.openSync(pathOf(index), flags);
    } catch (error) {
      // Gone since the listing (or a folder on its path is): as if it had not been listed.
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') { entries.push(index, 2, 0, 0); continue; }
      // A link now where a file was listed (opened without following links): not the file listed.
      if (error.code === 'ELOOP') { entries.push(index, 3, 0, 0); continue; }
      parentPort.postMessage({ error: String(error.message), index });
      return;
    }
    try {
      // A FIFO, a device or a folder swapped in since the listing is never read.
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) entries.push(index, 3, 0, 0);
      else await readOne(index, fd, stat.size);
    } catch (error) {
      parentPort.postMessage({ error: String(error.message), index });
      return;
    } finally {
      fs.closeSync(fd);
    }
  }
  await flush();
  parentPort.postMessage({ done: true });
})();
`;

/**
 * Opened for reading only, never blocking (a FIFO's `open` waits for a writer; a device's may wait),
 * never through a link. The constants that do not exist on a platform (Windows) are 0.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** readBatches, one file at a time. */
export async function* readFiles(options: ReadOptions): AsyncGenerator<ReadResult> {
  for await (const results of readBatches(options)) yield* results;
}

/**
 * Yields every file's result, a batch at a time, in no particular order (each says its index in
 * `files`), each file once. A result's `bytes` are valid until the next batch is asked for (the memory
 * is reused): use them, do not keep them. Throws `site-dir: cannot read <file>: <why>` when a file
 * cannot be read, and the signal's reason when it is aborted — at once, whatever the readers are
 * doing. The readers are ended on every path.
 */
export async function* readBatches(options: ReadOptions): AsyncGenerator<ReadResult[]> {
  const queue: Arrived[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Arrived): void => {
    queue.push(item);
    wake?.();
  };
  const { names, offsets } = sharedNames(options.files);
  const links = Object.fromEntries(options.links ?? []);
  const patterns = options.patterns ?? [];
  const start = (slot: number, order: Int32Array, raw: number[]): Reader => {
    const status = new SharedArrayBuffer(3 * 4);
    new Int32Array(status)[1] = -1; // on no file
    const worker = new Worker(READER, {
      eval: true,
      workerData: {
        root: options.root,
        names,
        offsets,
        order,
        links,
        raw,
        sources: patterns,
        status,
        flags: OPEN_FLAGS,
        batchBytes: BATCH_BYTES,
        maxInFlight: MAX_IN_FLIGHT,
        wholeFileLimit: options.wholeFileLimit,
      },
    });
    const reader: Reader = { slot, worker, order, raw, status: new Int32Array(status) };
    worker.on('message', (message: Message) => push({ ...message, reader }));
    worker.on('error', push);
    worker.on('exit', () => push(new Error('a reader thread ended early')));
    return reader;
  };
  const readers = deal(options.files.length).map((order, slot) => start(slot, order, []));
  const current = (reader: Reader): boolean => readers[reader.slot] === reader;
  // Consumed results: a reader that replaces a stopped one reads what the old one had not delivered.
  const delivered = new Uint8Array(options.files.length);
  const budget = options.patternBudgetMs ?? PATTERN_BUDGET_MS;
  const watchdog =
    patterns.length === 0
      ? undefined
      : setInterval(() => watch(readers, budget, push), Math.max(10, Math.floor(budget / 4)));
  watchdog?.unref();
  const onAbort = (): void => push(options.signal!.reason as Error);
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (let running = readers.length; running > 0;) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const item = queue.shift()!;
      if (item instanceof Error) throw item;
      if ('stuck' in item) {
        if (!current(item.stuck)) continue;
        options.onPatternStopped?.(item.index, item.pattern);
        const old = item.stuck;
        void retire(old);
        // What it had read but not yet handed over is read again by the new reader.
        for (let i = queue.length - 1; i >= 0; i--) {
          const queued = queue[i]!;
          if (!(queued instanceof Error) && 'reader' in queued && queued.reader === old) queue.splice(i, 1);
        }
        const order = old.order.filter((index) => delivered[index] === 0);
        const raw = [...old.raw, item.index].filter((index) => delivered[index] === 0);
        readers[old.slot] = start(old.slot, order, raw);
        continue;
      }
      if (!current(item.reader)) continue; // from a reader already replaced
      if ('done' in item) {
        running--;
        continue;
      }
      if ('failed' in item) {
        options.onPatternStopped?.(item.index, item.pattern);
        continue;
      }
      if ('error' in item)
        throw new Error(`site-dir: cannot read ${options.files[item.index]}: ${item.error}`);
      if (item.stats !== undefined && options.patternReport !== undefined) {
        addStats(options.patternReport, item.stats);
      }
      const results = batchResults(item);
      for (const result of results) delivered[result.index] = 1;
      yield results;
      // Hashed: the batch goes back to its reader, to be filled again (so its bytes must not be kept).
      if (current(item.reader)) item.reader.worker.postMessage(item.batch, [item.batch]);
    }
  } finally {
    if (watchdog !== undefined) clearInterval(watchdog);
    options.signal?.removeEventListener('abort', onAbort);
    await endAll(readers);
  }
}

/** The file indexes each reader reads: runs of CHUNK_FILES, dealt in turn. */
function deal(files: number): Int32Array[] {
  const count = Math.min(READERS, Math.ceil(files / CHUNK_FILES));
  return Array.from({ length: count }, (_, reader) => {
    const order: number[] = [];
    for (let start = reader * CHUNK_FILES; start < files; start += count * CHUNK_FILES) {
      for (let index = start; index < Math.min(files, start + CHUNK_FILES); index++) order.push(index);
    }
    return Int32Array.from(order);
  });
}

/** Every name in one shared buffer, UTF-8, name i at bytes [offsets[i], offsets[i + 1]). */
function sharedNames(files: readonly string[]): { names: SharedArrayBuffer; offsets: SharedArrayBuffer } {
  const offsets = new Int32Array(new SharedArrayBuffer((files.length + 1) * 4));
  let total = 0;
  for (let i = 0; i < files.length; i++) {
    offsets[i] = total;
    total += Buffer.byteLength(files[i]!);
  }
  offsets[files.length] = total;
  const names = new SharedArrayBuffer(Math.max(1, total));
  const bytes = Buffer.from(names);
  for (let i = 0; i < files.length; i++) bytes.write(files[i]!, offsets[i]!, 'utf8');
  return { names, offsets: offsets.buffer as SharedArrayBuffer };
}

/** Flags each reader that has been on one pattern run for longer than `budget`. */
function watch(readers: readonly Reader[], budget: number, push: (item: Arrived) => void): void {
  const now = performance.now();
  for (const reader of readers) {
    const index = Atomics.load(reader.status, 1);
    const run = Atomics.load(reader.status, 0);
    if (index < 0) {
      reader.seen = undefined;
    } else if (reader.seen === undefined || reader.seen.run !== run) {
      reader.seen = { run, at: now };
    } else if (now - reader.seen.at >= budget) {
      reader.seen = { run: -1, at: Infinity }; // flagged once
      push({ stuck: reader, index, pattern: Atomics.load(reader.status, 2) });
    }
  }
}

function addStats(into: PatternReport, from: PatternReport): void {
  into.textFiles += from.textFiles;
  from.emptied.forEach((count, p) => {
    into.emptied[p]! += count;
    if (into.firstEmptied[p] === -1) into.firstEmptied[p] = from.firstEmptied[p]!;
    into.mostly[p]! += from.mostly[p]!;
  });
}

/** Ends a reader: it is terminated (a pattern run is interrupted) and nothing it sends counts any more. */
function retire(reader: Reader): Promise<unknown> {
  reader.worker.removeAllListeners();
  reader.worker.on('error', () => {}); // a late error of a reader given up is not the run's
  reader.worker.unref();
  return reader.worker.terminate();
}

/** Ends every reader, waiting at most END_WAIT_MS: an ending that does not come must not hold the run. */
async function endAll(readers: readonly Reader[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, END_WAIT_MS);
    timer.unref();
  });
  await Promise.race([Promise.all(readers.map(retire)), late]);
  clearTimeout(timer);
}

function batchResults(message: Batch): ReadResult[] {
  const { batch, entries } = message;
  const digests = Buffer.from(message.digests);
  const results: ReadResult[] = [];
  let digest = 0;
  const hashOf = (): string => digests.toString('base64url', DIGEST_BYTES * digest, DIGEST_BYTES * ++digest);
  for (let i = 0; i < entries.length; i += 4) {
    const index = entries[i]!;
    const kind = entries[i + 1]!;
    if (kind === 0) {
      results.push({ index, hash: hashOf(), bytes: Buffer.from(batch, entries[i + 2]!, entries[i + 3]!) });
    } else if (kind === 1) results.push({ index, hash: hashOf(), size: entries[i + 2]! });
    else if (kind === 2) results.push({ index, missing: true });
    else results.push({ index, special: true });
  }
  return results;
}
