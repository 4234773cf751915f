/** The step's outputs: one place that says what each output holds. */
import type { RunResult } from './result.js';
import { verifyOutputs } from './edge.js';

/** Every output of action.yml, by name, as the text the runner stores. */
export function actionOutputs(result: RunResult, reportPath: string): Record<string, string> {
  return {
    'task-ids': result.taskIds.join(','),
    'request-ids': result.requestIds.join(','),
    'submitted-count': String(result.counts.submitted),
    'skipped-count': String(result.counts.skipped),
    'failed-count': String(result.counts.failed),
    'planned-count': String(result.counts.planned),
    'confirmed-count': String(result.confirmedByLookup),
    report: reportPath,
    ...followOutputs(result),
    // Only what a written state holds: a dry run (or a failed write) carries nothing over.
    'carried-count': result.site?.carriedOut === undefined ? '' : String(result.site.carriedOut),
    ...verifyOutputs(result),
  };
}

/** The outputs the follow-through adds; empty strings when it was not asked for, and in a dry run. */
export function followOutputs(result: RunResult): Record<string, string> {
  const { refresh, wait } = result.follow ?? {};
  return {
    'refresh-task-ids': refresh ? refresh.taskIds.join(',') : '',
    'completed-count': wait ? String(wait.completed) : '',
    'prefetch-failed-count': wait ? String(wait.failed) : '',
    'pending-count': wait ? String(wait.pending) : '',
  };
}
