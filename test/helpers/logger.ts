/** A logger that keeps every line, so that a test can read what a run said. */
import type { Logger } from '../../src/base/logger.js';

export class MemoryLogger implements Logger {
  readonly lines: { level: 'info' | 'warning' | 'notice' | 'debug'; message: string }[] = [];
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message });
  }
  notice(message: string): void {
    this.lines.push({ level: 'notice', message });
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.info(`[${title}]`);
    return fn();
  }
  messages(level: 'info' | 'warning' | 'notice' | 'debug'): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}
