/** The CLI's output for people: the console logger (bar or plain lines) and the closing table. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runResult } from '../helpers/results.js';
import { renderClosing } from '../../src/report/closing.js';
import { ConsoleLogger } from '../../src/cli/console-logger.js';
import type { UrlOutcome } from '../../src/base/outcome.js';
import type { RunResult } from '../../src/report/result.js';
import { createRedactor } from '../../src/base/redact.js';

class Capture extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function logger(tty: boolean, verbose = false) {
  const stream = new Capture(tty);
  const redact = createRedactor(['the-secret-value']);
  return { stream, log: new ConsoleLogger(stream, { tty, verbose, redact }) };
}

describe('ConsoleLogger, not on a terminal', () => {
  it('prints every line, labels warnings and notices, and hides debug lines unless verbose', async () => {
    const { stream, log } = logger(false);
    log.info('Plan: 3 URLs');
    await log.group('Submitting 1 call', async () => log.info('www.example.com: 3 URLs, task 1'));
    log.warning('careful');
    log.notice('note');
    log.debug('details');
    expect(stream.text).toBe(
      'Plan: 3 URLs\nSubmitting 1 call\nwww.example.com: 3 URLs, task 1\nwarning: careful\nnotice: note\n',
    );
    const verbose = logger(false, true);
    verbose.log.debug('details');
    expect(verbose.stream.text).toBe('debug: details\n');
  });

  it('prints progress as a plain line at each tenth, and at the end', () => {
    const { stream, log } = logger(false);
    for (let done = 1; done <= 250; done++) log.progress({ phase: 'submit', done, total: 250 });
    const lines = stream.text.trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('Submitting: 25/250 URLs (10%)');
    expect(lines.at(-1)).toBe('Submitting: 250/250 URLs (100%)');
  });

  it('never prints a secret', () => {
    const { stream, log } = logger(false);
    log.warning('refused: the-secret-value');
    expect(stream.text).toBe('warning: refused: ***\n');
  });
});

describe('ConsoleLogger, on a terminal', () => {
  it('draws a bar, holds back per-call lines, and still shows warnings', async () => {
    const { stream, log } = logger(true);
    await log.group('Submitting 4 calls', async () => {
      for (let done = 10; done <= 40; done += 10) {
        log.progress({ phase: 'submit', done, total: 40 });
        log.info(`www.example.com: 10 URLs, task ${done}`);
        if (done === 20) log.warning('static.example.com: 10 URLs failed');
      }
    });
    log.info('after the group');
    expect(stream.text).toContain('Submitting 4 calls\n');
    expect(stream.text).toMatch(/Submitting .*100% \| 40\/40 URLs/);
    expect(stream.text).toContain('warning: static.example.com: 10 URLs failed');
    expect(stream.text).not.toContain('task 10');
    expect(stream.text).toContain('after the group\n');
    expect(stream.text.indexOf('after the group')).toBeGreaterThan(stream.text.lastIndexOf('40/40'));
  });

  it("prints a long warning whole while a bar runs (the terminal's wrapping is never turned off)", async () => {
    const { stream, log } = logger(true);
    const warning =
      'SIGINT: cancelling. No new call starts; calls in flight have 4 s to answer (a second signal gives them ' +
      'up). Every URL is still reported.';
    await log.group('Submitting 4 calls', async () => {
      log.progress({ phase: 'submit', done: 10, total: 40 });
      log.warning(warning);
      log.progress({ phase: 'submit', done: 20, total: 40 });
    });
    expect(stream.text).toContain(`warning: ${warning}`);
    // ESC [?7l turns the terminal's line wrapping off: a line longer than the terminal would be cut.
    expect(stream.text).not.toContain('\x1b[?7l');
    // Stopped at 20 of 40: the bar is left there, never drawn at 100 %.
    expect(stream.text).toMatch(/20\/40 URLs/);
    expect(stream.text).not.toMatch(/40\/40 URLs|100%/);
  });

  it('shows per-call lines too with --verbose', async () => {
    const { stream, log } = logger(true, true);
    await log.group('Submitting', async () => {
      log.progress({ phase: 'submit', done: 5, total: 10 });
      log.info('www.example.com: 5 URLs, task 7');
      log.progress({ phase: 'submit', done: 10, total: 10 });
    });
    expect(stream.text).toContain('www.example.com: 5 URLs, task 7');
  });
});

describe('renderClosing', () => {
  let order = 0;
  const outcome = (
    url: string,
    status: UrlOutcome['status'],
    extra: Partial<UrlOutcome> = {},
  ): UrlOutcome => ({
    url,
    status,
    order: ++order,
    ...extra,
  });
  const result = (outcomes: UrlOutcome[], extra: Partial<RunResult> = {}): RunResult =>
    runResult(outcomes, { calls: 2, retries: 1, ...extra });

  it('lists each task with its host and URL count, then the counts and what went wrong', () => {
    const text = renderClosing(
      result(
        [
          outcome('https://www.example.com/a', 'submitted', { taskId: '100' }),
          outcome('https://www.example.com/b', 'submitted', { taskId: '100' }),
          outcome('https://static.example.com/c', 'submitted', { taskId: '101,102' }),
          outcome('ftp://x', 'failed', { reason: 'urls: line 4 "ftp://x" is not an http(s) URL' }),
          outcome('https://www.example.com/d', 'failed', {
            reason: 'refused',
            code: 'InvalidObjectPath.Malformed',
          }),
          outcome('https://www.example.com/e', 'skipped', { reason: 'quota: 3 left', skip: 'quota' }),
        ],
        { duplicates: 1, quotaRemain: 3 },
      ),
    );
    expect(text).toContain(
      [
        'Tasks (2)',
        '  task ID  host                URLs',
        '  100      www.example.com        2',
        '  101,102  static.example.com     1',
      ].join('\n'),
    );
    expect(text).toMatch(/ {2}submitted {6}3\n {2}skipped {8}1\n {2}failed {9}2\n {2}distinct URLs {2}6/);
    expect(text).toContain(
      '1 duplicate entry merged · prefetch quota left at the start: 3 · 2 PushObjectCache calls, 1 retry',
    );
    expect(text).toContain('  1 × refused (InvalidObjectPath.Malformed)\n      https://www.example.com/d');
    expect(text).toContain('Skipped (1)\n  1 × quota: 3 left\n      https://www.example.com/e');
  });

  it('in a dry run, lists the planned URLs one a line, in the order they would be sent, with why', () => {
    const text = renderClosing(
      result(
        [
          outcome('https://www.example.com/b', 'planned', { source: 'urls: line 2' }),
          outcome('https://www.example.com/', 'planned', {
            change: 'added',
            source: 'site-dir: index.html',
            linkedBy: 38,
          }),
          outcome('https://www.example.com/css/site.css', 'planned', {
            change: 'modified',
            source: 'site-dir: css/site.css',
            linkedBy: 1,
          }),
          outcome('https://www.example.com/p/', 'planned', {
            change: 'modified',
            chromeOnly: true,
            source: 'site-dir: p/index.html',
            published: '2026-01-12',
          }),
          outcome('https://www.example.com/index.xml', 'planned', {
            change: 'added',
            source: 'site-dir: index.xml',
            linkedBy: 38,
          }),
          outcome('https://www.example.com/c', 'planned', { change: 'carried', carriedSince: '2026-03-01' }),
          outcome('https://cdn.example.com/d', 'skipped', { skip: 'quota', reason: 'quota: 3 left' }),
        ],
        { dryRun: true, calls: 0 },
      ),
    );
    expect(text).toContain(
      [
        'Plan (dry run: nothing was sent): 6 URLs, in the order they would be sent',
        '  1  https://www.example.com/b  listed · urls: line 2',
        '  2  https://www.example.com/  added · linked from 38 pages',
        '  3  https://www.example.com/css/site.css  modified · loaded by 1 page',
        '  4  https://www.example.com/p/  navigation-only · no page links to it · published 2026-01-12',
        '  5  https://www.example.com/index.xml  added · feed or sitemap (after the pages)',
        '  6  https://www.example.com/c  carried · since 2026-03-01',
        '',
      ].join('\n'),
    );
    expect(text).toMatch(/planned\s+6/);
    expect(text).not.toContain('Tasks');
  });

  it('lists at most 20 tasks and 1,000 planned URLs, and counts the rest', () => {
    const tasks = Array.from({ length: 300 }, (_, i) =>
      outcome(`https://www.example.com/${i}`, 'submitted', { taskId: String(1000 + i) }),
    );
    const text = renderClosing(result(tasks));
    expect(text).toContain('Tasks (300)');
    expect(text.match(/^ {2}1\d{3} +www\.example\.com +1$/gm)).toHaveLength(20);
    expect(text).toContain('  …and 280 more tasks (every URL is in --json and --report FILE)');
    const planned = Array.from({ length: 1001 }, (_, i) =>
      outcome(`https://www.example.com/p${i}`, 'planned'),
    );
    const plan = renderClosing(result(planned, { dryRun: true }));
    expect(plan).toContain(
      '  1000  https://www.example.com/p999  listed\n  …and 1 more URL (every URL is in',
    );
  });

  it('groups URLs by reason: the reason once with its count, then its first URLs', () => {
    const failed = Array.from({ length: 25 }, (_, i) =>
      outcome(`https://www.example.com/${i}`, 'failed', { reason: 'HTTP 503', code: 'ServiceUnavailable' }),
    );
    const text = renderClosing(result(failed));
    expect(text).toContain(
      [
        'Failed (25)',
        '  25 × HTTP 503 (ServiceUnavailable)',
        '      https://www.example.com/0',
        '      https://www.example.com/1',
        '      https://www.example.com/2',
        '      …and 22 more',
      ].join('\n'),
    );
    expect(text.match(/HTTP 503/g)).toHaveLength(1);
  });

  it('lists about 20 URLs per status and counts the rest', () => {
    const failed = Array.from({ length: 25 }, (_, i) =>
      outcome(`https://www.example.com/${i}`, 'failed', { reason: `reason ${i}` }),
    );
    const text = renderClosing(result(failed));
    expect(text).toContain('Failed (25)');
    expect(text).toContain('  1 × reason 19\n      https://www.example.com/19');
    expect(text).not.toContain('https://www.example.com/20');
    expect(text).toContain('…and 5 more URLs with other reasons: every URL is in --json and --report FILE.');
  });

  it('with a sitemap, says what the diff saw, not comparable URLs apart', () => {
    const text = renderClosing(
      result([outcome('https://www.example.com/a', 'submitted', { taskId: '1', change: 'added' })], {
        sitemap: {
          counts: {
            deployed: 24,
            baseline: 24,
            added: 1,
            modified: 2,
            unchanged: 6,
            notComparable: 14,
            unknown: 0,
            excluded: 1,
            invalid: 0,
            images: 0,
            imagesExcluded: 0,
          },
          baseline: 'baseline.xml',
          notes: [],
        },
      }),
    );
    expect(
      text.startsWith(
        'Sitemap (compared with baseline.xml)\n  24 deployed · 1 added · 2 modified · 6 unchanged · 14 not comparable · 1 excluded\n\n',
      ),
    ).toBe(true);
  });

  it('after save-sitemap, says what was saved and nothing else', () => {
    const text = renderClosing(
      result([], {
        calls: 0,
        savedSitemap: { file: 'baseline.xml', sitemap: 'public/sitemap.xml', urls: 24 },
      }),
    );
    expect(text).toBe('Saved 24 URLs of public/sitemap.xml to baseline.xml; nothing was sent.\n');
  });
});
