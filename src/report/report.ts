/** The JSON report file: every URL and its fate, for later steps and for people. */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from './result.js';
import type { VerifyResult } from '../verify/types.js';
import type { Redactor } from '../base/redact.js';
import { checksByUrl, edgeFields } from './edge.js';

export async function writeReport(result: RunResult, dir: string, redact: Redactor): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `cdn-prefetch-report-${Date.now()}-${randomBytes(3).toString('hex')}.json`);
  await writeFile(file, reportJson(result, redact), 'utf8');
  return file;
}

/** The report as JSON text: the action's report file, and what the CLI prints with --json. */
export function reportJson(result: RunResult, redact: Redactor): string {
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
    urls: result.outcomes.map(({ order: _order, ...outcome }) => ({
      ...outcome,
      ...edgeFields(checks.get(outcome.url)),
    })),
  };
  return redact(JSON.stringify(report, null, 2)) + '\n';
}

/** The verification's totals; each URL's check is on its row (`edge` and the fields after it). */
function verifyTotals(verify: VerifyResult): Omit<VerifyResult, 'checks'> {
  const { checks: _checks, ...totals } = verify;
  return totals;
}
