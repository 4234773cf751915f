/**
 * The JSON report file: every URL and its fate, for later steps and for people.
 *
 * Written in pieces: a run of a million URLs has a report of a few hundred MB, which as one string
 * (and again as the bytes written) would double the run's memory at its very end. The pieces join to
 * exactly `JSON.stringify(report, null, 2)`; each is redacted on its own (a piece ends between URLs,
 * and no secret spans two report rows).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from './result.js';
import type { VerifyResult } from '../verify/types.js';
import type { Redactor } from '../base/redact.js';
import { checksByUrl, edgeFields } from './edge.js';

/** About this many characters a piece. */
const PIECE = 1024 * 1024;

export async function writeReport(result: RunResult, dir: string, redact: Redactor): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `cdn-prefetch-report-${Date.now()}-${randomBytes(3).toString('hex')}.json`);
  const handle = await open(file, 'w');
  try {
    for (const piece of reportPieces(result, redact)) await handle.write(piece, null, 'utf8');
  } finally {
    await handle.close();
  }
  return file;
}

/** The report as JSON text: the action's report file, and what the CLI prints with --json. */
export function reportJson(result: RunResult, redact: Redactor): string {
  return [...reportPieces(result, redact)].join('');
}

/** The report's text, in redacted pieces of about PIECE characters. */
export function* reportPieces(result: RunResult, redact: Redactor): Generator<string> {
  const checks = checksByUrl(result.verify);
  const report = {
    dryRun: result.dryRun,
    counts: result.counts,
    taskIds: result.taskIds,
    requestIds: result.requestIds,
    ...(result.quotaRemain !== undefined ? { quotaRemain: result.quotaRemain } : {}),
    calls: result.calls,
    apiCalls: result.apiCalls,
    retries: result.retries,
    confirmedByLookup: result.confirmedByLookup,
    // Failed URLs whose call may have been accepted (each marked outcomeUnknown); counted in `failed`.
    outcomeUnknown: result.outcomes.filter((outcome) => outcome.outcomeUnknown).length,
    ...(result.stopped ? { stopped: result.stopped } : {}),
    ...(result.fatal ? { error: result.fatal } : {}),
    ...(result.follow ? { follow: result.follow } : {}),
    ...(result.sitemap ? { sitemap: result.sitemap } : {}),
    ...(result.site ? { site: result.site } : {}),
    ...(result.savedSitemap ? { savedSitemap: result.savedSitemap } : {}),
    ...(result.verify ? { verify: verifyTotals(result.verify) } : {}),
    urls: [] as unknown[],
  };
  if (result.outcomes.length === 0) {
    yield `${redact(JSON.stringify(report, null, 2))}\n`;
    return;
  }
  // Everything up to the list, then the rows, ROWS at a time, as JSON.stringify indents them there:
  // inside `{"urls": [...]}` a row has the indent it has in the report.
  const head = JSON.stringify(report, null, 2);
  let piece = `${head.slice(0, head.lastIndexOf('[]'))}[\n`;
  for (let start = 0; start < result.outcomes.length; start += ROWS) {
    const slice = result.outcomes.slice(start, start + ROWS);
    // A row with a check at the edge carries it (`edge` and the fields after it).
    const withEdge =
      checks.size === 0 ? slice : slice.map((row) => ({ ...row, ...edgeFields(checks.get(row.url)) }));
    const rows = JSON.stringify({ urls: withEdge }, withoutOrder, 2);
    piece += `${start === 0 ? '' : ',\n'}${rows.slice(ROWS_BEFORE.length, -ROWS_AFTER.length)}`;
    if (piece.length >= PIECE) {
      yield redact(piece);
      piece = '';
    }
  }
  yield `${redact(piece)}\n  ]\n}\n`;
}

/** Rows a time; and what JSON.stringify writes around them inside `{"urls": [...]}`. */
const ROWS = 2_000;
const ROWS_BEFORE = '{\n  "urls": [\n';
const ROWS_AFTER = '\n  ]\n}';

/** A row's `order` is the run's own bookkeeping, not the report's. */
function withoutOrder(this: unknown, key: string, value: unknown): unknown {
  return key === 'order' && typeof this === 'object' && this !== null && 'url' in this ? undefined : value;
}

/** The verification's totals; each URL's check is on its row (`edge` and the fields after it). */
function verifyTotals(verify: VerifyResult): Omit<VerifyResult, 'checks'> {
  const { checks: _checks, ...totals } = verify;
  return totals;
}
