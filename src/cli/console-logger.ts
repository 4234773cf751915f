/**
 * The core's Logger on a terminal. Everything goes to standard error, so that standard output carries
 * only the result (the closing table, or the JSON report with --json). On a terminal, a long phase is a
 * progress bar (cli-progress) and its per-call lines are held back unless --verbose; elsewhere (CI
 * logs, files) every line is printed, and progress is a plain line at every tenth.
 */
import cliProgress from 'cli-progress';
import type { Logger, ProgressEvent } from '../base/logger.js';
import type { Redactor } from '../base/redact.js';
import { noun } from '../base/text.js';

export interface ConsoleOptions {
  /** Draw progress bars (standard error is a terminal). */
  tty: boolean;
  verbose: boolean;
  redact: Redactor;
}

const LABELS: Record<ProgressEvent['phase'], string> = {
  submit: 'Submitting',
  refresh: 'Refreshing',
  wait: 'Waiting for the CDN',
};

interface ActiveBar {
  phase: ProgressEvent['phase'];
  bars: cliProgress.MultiBar;
  bar: cliProgress.SingleBar;
}

export class ConsoleLogger implements Logger {
  private active: ActiveBar | undefined;
  /** A bar was drawn in the current group: its per-call lines stay held back until the group ends. */
  private barInGroup = false;
  /** Per phase, the last tenth printed as a plain line. */
  private readonly tenths = new Map<ProgressEvent['phase'], number>();

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly options: ConsoleOptions,
  ) {}

  info(message: string): void {
    // While a bar runs, per-call lines would bury it; --verbose shows them anyway.
    if ((this.active || this.barInGroup) && !this.options.verbose) return;
    this.write(message);
  }

  warning(message: string): void {
    this.write(`warning: ${message}`);
  }

  notice(message: string): void {
    this.write(`notice: ${message}`);
  }

  debug(message: string): void {
    if (this.options.verbose) this.write(`debug: ${message}`);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.write(title);
    try {
      return await fn();
    } finally {
      this.endBar();
      this.barInGroup = false;
    }
  }

  progress(event: ProgressEvent): void {
    if (event.total <= 0) return;
    if (this.options.tty) this.drawBar(event);
    else this.printTenth(event);
  }

  /** Ends any bar, leaving its last state on screen; call before printing the result. */
  close(): void {
    this.endBar();
  }

  private drawBar(event: ProgressEvent): void {
    if (this.active?.phase !== event.phase) {
      this.endBar();
      const bars = new cliProgress.MultiBar(
        {
          stream: this.stream,
          format: `${LABELS[event.phase]} {bar} {percentage}% | {value}/{total} ${noun(event.total, 'URL')} | {duration_formatted}`,
          hideCursor: true,
          barsize: 30,
          // Signals are the run's to handle (runtime/signals.ts); the bar only ends with it.
          gracefulExit: false,
          // The terminal keeps wrapping lines: cli-progress's default (false) turns wrapping off while
          // a bar runs, which cut every logged line (the signal's warning) at the terminal's width.
          // With true, the bar itself is cut to the width by cli-progress, so it never wraps.
          linewrap: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.active = { phase: event.phase, bars, bar: bars.create(event.total, event.done) };
      this.barInGroup = true;
    }
    this.active.bar.setTotal(event.total);
    this.active.bar.update(event.done);
    if (event.done >= event.total) this.endBar();
  }

  private printTenth(event: ProgressEvent): void {
    const tenth = Math.floor((Math.min(event.done, event.total) * 10) / event.total);
    if (tenth <= (this.tenths.get(event.phase) ?? -1) || (tenth === 0 && event.done < event.total)) return;
    this.tenths.set(event.phase, tenth);
    const percent = Math.floor((event.done * 100) / event.total);
    this.write(
      `${LABELS[event.phase]}: ${event.done}/${event.total} ${noun(event.total, 'URL')} (${percent}%)`,
    );
  }

  private endBar(): void {
    if (!this.active) return;
    const { bars } = this.active;
    this.active = undefined;
    // A last redraw flushes the lines logged meanwhile (MultiBar.log) before the bar is left in place.
    bars.update();
    bars.stop();
  }

  private write(message: string): void {
    const line = this.options.redact(message);
    if (this.active) this.active.bars.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }
}
