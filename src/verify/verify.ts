/**
 * `verify`: asks the site itself for each URL, as a visitor would, and says whether what it serves is
 * this deploy. Bounded and polite: at most VERIFY_CONCURRENCY requests at once, each within
 * `request-timeout`, at most `verify-limit` URLs, nothing new once the run is stopping; every URL not
 * asked for is counted with the reason. A stale answer is asked again once after a short pause (an
 * edge may answer from a copy that is being replaced) before it is called stale.
 */
import type { Logger } from '../base/logger.js';
import { sleep } from '../runtime/retry.js';
import type { RunStop } from '../runtime/stop.js';
import type { ContentIgnore } from '../site/ignore.js';
import { askSite } from './ask.js';
import { classify, type EdgeAnswer } from './classify.js';
import { MAX_CHECKED_BYTES } from './expected.js';
import { SECOND_ASK_AFTER_MS, VERIFY_CONCURRENCY, type VerifyOptions } from './options.js';
import type { VerifyTarget } from './select.js';
import { countChecks, headerText, type EdgeCheck, type VerifyResult } from './types.js';
import { count } from '../base/text.js';

export interface VerifyContext {
  options: VerifyOptions;
  /** `request-timeout`, per request. */
  requestTimeoutMs: number;
  stop: RunStop;
  logger: Logger;
  /** `content-ignore`: removed from a body before it is hashed, as from the built file. */
  ignore?: ContentIgnore | undefined;
  /** Whether the targets carry what was built (site-dir); without it, no answer is fresh or stale. */
  compared: boolean;
  /** The pause before a stale answer is asked again; SECOND_ASK_AFTER_MS unless a test says otherwise. */
  secondAskAfterMs?: number;
}

/** How many stale or missing URLs are named one by one in the log; all are in the summary and report. */
const LOGGED_PROBLEMS = 10;

/** Checks `targets` in order; the result lists every one of them. */
export async function verifyEdge(
  targets: readonly VerifyTarget[],
  ctx: VerifyContext,
): Promise<VerifyResult> {
  const started = Date.now();
  const checks: EdgeCheck[] = new Array<EdgeCheck>(targets.length);
  const toAsk: number[] = [];
  targets.forEach((target, index) => {
    if (target.unchecked !== undefined) {
      checks[index] = unchecked(target.url, target.unchecked, target.note);
    } else if (toAsk.length < ctx.options.limit) {
      toAsk.push(index);
    } else {
      checks[index] = unchecked(target.url, 'limit', `beyond verify-limit (${ctx.options.limit})`);
    }
  });
  let requests = 0;
  const check = async (index: number): Promise<void> => {
    const target = targets[index]!;
    const reason = ctx.stop.reason;
    if (reason !== undefined) {
      checks[index] = unchecked(target.url, reason, `not asked for: the run ${stoppedText(reason)}`);
      return;
    }
    const ask = (): Promise<EdgeAnswer> => {
      requests++;
      return askSite(target.url, {
        timeoutMs: ctx.requestTimeoutMs,
        signal: ctx.stop.requestSignal,
        maxBytes: MAX_CHECKED_BYTES,
        readBody: target.expected !== undefined,
      });
    };
    const result = await checkUrl(target, ask, ctx);
    checks[index] = result;
    ctx.logger.info(`  ${line(result)}`);
  };
  if (toAsk.length > 0) {
    await ctx.logger.group(
      `Verifying ${count(toAsk.length, 'URL')} at the edge, ${VERIFY_CONCURRENCY} at a time`,
      () => inPool(toAsk, VERIFY_CONCURRENCY, check),
    );
  }
  const result: VerifyResult = {
    compared: ctx.compared,
    limit: ctx.options.limit,
    counts: countChecks(checks),
    checks,
    requests,
    elapsedMs: Date.now() - started,
  };
  logResult(result, ctx.logger);
  return result;
}

