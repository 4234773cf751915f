/**
 * What the core needs to tell a person. The action maps it to @actions/core (annotations, groups);
 * the CLI to the terminal; tests collect it (test/helpers/logger.ts). The core never imports @actions/core.
 */
export interface Logger {
  info(message: string): void;
  /** Something went partly wrong; the run goes on. Shown as an annotation by the action. */
  warning(message: string): void;
  /** Worth a person's attention, but nothing is wrong. */
  notice(message: string): void;
  debug(message: string): void;
  /** Runs `fn` with its log lines folded under `title`. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /**
   * How far a long phase has got, for a progress bar. Optional: the action's log has a line per call
   * already; the CLI draws a bar on a terminal. `done` only grows, and reaches `total` at the end.
   */
  progress?(event: ProgressEvent): void;
}

export interface ProgressEvent {
  /** submit: URLs with an outcome; refresh, wait: URLs whose task has finished. */
  phase: 'submit' | 'refresh' | 'wait';
  done: number;
  total: number;
}

/** A notice or warning kept for a job summary. */
export interface LoggedNote {
  level: 'warning' | 'notice';
  message: string;
}

/** Forwards to `logger`, also keeping its notices and warnings in `notes` (for the job summary). */
export function notingLogger(logger: Logger, notes: LoggedNote[]): Logger {
  return {
    info: (message) => logger.info(message),
    debug: (message) => logger.debug(message),
    warning: (message) => {
      notes.push({ level: 'warning', message });
      logger.warning(message);
    },
    notice: (message) => {
      notes.push({ level: 'notice', message });
      logger.notice(message);
    },
    group: (title, fn) => logger.group(title, fn),
  };
}
