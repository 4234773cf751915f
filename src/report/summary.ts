/**
 * The job summary: Markdown a person reads after the run. It stays under GitHub's 1 MiB limit for
 * any run: failed and skipped URLs are counted by reason, every URL is listed in a collapsed section
 * of its status within the bytes the rest leaves, every listing ends with "… and N more" pointing at
 * the report, which has every URL, and the last line says where the report is.
 */
import { renderFollowSummary } from './follow-summary.js';
import { verifySection } from './edge.js';
import type { LoggedNote } from '../base/logger.js';
import type { SitemapResult } from '../sitemap/changes.js';
import type { SiteResult } from '../sources/site.js';
import type { RunResult } from './result.js';
import { carriedText, comparedText } from './site.js';
import type { UrlOutcome } from '../base/outcome.js';
import { count } from '../base/text.js';
import {
  ByteBudget,
  LISTED_REASONS,
  SUMMARY_MAX_BYTES,
  cell,
  fitSummary,
  groupByReason,
  oneLine,
  type ReasonGroup,
} from './listing.js';
import { REPORT_ARTIFACT, reportPlace, type ReportPlace } from './place.js';
import { reasonText, urlSections } from './url-lists.js';

/** Bytes each listing may take; with the fixed parts they stay far below SUMMARY_MAX_BYTES. */
const BUDGET = { failed: 64 * 1024, skipped: 32 * 1024, notes: 32 * 1024 } as const;
/** Left unused by the lists of every URL: room for what GitHub or a later step adds. */
const SPARE_BYTES = 16 * 1024;
/** Task IDs named in the summary; all are in the outputs and the report. */
const LISTED_TASK_IDS = 100;
/** Characters of a reason shown in a cell. */
const REASON_CHARS = 400;

/**
 * `report`: where the report is (its path on the runner, the run's page); a path alone is accepted.
 * `logged`: every warning and notice the run logged (the action collects them), so that none is only
 * in the log; those the sitemap's and the site's sections show already are not shown twice.
 */
export function renderSummary(
  result: RunResult,
  report: ReportPlace | string,
  logged: readonly LoggedNote[] = [],
): string {
  const place = typeof report === 'string' ? { path: report } : report;
  const reportPath = place.path;
  const lines: string[] = [`## CDN prefetch${result.dryRun ? ' (dry run)' : ''}`, ''];
  if (result.fatal) lines.push(`> [!CAUTION]`, `> ${oneLine(result.fatal, 4000)}`, '');
  if (result.stopped) {
    const why = result.stopped === 'deadline' ? 'reached its timeout' : 'was cancelled';
    lines.push(`> [!WARNING]`, `> The run ${why}: URLs not sent by then are listed as failed.`, '');
  }
  const saved = result.savedSitemap;
  if (saved) {
    lines.push(
      `Saved ${count(saved.urls, 'URL')} of \`${oneLine(saved.sitemap, 500)}\` to \`${oneLine(saved.file, 500)}\`, ` +
        'a baseline for the next previous-sitemap; nothing was sent.',
      '',
    );
    return fitSummary(lines.join('\n'), reportPath);
  }
  if (result.sitemap) lines.push(...sitemapSection(result.sitemap));
  if (result.site) lines.push(...siteSection(result.site, result.dryRun));
  lines.push(...countsTable(result));
  const shown = new Set(
    [...(result.sitemap?.notes ?? []), ...(result.site?.notes ?? [])].map((n) => n.message),
  );
  lines.push(...notes(logged.filter((note) => !shown.has(note.message))));
  lines.push(...taskIdsLine(result.taskIds));
  lines.push(
    ...outcomeTable(
      'Failed',
      result.outcomes.filter((o) => o.status === 'failed'),
      BUDGET.failed,
    ),
  );
  lines.push(
    ...outcomeTable(
      'Skipped',
      result.outcomes.filter((o) => o.status === 'skipped'),
      BUDGET.skipped,
    ),
  );
  const tail = [...renderFollowSummary(result), ...verifySection(result), reportPlace(place), ''];
  // Every URL, in the bytes the rest leaves under GitHub's limit.
  const used = Buffer.byteLength([...lines, ...tail].join('\n'), 'utf8');
  const more = `the report has them all (the artifact \`${REPORT_ARTIFACT}\`, below)`;
  lines.push(...urlSections(result.outcomes, SUMMARY_MAX_BYTES - used - SPARE_BYTES, more));
  return fitSummary([...lines, ...tail].join('\n'), reportPath);
}

function countsTable(result: RunResult): string[] {
  const { counts } = result;
  const lines = ['| | URLs |', '|---|---:|'];
  if (result.dryRun) lines.push(`| planned | ${counts.planned} |`);
  lines.push(
    `| submitted | ${counts.submitted} |`,
    `| skipped | ${counts.skipped} |`,
    `| failed | ${counts.failed} |`,
    `| **distinct URLs** | **${counts.total}** |`,
    '',
  );
  const extras = [
    result.duplicates ? `${count(result.duplicates, 'duplicate entry', 'duplicate entries')} merged` : '',
    result.quotaRemain !== undefined ? `prefetch quota left at the start: ${result.quotaRemain}` : '',
    result.prefetchCap !== undefined ? `this run's part (prefetch-limit): ${result.prefetchCap}` : '',
    result.calls
      ? `${count(result.calls, 'PushObjectCache call')}, ${count(result.retries, 'retry', 'retries')}`
      : '',
    result.confirmedByLookup
      ? `${count(result.confirmedByLookup, 'URL')} confirmed by look-up after a lost answer`
      : '',
    unknownLine(result.outcomes),
  ].filter(Boolean);
  if (extras.length) lines.push(extras.join(' · '), '');
  return lines;
}

