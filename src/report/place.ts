/**
 * Where a person finds the report after the job: the file on the runner is gone with the runner, so
 * the examples upload it as an artifact (actions/upload-artifact, `path:` the `report` output) under
 * one name, and the summary's last line names that artifact and the run's page where it is listed.
 */
import { REPORT_ARTIFACT, oneLine } from './listing.js';

export { REPORT_ARTIFACT } from './listing.js';

export interface ReportPlace {
  /** The report file on the runner (the `report` output). */
  path: string;
  /** The workflow run's page (`…/actions/runs/<id>`), which lists its artifacts; unknown outside GitHub. */
  runUrl?: string | undefined;
}

/** The run's page from GitHub's variables, when they are all there. */
export function runPageUrl(env: Record<string, string | undefined>): string | undefined {
  const server = env['GITHUB_SERVER_URL'];
  const repository = env['GITHUB_REPOSITORY'];
  const runId = env['GITHUB_RUN_ID'];
  if (!server || !repository || !runId) return undefined;
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`;
}

/** The summary's last line. */
export function reportPlace(place: ReportPlace): string {
  const artifacts = place.runUrl ? `[this run's artifacts](${place.runUrl})` : "this run's artifacts";
  return (
    `**Every URL** with its change, task ID or reason is in the report: the artifact \`${REPORT_ARTIFACT}\` ` +
    `among ${artifacts}, when the workflow uploads it as the examples do (\`actions/upload-artifact\` with ` +
    `\`path: \${{ steps.<id>.outputs.report }}\`). On the runner, until the job ends: \`${oneLine(place.path, 500)}\`.`
  );
}
