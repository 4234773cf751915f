/** Whether the step fails, per `fail-on`. Configuration and credential errors fail it regardless. */
import { count, noun } from '../base/text.js';
import type { RunResult } from './result.js';
import { verifyFailure } from './edge.js';

/** `fail-on`: which URL outcomes fail the step. */
export type FailOn = 'error' | 'skipped' | 'never';

/** Why the step fails: data, so that each adapter words where to look in its own way. */
export interface Verdict {
  /** The reason, one sentence without its closing full stop when `listed`. */
  reason: string;
  /** Whether the URLs behind it are listed in the job summary and the report (the action points there). */
  listed: boolean;
}

/** The failure, or undefined when the step succeeds. */
export function verdict(result: RunResult, failOn: FailOn): Verdict | undefined {
  if (result.fatal) return { reason: result.fatal, listed: false };
  if (result.stopped === 'cancelled') {
    const reason = `The run was cancelled: ${count(result.counts.submitted, 'URL was', 'URLs were')} submitted before it stopped`;
    return { reason, listed: true };
  }
  if (failOn === 'never') return undefined;
  if (result.sitemap?.notRead) {
    return { reason: `The sitemap was not read: ${result.sitemap.notRead}`, listed: true };
  }
  if (result.site?.notRead) {
    return { reason: `site-dir was not read: ${result.site.notRead}`, listed: true };
  }
  const { failed } = result.counts;
  const quotaSkipped = result.outcomes.filter((o) => o.status === 'skipped' && o.skip === 'quota').length;
  const heldBack = result.outcomes.filter((o) => o.status === 'skipped' && o.skip === 'refresh').length;
  if (failed > 0) return { reason: `${failed} of ${count(result.counts.total, 'URL')} failed`, listed: true };
  const cdnFailure = followFailure(result);
  if (cdnFailure) return { reason: cdnFailure, listed: true };
  const notLive = verifyFailure(result);
  if (notLive) return { reason: notLive, listed: true };
  if (failOn === 'skipped' && quotaSkipped + heldBack > 0) {
    const why = [
      quotaSkipped ? `${count(quotaSkipped, 'URL was', 'URLs were')} skipped for lack of quota` : '',
      heldBack
        ? `${count(heldBack, 'URL was held back because its', 'URLs were held back because their')} refresh did not complete`
        : '',
    ].filter(Boolean);
    return { reason: `${why.join('; ')} (fail-on: skipped).`, listed: false };
  }
  return undefined;
}

/** The action's failure message, or undefined when the step succeeds. */
export function failureMessage(result: RunResult, failOn: FailOn): string | undefined {
  const failure = verdict(result, failOn);
  if (failure === undefined) return undefined;
  return failure.listed ? `${failure.reason}; see the job summary and the report.` : failure.reason;
}

/** With `wait`, a prefetch task that ended Failed fails the step under `fail-on: error` (pending ones never do). */
function followFailure(result: RunResult): string | undefined {
  const failed = result.follow?.wait?.failed ?? 0;
  if (failed === 0) return undefined;
  return `${failed} of ${result.counts.submitted} submitted ${noun(result.counts.submitted, 'URL')} failed at the CDN (prefetch task Failed)`;
}
