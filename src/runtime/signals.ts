/**
 * Cancellation by signal, the same for both adapters. The runner cancels a job with SIGINT and, 7.5 s
 * later, SIGTERM; a person presses Ctrl-C, then again. The first signal stops sending and gives calls in
 * flight a few seconds to answer (their task IDs belong in the report); the second gives them up. Either
 * way the run still ends normally: every URL gets its outcome and the report is written.
 */
import type { RunStop } from './stop.js';

/** How long calls in flight may still answer after the first signal; under the runner's 7.5 s. */
export const CANCEL_GRACE_MS = 4_000;

export interface SignalWatch {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Gives SIGINT and SIGTERM their default behaviour back. */
  dispose(): void;
}

/** Until disposed, SIGINT and SIGTERM stop `stop`'s run instead of killing the process. */
export function stopOnSignals(stop: RunStop, notify: (message: string) => void): SignalWatch {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (received === undefined) {
      received = signal;
      stop.stop('cancelled', CANCEL_GRACE_MS);
      notify(
        `${signal}: cancelling. No new call starts; calls in flight have ${CANCEL_GRACE_MS / 1000} s to answer ` +
          '(a second signal gives them up). Every URL is still reported.',
      );
    } else {
      stop.abortRequests();
      notify(`${signal} again: giving up the calls in flight; their URLs are reported as outcome unknown.`);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
