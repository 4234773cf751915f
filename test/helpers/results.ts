/** Builds a RunResult around a list of outcomes, for tests of what is rendered from one. */
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
