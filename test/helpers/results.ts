/** Builds a RunResult around a list of outcomes, and the outcomes, for tests of what is rendered from one. */
import { countOutcomes, type UrlOutcome } from '../../src/base/outcome.js';
import type { RunResult } from '../../src/report/result.js';

/** A plain run that sent nothing; `extra` overrides any field. Counts are computed from `outcomes`. */
export function runResult(outcomes: UrlOutcome[], extra: Partial<RunResult> = {}): RunResult {
  return {
    outcomes,
    counts: countOutcomes(outcomes),
    taskIds: [],
    requestIds: [],
    duplicates: 0,
    dryRun: false,
    calls: 0,
    retries: 0,
    confirmedByLookup: 0,
    apiCalls: {},
    ...extra,
  };
}

let order = 0;

/** A submitted URL, in input order after every outcome built before it. */
export function submittedOutcome(url = `https://a.com/${++order}`): UrlOutcome {
  return { url, status: 'submitted', taskId: '1', order: ++order };
}

/** A URL refused by the API. */
export function failedOutcome(
  url = `https://a.com/f${++order}`,
  reason = 'InvalidObjectPath.Malformed',
): UrlOutcome {
  return { url, status: 'failed', reason, order: ++order };
}

/** A URL skipped for `skip`. */
export function skippedOutcome(skip: 'quota' | 'domains' | 'excluded'): UrlOutcome {
  return {
    url: `https://a.com/s${++order}`,
    status: 'skipped',
    skip,
    reason: `skipped: ${skip}`,
    order: ++order,
  };
}
