/**
 * How the process ends: by itself, once everything is written, and never before its output is.
 *
 * The last resort against a hang. Every request, timer and retry of a run ends with it (tests hold
 * that no handle is left), so the process exits by itself once the adapter has written everything.
 * Should something still hold it open — a socket inside a library out of our reach — it exits anyway
 * after `graceMs`, naming what was left: on a runner, a hang burns the job's six hours.
 *
 * Output first: while standard output or error still has bytes to hand to a reader (a pipe to a slow
 * reader: `cdn-prefetch --json | (sleep 6; wc -c)`), the last resort waits, however slow the reader,
 * as long as it takes something at least every STALL_MS. Only a reader that takes nothing for that
 * long is given up, and that exit is a failure: output that was not delivered is never a silent 0.
 */
import type { Writable } from 'node:stream';

/** A reader that takes nothing for this long is taken never to read. */
export const STALL_MS = 300_000;
/** How often pending output is looked at once the grace has passed. */
const POLL_MS = 100;

/** The streams whose bytes must reach their reader before the process may exit. */
export type OutputStream = Pick<Writable, 'writableLength' | 'destroyed'>;

export interface ExitOptions {
  graceMs: number;
  warn: (message: string) => void;
  streams?: readonly OutputStream[] | undefined;
  stallMs?: number | undefined;
}

/** Bytes still waiting to be taken by the streams' readers (a destroyed stream has none to deliver). */
export function pendingBytes(streams: readonly OutputStream[]): number {
  return streams.reduce((sum, stream) => sum + (stream.destroyed ? 0 : stream.writableLength), 0);
}

export function exitWhenIdle(options: ExitOptions): void {
  const streams = options.streams ?? [process.stdout, process.stderr];
  const stallMs = options.stallMs ?? STALL_MS;
  let last = -1;
  let progressAt = 0;
  const check = (): void => {
    const pending = pendingBytes(streams);
    if (pending > 0) {
      const now = performance.now();
      if (pending !== last) {
        last = pending;
        progressAt = now;
      }
      if (now - progressAt < stallMs) {
        setTimeout(check, POLL_MS).unref(); // the output holds the process; this only watches it
        return;
      }
      options.warn(
        `cdn-prefetch: ${pending} bytes of output were not taken by their reader in ${stallMs / 1000} s; exiting without them.`,
      );
      if (!process.exitCode) process.exitCode = 1;
      process.exit();
    }
    const open = process
      .getActiveResourcesInfo()
      .filter((resource) => resource !== 'Timeout' && resource !== 'TTYWrap');
    options.warn(
      `cdn-prefetch: still running ${options.graceMs / 1000} s after the run ended (open: ${open.join(', ') || 'nothing known'}); exiting.`,
    );
    process.exit();
  };
  // Never the reason the process stays: a clean run exits at once.
  setTimeout(check, options.graceMs).unref();
}

/**
 * Calls `onFailure` when a write to one of `streams` fails (the reader closed the pipe: EPIPE), so that
 * the exit code can say the output was not delivered, instead of a crash or a silent 0.
 */
export function watchOutput(
  streams: readonly NodeJS.WriteStream[],
  onFailure: (stream: NodeJS.WriteStream, error: NodeJS.ErrnoException) => void,
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => onFailure(stream, error));
  }
}
