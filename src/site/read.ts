/**
 * Reads the site's files on a worker thread, in batches, while the main thread hashes the batch before.
 *
 * Why a thread: a built site is many small files, and opening, reading and closing each one costs more
 * than hashing it. Through libuv's thread pool each of those three calls is a round trip to the main
 * thread (measured: 2x slower than reading synchronously); synchronous reads on the main thread leave
 * the hashing waiting on the reads. One reader thread doing synchronous reads overlaps the two.
 *
 * Bounded: the reader keeps at most MAX_IN_FLIGHT batches of BATCH_BYTES ahead of the hashing; each
 * batch's memory is handed over (transferred, not copied) and handed back once hashed, to be refilled. A file over `wholeFileLimit` is not
 * sent: the reader hashes it in chunks (SHA-256, base64url, cut as the state keeps hashes).
 *
 * The reader's code is a plain JavaScript string run with `eval: true`, so that it needs no file of
 * its own next to the bundle; it only reads, so it is short. It loads its modules with import(),
 * which works whether the worker starts as CommonJS or as an ES module.
 */
import { Worker } from 'node:worker_threads';

const BATCH_BYTES = 4 * 1024 * 1024;
const MAX_IN_FLIGHT = 3;

/** One file's result: its bytes, or (over the limit) its hash, or that it vanished since it was listed. */
export type ReadResult =
  | { index: number; bytes: Buffer }
  | { index: number; hash: string; size: number }
  | { index: number; missing: true };

/** What the worker posts: a batch, the end, or a failure. */
type Message = Batch | { done: true } | { error: string; index: number };

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

const READER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { createHash } = await import('node:crypto');
  const { root, files, batchBytes, maxInFlight, wholeFileLimit } = workerData;
  // Batches come back from the main thread once hashed: at most maxInFlight + 1 ever exist.
  const free = [];
  let inFlight = 0;
  let wake;
  parentPort.on('message', (returned) => {
    inFlight--;
    if (returned.byteLength === batchBytes) free.push(returned);
    if (wake) { const w = wake; wake = undefined; w(); }
  });
  const take = () => free.pop() ?? new ArrayBuffer(batchBytes);
  let batch = take();
  let view = new Uint8Array(batch);
  let used = 0;
  let entries = [];
  const hashes = [];
  const flush = async () => {
    if (entries.length === 0) return;
    parentPort.postMessage({ batch, entries, hashes: hashes.splice(0) }, [batch]);
    inFlight++;
    while (inFlight >= maxInFlight) await new Promise((resolve) => { wake = resolve; });
    batch = take();
    view = new Uint8Array(batch);
    used = 0;
    entries = [];
  };
  for (let index = 0; index < files.length; index++) {
    let fd;
    try {
      fd = fs.openSync(path.join(root, files[index]), 'r');
    } catch (error) {
      if (error.code === 'ENOENT') { entries.push(index, 2, 0, 0); continue; }
      parentPort.postMessage({ error: String(error.message), index });
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size > wholeFileLimit) {
        const hash = createHash('sha256');
        const chunk = Buffer.allocUnsafe(1024 * 1024);
        for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
        hashes.push(hash.digest().toString('base64url', 0, 12));
        entries.push(index, 1, size, hashes.length - 1);
        continue;
      }
      if (used + size > view.length) {
        await flush();
        if (size > view.length) { batch = new ArrayBuffer(size); view = new Uint8Array(batch); }
      }
      let filled = 0;
      while (filled < size) {
        const read = fs.readSync(fd, view, used + filled, size - filled, null);
        if (read === 0) break;
        filled += read;
      }
      entries.push(index, 0, used, filled);
      used += filled;
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

export interface ReadOptions {
  root: string;
  /** Paths relative to root. */
  files: readonly string[];
  wholeFileLimit: number;
  signal?: AbortSignal | undefined;
}

/**
 * Yields every file's result, in `files` order. A result's `bytes` are valid until the next result is
 * asked for (the memory is reused): hash them, do not keep them. Throws `site-dir: cannot read <file>: <why>` when a
 * file cannot be read, and the signal's reason when it is aborted. The worker is ended on every path.
 */
export async function* readFiles(options: ReadOptions): AsyncGenerator<ReadResult> {
  const worker = new Worker(READER, {
    eval: true,
    workerData: {
      root: options.root,
      files: options.files,
      batchBytes: BATCH_BYTES,
      maxInFlight: MAX_IN_FLIGHT,
      wholeFileLimit: options.wholeFileLimit,
    },
  });
  const queue: (Message | Error)[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Message | Error): void => {
    queue.push(item);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', push);
  worker.on('exit', () => push(new Error('the reader thread ended early')));
  const onAbort = (): void => push(options.signal!.reason as Error);
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const item = queue.shift()!;
      if (item instanceof Error) throw item;
      if ('done' in item) return;
      if ('error' in item)
        throw new Error(`site-dir: cannot read ${options.files[item.index]}: ${item.error}`);
      yield* batchResults(item);
      // Hashed: the batch goes back to the reader, to be filled again (so its bytes must not be kept).
      worker.postMessage(item.batch, [item.batch]);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    worker.removeAllListeners();
    await worker.terminate();
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