/** Asks once; a stale answer once more after a pause, and the second answer stands if it is fresh or stale. */
async function checkUrl(
  target: VerifyTarget,
  ask: () => Promise<EdgeAnswer>,
  ctx: VerifyContext,
): Promise<EdgeCheck> {
  const ignore = ctx.ignore;
  const first = classify(target.url, await ask(), target.expected, ignore);
  if (first.edge !== 'stale') return first;
  const stale = (check: EdgeCheck): EdgeCheck =>
    check.note === undefined && target.staleHint !== undefined ? { ...check, note: target.staleHint } : check;
  await sleep(ctx.secondAskAfterMs ?? SECOND_ASK_AFTER_MS, ctx.stop.sendSignal);
  if (ctx.stop.stopped) return { ...first, note: 'stale at the first ask; the run stopped before a second' };
  const second = classify(target.url, await ask(), target.expected, ignore);
  if (second.edge === 'fresh') {
    return { ...second, askedTwice: true, note: 'stale at the first ask, fresh at the second' };
  }
  if (second.edge === 'stale') return stale({ ...second, askedTwice: true });
  return { ...first, askedTwice: true, note: `stale at the first ask; the second: ${describe(second)}` };
}

function unchecked(url: string, why: NonNullable<EdgeCheck['unchecked']>, note?: string): EdgeCheck {
  return { url, edge: 'unchecked', unchecked: why, ...(note ? { note } : {}) };
}

/** Runs `work` on every item, at most `concurrency` at once. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** One check as a log line: the result, the status and X-Cache, the URL, and what else is known. */
function line(check: EdgeCheck): string {
  const cache = check.headers?.['X-Cache']?.split(' ')[0] ?? '-';
  const status = check.status === undefined ? '-' : String(check.status);
  const extra = [
    check.location ? `-> ${check.location}` : '',
    check.note ?? '',
    check.askedTwice ? 'asked twice' : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `${check.edge.padEnd(8)} ${status.padStart(3)} ${cache.padEnd(4)} ${check.url}${extra ? ` (${extra})` : ''}`;
}

function describe(check: EdgeCheck): string {
  if (check.edge === 'error') return `error, ${check.note ?? 'no answer'}`;
  return `${check.edge}${check.status !== undefined ? ` (HTTP ${check.status})` : ''}`;
}

function logResult(result: VerifyResult, logger: Logger): void {
  const { counts } = result;
  const parts = [
    result.compared ? `${counts.fresh} fresh` : '',
    result.compared ? `${counts.stale} stale` : '',
    `${counts.missing} missing`,
    counts.redirect ? `${counts.redirect} redirected` : '',
    counts.error ? `${counts.error} errors` : '',
    counts.served ? `${counts.served} served (not compared: no built file)` : '',
    `${counts.unchecked} unchecked`,
  ].filter(Boolean);
  logger.info(
    `Edge: ${parts.join(', ')} of ${count(counts.total, 'URL')}; ${count(result.requests, 'request')} in ${Math.round(result.elapsedMs / 100) / 10} s.`,
  );
  const problems = result.checks.filter((check) => check.edge === 'stale' || check.edge === 'missing');
  for (const check of problems.slice(0, LOGGED_PROBLEMS)) {
    const what = check.edge === 'stale' ? 'Stale at the edge' : 'Missing at the edge';
    logger.warning(`${what}: ${check.url} (${[headerText(check), check.note].filter(Boolean).join('; ')})`);
  }
  if (problems.length > LOGGED_PROBLEMS) {
    logger.warning(
      `…and ${problems.length - LOGGED_PROBLEMS} more stale or missing URLs; see the job summary.`,
    );
  }
  const errors = counts.error + counts.redirect;
  if (errors > 0) {
    logger.warning(
      `verify: ${count(errors, 'URL')} could not be compared (${counts.redirect} redirected, ${counts.error} errors); ` +
        'the report says why for each.',
    );
  }
}

function stoppedText(reason: 'deadline' | 'cancelled'): string {
  return reason === 'deadline' ? 'reached its timeout first' : 'was cancelled first';
}
