/**
 * Reads the site's files on reader threads, in batches, while the main thread hashes what has arrived.
 *
 * Why threads: a built site is many small files, and opening, reading and closing each one costs more
 * than hashing it. Through libuv's thread pool each of those calls is a round trip to the main thread
 * (measured: 2x slower than reading synchronously); synchronous reads on the main thread leave the
 * hashing waiting on them. READERS threads doing synchronous reads overlap the reading with the hashing.
 *
 * Bounded: each reader keeps at most MAX_IN_FLIGHT batches of BATCH_BYTES ahead of the hashing; a
 * batch's memory is handed over (transferred, not copied), and handed back once hashed to be refilled.
 * A file over `wholeFileLimit` is not sent: its reader hashes it in chunks (SHA-256, base64url, cut
 * to 16 characters as the state keeps hashes: see hash.ts).
 *
 * The readers' code is a plain JavaScript string run with `eval: true`, so that it needs no file of its
 * own beside the bundle; it only reads, so it is short. It loads its modules with import(), which works
 * whether the worker starts as CommonJS or as an ES module.
 */
import { Worker } from 'node:worker_threads';

/** Two readers: one keeps a core busy with system calls; two also share the work on a busy machine. */
const READERS = 2;
export const BATCH_BYTES = 2 * 1024 * 1024;
const MAX_IN_FLIGHT = 2;
/** Files are dealt to the readers in runs of this many, in turn, so that both finish at about the same time. */
export const CHUNK_FILES = 256;

/** One file's result: its bytes, or (over the limit) its hash, or that it vanished since it was listed. */
export type ReadResult =
  | { index: number; bytes: Buffer }
  | { index: number; hash: string; size: number }
  | { index: number; missing: true };

/**
 * A batch of files read. `entries` has 4 numbers a file: index, kind (0 bytes, 1 hash, 2 missing),
 * offset or size, length or the position of the hash in `hashes`. Numbers, not objects: a batch holds
 * hundreds of files.
 */
interface Batch {
  batch: ArrayBuffer;
  entries: number[];
  hashes: string[];
}

/** What a reader posts: a batch, its end, or a failure. */
type Message = Batch | { done: true } | { error: string; index: number };
/** A message as it arrives, a batch tagged with the reader that made it (to hand its memory back to). */
type Arrived = (Batch & { reader: number }) | Exclude<Message, Batch> | Error;

const READER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { createHash } = await import('node:crypto');
  const { root, files, batchBytes, maxInFlight, wholeFileLimit, reader, readers, chunkFiles } = workerData;
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
    parentPort.postMessage(message, [message.batch]);
    inFlight++;
    while (inFlight >= maxInFlight) await new Promise((resolve) => { wake = resolve; });
  };
  let batch = free.pop() ?? new ArrayBuffer(batchBytes);
  let view = new Uint8Array(batch);
  let used = 0;
  let entries = [];
  let hashes = [];
  const flush = async () => {
    if (entries.length === 0) return;
    await post({ batch, entries, hashes });
    batch = free.pop() ?? new ArrayBuffer(batchBytes);
    view = new Uint8Array(batch);
    used = 0;
    entries = [];
    hashes = [];
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
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0, read; (read = fs.readSync(fd, chunk, 0, chunk.length, at)) > 0; at += read) {
      hash.update(chunk.subarray(0, read));
    }
    return hash.digest().toString('base64url', 0, 12);
  };
  // A small file is read straight into the batch, without asking its size; only one that fills the
  // rest of the batch is sized, and then hashed here (too large) or sent in a buffer of its own.
  const readOne = async (index, fd) => {
    if (batchBytes - used < batchBytes / 8) await flush();
    const filled = fill(fd, view, used, view.length);
    if (used + filled < view.length) {
      entries.push(index, 0, used, filled);
      used += filled;
      return;
    }
    const size = fs.fstatSync(fd).size;
    if (size === filled) {
      entries.push(index, 0, used, filled);
      used += filled;
    } else if (size > wholeFileLimit) {
      hashes.push(hashWhole(fd));
      entries.push(index, 1, size, hashes.length - 1);
    } else {
      const own = new Uint8Array(new ArrayBuffer(Math.max(size, filled)));
      own.set(view.subarray(used, used + filled));
      const total = filled + fill(fd, own, filled, own.length);
      await post({ batch: own.buffer, entries: [index, 0, 0, total], hashes: [] });
    }
  };
  for (let start = reader * chunkFiles; start < files.length; start += readers * chunkFiles) {
    for (let index = start; index < Math.min(files.length, start + chunkFiles); index++) {
      let fd;
      try {
        fd = fs.openSync(path.join(root, files[index]), 'r');
      } catch (error) {
        if (error.code === 'ENOENT') { entries.push(index, 2, 0, 0); continue; }
        parentPort.postMessage({ error: String(error.message), index });
        return;
      }
      try {
        await readOne(index, fd);
      } catch (error) {
        parentPort.postMessage({ error: String(error.message), index });
        return;
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  await flush();
  parentPort.postMessage({ done: true });
})();
`;

export interface ReadOptions {
  root: string;
  /** Paths relative to root. */
  files: readonly string[];
  wholeFileLimit: number;
  signal?: AbortSignal | undefined;
}

/**
 * Yields every file's result, in no particular order (each says its index in `files`). A result's
 * `bytes` are valid until the next result is asked for (the memory is reused): hash them, do not keep
 * them. Throws `site-dir: cannot read <file>: <why>` when a file cannot be read, and the signal's
 * reason when it is aborted. The readers are ended on every path.
 */
export async function* readFiles(options: ReadOptions): AsyncGenerator<ReadResult> {
  const queue: Arrived[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Arrived): void => {
    queue.push(item);
    wake?.();
  };
  const count = Math.min(READERS, Math.ceil(options.files.length / CHUNK_FILES));
  const readers = Array.from({ length: count }, (_, reader) => {
    const worker = new Worker(READER, {
      eval: true,
      workerData: {
        root: options.root,
        files: options.files,
        batchBytes: BATCH_BYTES,
        maxInFlight: MAX_IN_FLIGHT,
        wholeFileLimit: options.wholeFileLimit,
        reader,
        readers: count,
        chunkFiles: CHUNK_FILES,
      },
    });
    worker.on('message', (message: Message) => push('batch' in message ? { ...message, reader } : message));
    worker.on('error', push);
    worker.on('exit', () => push(new Error('a reader thread ended early')));
    return worker;
  });
  const onAbort = (): void => push(options.signal!.reason as Error);
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (let running = readers.length; running > 0;) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const item = queue.shift()!;
      if (item instanceof Error) throw item;
      if ('done' in item) {
        running--;
        continue;
      }
      if ('error' in item)
        throw new Error(`site-dir: cannot read ${options.files[item.index]}: ${item.error}`);
      yield* batchResults(item);
      // Hashed: the batch goes back to its reader, to be filled again (so its bytes must not be kept).
      readers[item.reader]!.postMessage(item.batch, [item.batch]);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(
      readers.map((worker) => {
        worker.removeAllListeners();
        return worker.terminate();
      }),
    );
  }
}

function* batchResults(message: Batch): Generator<ReadResult> {
  const { batch, entries, hashes } = message;
  for (let i = 0; i < entries.length; i += 4) {
    const index = entries[i]!;
    const kind = entries[i + 1]!;
    if (kind === 0) yield { index, bytes: Buffer.from(batch, entries[i + 2]!, entries[i + 3]!) };
    else if (kind === 1) yield { index, hash: hashes[entries[i + 3]!]!, size: entries[i + 2]! };
    else yield { index, missing: true };
  }
}
