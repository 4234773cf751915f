/**
 * Outages through the bundled action: however many URLs fail, and however long they are, the job
 * summary stays under GitHub's 1 MiB limit (over it, GitHub drops the summary whole), reasons are
 * counted once each, every URL is listed or counted, and the log says each reason once per batch,
 * never once per URL.
 */
import { describe, expect } from 'vitest';
import { concurrentTest, type StartEmulator } from '../helpers/emulator.js';
import { runAction } from '../../emulator/harness.js';
import { SUMMARY_MAX_BYTES } from '../../src/report/listing.js';

const AK_ID = 'summary-ak-id';
const AK_SECRET = 'summary-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET }, preloadQuota: 100_000 });

async function outage(start: StartEmulator, urls: string[]) {
  const emulator = await start();
  emulator.injectFaults({ kind: 'service-unavailable', times: 1_000_000 });
  return runAction(
    { endpoint: emulator.url, 'urls-file': 'urls.txt', timeout: '4', 'request-timeout': '2' },
    { env, files: { 'urls.txt': urls.join('\n') }, timeoutMs: 60_000 },
  );
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
/** The URLs the summary's reason rows count together. */
const countedRows = (summary: string): number =>
  [...summary.matchAll(/^\| (\d+) \| /gm)].reduce((sum, m) => sum + Number(m[1]), 0);
/** Log lines that name any of the URLs: a batch's failure may, each URL's may not. */
const linesNaming = (log: string, part: string): number =>
  log.split('\n').filter((line) => line.includes(part)).length;
/** The failed URLs the summary lists one by one, and those it only counts ("…and N more URLs"). */
function listedAndCounted(summary: string, prefix: string): number {
  const listed = summary.split('\n').filter((line) => line.startsWith(`| ${prefix}`)).length;
  const more = Number(/…and (\d+) more URLs?: the report has them all/.exec(summary)?.[1] ?? 0);
  return listed + more;
}

describe('summaries of an outage', () => {
  it('5,000 URLs failed: the summary lists each reason once with its count', async ({ start }) => {
    const urls = Array.from({ length: 5000 }, (_, i) => `https://www.example.com/o/${i}.html`);
    const result = await outage(start, urls);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['failed-count']).toBe('5000');
    expect(result.report?.urls).toHaveLength(5000);
    expect(bytes(result.summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(result.summary).toContain('### Failed (5000)');
    expect(countedRows(result.summary)).toBe(5000);
    expect(listedAndCounted(result.summary, 'https://www.example.com/o/')).toBe(5000);
    // The log names a batch's failure (50 batches) once, not each of its URLs.
    expect(linesNaming(result.log, 'https://www.example.com/o/')).toBeLessThanOrEqual(3 * 50);
  });

  it('1,000 URLs of ~1,000 characters: the summary stays small', async ({ start }) => {
    const urls = Array.from({ length: 1000 }, (_, i) => `https://www.example.com/${i}/${'x'.repeat(980)}`);
    const result = await outage(start, urls);
    expect(result.outputs['failed-count']).toBe('1000');
    expect(countedRows(result.summary)).toBe(1000);
    // Each reason once in the table of reasons, then every URL listed or counted, under 1 MiB.
    const reasons = new Set(result.report?.urls.map((u) => `${u.code ?? ''} ${u.reason ?? ''}`)).size;
    expect([...result.summary.matchAll(/^\| \d+ \| /gm)]).toHaveLength(reasons);
    expect(listedAndCounted(result.summary, 'https://www.example.com/')).toBe(1000);
    expect(bytes(result.summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(result.summary).toContain('the artifact `cdn-prefetch-report`');
    // A batch's failure, its look-up and its retries are a few lines per batch (10 batches), never one per URL.
    expect(linesNaming(result.log, 'x'.repeat(980))).toBeLessThanOrEqual(3 * 10);
  });
});
