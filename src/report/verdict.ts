/** Whether the step fails, per `fail-on`. Configuration and credential errors fail it regardless. */
import type { RunResult } from '../base/result.js';

/** `fail-on`: which URL outcomes fail the step. */
export type FailOn = 'error' | 'skipped' | 'never';

/** The failure message, or undefined when the step succeeds. */
export function verdict(result: RunResult, failOn: FailOn): string | undefined {
  if (result.fatal) return result.fatal;
  if (result.stopped === 'cancelled') {
    return `The run was cancelled: ${result.counts.submitted} URLs were submitted before it stopped; see the report.`;
  }
  if (failOn === 'never') return undefined;
  if (result.sitemap?.notRead) {
    return `The sitemap was not read: ${result.sitemap.notRead}; see the job summary and the report.`;
  }
  const { failed } = result.counts;
  const quotaSkipped = result.outcomes.filter((o) => o.status === 'skipped' && o.skip === 'quota').length;
  if (failed > 0)
    return `${failed} of ${result.counts.total} URLs failed; see the job summary and the report.`;
  const cdnFailure = followFailure(result);
  if (cdnFailure) return cdnFailure;
  if (failOn === 'skipped' && quotaSkipped > 0) {
    return `${quotaSkipped} URLs were skipped for lack of quota (fail-on: skipped).`;
  }
  return undefined;
}

/** With `wait`, a prefetch task that ended Failed fails the step under `fail-on: error` (pending ones never do). */
export function followFailure(result: RunResult): string | undefined {
  const failed = result.follow?.wait?.failed ?? 0;
  if (failed === 0) return undefined;
  return (
    `${failed} of ${result.counts.submitted} submitted URLs failed at the CDN (prefetch task Failed); ` +
    'see the job summary and the report.'
  );
}
