/**
 * The job summary stays under GitHub's 1 MiB limit (over it, GitHub drops the summary whole) for any
 * run: 5,000 URLs failed in an outage, 1,000 URLs of ~1,000 characters, and worse.
 */
import { runResult } from '../helpers/results.js';
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import type { TaskProgress, WaitSummary } from '../../src/follow/types.js';
import { fitSummary, SUMMARY_MAX_BYTES } from '../../src/report/listing.js';
import { renderSummary } from '../../src/report/summary.js';

const MiB = 1024 * 1024;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** A URL of about `length` characters. */
function longUrl(i: number, length: number): string {
  const head = `https://static.example.com/assets/${i}/`;
  return head + 'x'.repeat(Math.max(0, length - head.length - 4)) + '.png';
}

/**
 * What a failed call's reason looked like before reasons were kept short: the request URL with
 * every ObjectPath of its batch (the summary must hold even if a reason is that long).
 */
function batchReason(urls: readonly string[]): string {
  const query = urls.map((url) => encodeURIComponent(url)).join('%0A');
  return `PushObjectCache: https://cdn.aliyuncs.com/?Action=PushObjectCache&ObjectPath=${query}: HTTP 503 ServiceUnavailable`;
}

function failedBatches(urls: readonly string[], batch = 100): UrlOutcome[] {
  const outcomes: UrlOutcome[] = [];
  for (let start = 0; start < urls.length; start += batch) {
    const items = urls.slice(start, start + batch);
    const reason = batchReason(items);
    for (const url of items) {
      outcomes.push({
        url,
        status: 'failed',
        reason,
        code: 'ServiceUnavailable',
        order: outcomes.length + 1,
      });
    }
  }
  return outcomes;
}

function waitSummary(tasks: TaskProgress[], failed: number): WaitSummary {
  return { completed: 0, failed, pending: 0, ended: 'finished', polls: 1, calls: 1, elapsedMs: 1000, tasks };
}

describe('job summary size', () => {
  it('5,000 URLs failed in an outage: one row per reason, far under 1 MiB', () => {
    const urls = Array.from({ length: 5000 }, (_, i) => `https://www.example.com/page/${i}.html`);
    const outcomes = failedBatches(urls);
    // The reasons alone are megabytes; the summary once listed them row after row.
    expect(outcomes.reduce((sum, o) => sum + (o.reason?.length ?? 0), 0)).toBeGreaterThan(10 * MiB);
    const summary = renderSummary(runResult(outcomes, { calls: 400, retries: 350 }), '/tmp/report.json');
    expect(bytes(summary)).toBeLessThan(64 * 1024);
    expect(summary).toContain('### Failed (5000)');
    // 50 batches, 50 reasons: each a row with its count, its reason cut short, and its first URLs.
    const rows = summary.split('\n').filter((line) => /^\| 100 \| PushObjectCache/.test(line));
    expect(rows).toHaveLength(50);
    for (const row of rows) expect(bytes(row)).toBeLessThan(1000);
    expect(summary).toContain('<br>…and 97 more |');
    expect(summary).toContain('Full report: `/tmp/report.json`');
  });

  it('1,000 URLs of ~1,000 characters, failed, skipped, refused a refresh and failed at the CDN: under 1 MiB', () => {
    const urls = Array.from({ length: 1000 }, (_, i) => longUrl(i, 1000));
    const failed = failedBatches(urls.slice(0, 500));
    const skipped: UrlOutcome[] = urls.slice(500).map((url, i) => ({
      url,
      status: 'skipped',
      skip: 'quota',
      reason: `quota: the daily prefetch quota had 500 URLs left (${url})`,
      order: 501 + i,
    }));
    const followed: UrlOutcome[] = [...failed, ...skipped].map((o) => ({
      ...o,
      taskStatus: 'Failed',
      description: `Origin Return StatusCode 5XX for ${o.url}`,
      refreshStatus: 'NotRefreshed',
      refreshDescription: `refused: ${o.url}`,
    }));
    const tasks = Array.from({ length: 1000 }, (_, i) => ({
      taskId: String(1_000_000 + i),
      urls: 1,
      complete: 0,
      failed: 1,
      pending: 0,
      process: 100,
      status: 'Failed' as const,
    }));
    const summary = renderSummary(
      runResult(followed, {
        taskIds: tasks.map((t) => t.taskId),
        follow: {
          refresh: {
            taskIds: tasks.map((t) => t.taskId),
            requested: 1000,
            refreshed: 0,
            notRefreshed: 1000,
            calls: 10,
            wait: waitSummary(tasks, 1000),
          },
          wait: waitSummary(tasks, 1000),
        },
      }),
      '/tmp/report.json',
    );
    expect(bytes(summary)).toBeLessThan(MiB);
    expect(bytes(summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(summary).toContain('### Skipped (500)');
    expect(summary).toMatch(/…and \d+ more URLs with \d+ more reasons in the report\./);
    expect(summary).toContain('…and 950 more tasks in the report.');
    expect(summary).toMatch(/#### Prefetch failed at the CDN \(1000\)[\s\S]*…and \d+ more in the report\./);
    expect(summary).toContain('…and 900 more in the report');
    expect(summary).toContain('Full report: `/tmp/report.json`');
  });

  it('whatever the run: a 5 MB error, 200,000 task IDs, 100,000 distinct reasons', () => {
    const outcomes: UrlOutcome[] = Array.from({ length: 100_000 }, (_, i) => ({
      url: longUrl(i, 1024),
      status: i % 2 === 0 ? 'failed' : 'skipped',
      reason: `reason ${i} ${'é'.repeat(2000)}`,
      order: i + 1,
    }));
    const summary = renderSummary(
      runResult(outcomes, {
        fatal: 'Forbidden.RAM '.repeat(400_000),
        taskIds: Array.from({ length: 200_000 }, (_, i) => String(i)),
        sitemap: {
          counts: {
            deployed: 1,
            baseline: 1,
            added: 0,
            modified: 0,
            unchanged: 0,
            notComparable: 1,
            unknown: 0,
            excluded: 0,
            invalid: 0,
            images: 0,
            imagesExcluded: 0,
          },
          baseline: 'b.xml',
          notes: Array.from({ length: 10_000 }, () => ({
            level: 'warning' as const,
            message: 'w'.repeat(5000),
          })),
        },
      }),
      '/tmp/report.json',
    );
    expect(bytes(summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(summary).toContain('…and 199900 more in the report');
    expect(summary).toContain('Full report: `/tmp/report.json`');
  });

  it('fitSummary cuts at a whole line, never inside a character, and says where the rest is', () => {
    const line = `| ${'日本語'.repeat(100)} |\n`;
    const text = line.repeat(Math.ceil((2 * SUMMARY_MAX_BYTES) / bytes(line)));
    const fitted = fitSummary(text, '/tmp/r.json');
    expect(bytes(fitted)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(fitted).not.toContain('\uFFFD');
    expect(
      fitted.endsWith(
        "… the summary stops here to stay under GitHub's 1 MiB limit; every URL is in the report: `/tmp/r.json`\n",
      ),
    ).toBe(true);
    const body = fitted.slice(0, fitted.indexOf('\n\n…'));
    for (const kept of body.split('\n')) expect(`${kept}\n`).toBe(line);
    expect(fitSummary('short\n', '/r')).toBe('short\n');
  });
});
