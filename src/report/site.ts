/** How the summary and the CLI's closing table word what `site-dir` and `state` did. */
import type { SiteResult } from '../sources/site.js';

/** What the files were compared with, in a few words. */
export function comparedText(site: SiteResult): string {
  const state = site.state === undefined ? '' : `\`${site.state}\``;
  const alone = site.siteDir === undefined;
  const found = site.stateFound;
  if (found === undefined)
    return 'No state is kept (set state): every file counts as added, nothing is carried.';
  if (found === 'found') {
    return alone
      ? `State ${state} alone: no site-dir is read; its carried URLs are warmed.`
      : `Compared with the state ${state}.`;
  }
  if (found === 'missing') {
    return alone
      ? `No state ${state} yet: nothing carried to warm.`
      : `No state ${state} yet: every file counts as added, nothing is carried in.`;
  }
  const why = found === 'unusable' ? 'could not be used' : 'was written for another base-url';
  return alone
    ? `The state ${state} ${why}: nothing carried to warm.`
    : `The state ${state} ${why}: every file counts as added, and what the quota cuts is carried.`;
}

/** "4 carried in (1 dropped: older than carry-days), 3 carried to the next run", or what stands instead of the last. */
export function carriedText(site: SiteResult, dryRun: boolean): string {
  const { counts } = site;
  const dropped = [
    counts.carriedAged ? `${counts.carriedAged} older than carry-days` : '',
    counts.carriedGone ? `${counts.carriedGone} whose file is gone` : '',
    counts.carriedExcluded ? `${counts.carriedExcluded} excluded` : '',
    counts.carriedInvalid ? `${counts.carriedInvalid} not usable` : '',
  ].filter(Boolean);
  const superseded = counts.carriedSuperseded
    ? `, ${counts.carriedSuperseded} changed again (warmed as changes)`
    : '';
  const into =
    `${counts.carriedIn} carried in` +
    (dropped.length ? ` (dropped: ${dropped.join(', ')})` : '') +
    superseded;
  return `${into}, ${outText(site, dryRun)}`;
}

function outText(site: SiteResult, dryRun: boolean): string {
  if (site.carriedOut !== undefined) {
    const cold = site.leftCold ? ` (${site.leftCold} left cold: a first run carries nothing)` : '';
    return `${site.carriedOut} carried to the next run${cold}`;
  }
  if (site.state === undefined) return 'none carried to the next run (no state)';
  if (dryRun) return 'the state was not written (dry run)';
  return 'the state was not written, so nothing new is carried';
}
