/** Whether the step fails, per `fail-on`. Configuration and credential errors fail it regardless. */
import type { FailOn } from '../config/config.js';
import { followFailure } from '../follow/result.js';
import type { RunResult } from '../run.js';

/** The failure message, or undefined when the step succeeds. */
export function verdict(result: RunResult, failOn: FailOn): string | undefined {
  if (result.fatal) return result.fatal;
  if (result.stopped === 'cancelled') {
    return `The run was cancelled: ${result.counts.submitted} URLs were submitted before it stopped; see the report.`;
  }
  if (failOn === 'never') return undefined;
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