/** Failed URLs whose call may have been accepted: said apart from refusals, since they must not simply be sent again. */
function unknownLine(outcomes: readonly UrlOutcome[]): string {
  const unknown = outcomes.filter((o) => o.outcomeUnknown).length;
  return unknown
    ? `${unknown} of the failed URLs ${unknown === 1 ? 'has' : 'have'} an unknown outcome (their call may have been accepted; not sent again)`
    : '';
}

function taskIdsLine(taskIds: readonly string[]): string[] {
  if (taskIds.length === 0) return [];
  const listed = taskIds.slice(0, LISTED_TASK_IDS).map((id) => `\`${oneLine(id, 100)}\``);
  const more =
    taskIds.length > LISTED_TASK_IDS ? ` …and ${taskIds.length - LISTED_TASK_IDS} more in the report` : '';
  return [`**Task IDs:** ${listed.join(', ')}${more}`, ''];
}

/** One row per reason: how many URLs, and the reason (with its code); the URLs are in "Every URL". */
function outcomeTable(title: string, outcomes: readonly UrlOutcome[], bytes: number): string[] {
  if (outcomes.length === 0) return [];
  const groups = groupByReason(outcomes);
  const budget = new ByteBudget(bytes);
  const lines = [`### ${title} (${outcomes.length})`, '', '| URLs | reason |', '|---:|---|'];
  let listed = 0;
  let listedUrls = 0;
  for (const group of groups.slice(0, LISTED_REASONS)) {
    const row = reasonRow(group);
    if (!budget.take(row)) break;
    lines.push(row);
    listed++;
    listedUrls += group.count;
  }
  lines.push('');
  if (listed < groups.length) {
    const reasons = groups.length - listed;
    lines.push(
      `…and ${count(outcomes.length - listedUrls, 'more URL', 'more URLs')} with ${count(reasons, 'more reason')} in the report.`,
      '',
    );
  }
  return lines;
}

function reasonRow(group: ReasonGroup): string {
  return `| ${group.count} | ${cell(reasonText(group), REASON_CHARS)} |`;
}

/** What each side of the sitemap diff had, what changed, and what the diff warned about. */
function sitemapSection(sitemap: SitemapResult): string[] {
  if (sitemap.notRead) return ['### Sitemap diff', '', `**Not read:** ${sitemap.notRead}`, ''];
  const { counts, baseline, baselineProblem } = sitemap;
  const rows: [string, number | string][] = [
    ['deployed sitemap', counts.deployed],
    ['baseline', counts.baseline ?? 'none'],
    ['added', counts.added],
    ['modified', counts.modified],
    ['unchanged', counts.unchanged],
    ['not comparable (no `<lastmod>`)', counts.notComparable],
    ...(counts.unknown ? [['unknown (baseline unreadable)', counts.unknown] as [string, number]] : []),
    ['excluded', counts.excluded],
    ...(counts.invalid ? [['unusable `<loc>` (failed)', counts.invalid] as [string, number]] : []),
    ...(counts.images ? [['image URLs', counts.images] as [string, number]] : []),
  ];
  const compared = baseline
    ? `Compared with ${oneLine(baseline, 500)}.`
    : baselineProblem === 'unreadable'
      ? 'The baseline could not be read: nothing from the sitemap was selected.'
      : 'No baseline: every URL of the sitemap counts as added.';
  return [
    '### Sitemap diff',
    '',
    compared,
    '',
    ...notes(sitemap.notes),
    '| | URLs |',
    '|---|---:|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
  ];
}

/** What site-dir held compared with the state, and how many URLs were carried in and out. */
function siteSection(site: SiteResult, dryRun: boolean): string[] {
  const { counts } = site;
  const title =
    site.siteDir === undefined ? '### Carried URLs' : `### Site \`${oneLine(site.siteDir, 200)}\``;
  const rows: [string, number][] =
    site.siteDir === undefined
      ? []
      : [
          ['files', counts.files],
          ['added', counts.added],
          ['modified', counts.modified],
          ['of them navigation-only (only the navigation changed)', counts.chromeOnly],
          ['unchanged', counts.unchanged],
          ['excluded', counts.excluded],
        ];
  if (site.notRead) return [title, '', `**Not read:** ${site.notRead}; the state is left as it was.`, ''];
  // A first run's notice says there is no state yet, and what follows: not said twice.
  const firstRun = site.stateFound === 'missing' && site.notes.length > 0;
  return [
    title,
    '',
    ...(firstRun ? [] : [oneLine(comparedText(site), 600), '']),
    ...notes(site.notes),
    ...(rows.length
      ? ['| | files |', '|---|---:|', ...rows.map(([name, value]) => `| ${name} | ${value} |`), '']
      : []),
    `Carried URLs: ${carriedText(site, dryRun)}.`,
    '',
  ];
}

function notes(texts: readonly LoggedNote[]): string[] {
  const budget = new ByteBudget(BUDGET.notes);
  const lines: string[] = [];
  for (const { level, message } of texts) {
    const block = `> [!${level === 'warning' ? 'WARNING' : 'NOTE'}]\n> ${oneLine(message, 2000)}\n`;
    if (!budget.take(block)) break;
    lines.push(...block.split('\n'));
  }
  return lines;
}
