/**
 * `site-dir` + `state`: warm exactly what the deploy changed, and carry what the quota cut over to
 * the next run. The run's phases call, in order:
 *
 *   const ignore = compileContentIgnore(inputs['content-ignore']);          // ConfigError on a bad line
 *   const read = await readState(statePath, inputs.state);                  // never throws
 *   const previous = read.kind === 'found' ? read.state.files : undefined;  // saves parsing pages
 *   const scan = await scanSite({ workspace, siteDir, baseUrl, contentIgnore: ignore, state, previous });
 *   const plan = planSiteChanges(scan, read, { changes, exclude, carryDays, now, sitemap });
 *   //   log plan.notices / plan.warnings; send plan.urls (after `urls` entries), in that order
 *   const next = nextState({ scan, plan, outcomes, stopped, now });        // also on failure paths
 *   await writeState(statePath, next.state);                                // never in a dry run
 *
 * Nothing here reads inputs or logs: every message is returned.
 */
export { compileContentIgnore, type ContentIgnore } from './ignore.js';
export { scanSite, type ScanOptions, type SiteFile, type SiteScan } from './scan.js';
export {
  planSiteChanges,
  emptySiteCounts,
  type PlanOptions,
  type PlannedUrl,
  type SiteCounts,
  type SitePlan,
} from './plan.js';
export { nextState, carryCause, type NextState, type NextStateInput } from './carry.js';
export { fileToUrl, urlToFile, siteBase } from './mapping.js';
export {
  foreignStateError,
  readState,
  setStateAside,
  writeState,
  type SiteState,
  type StateRead,
  type CarriedEntry,
  type CarryCause,
  type ChangeKind,
} from '../state/state.js';
