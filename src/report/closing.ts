/**
 * What the CLI prints on standard output when the run is over, for a person: the tasks (or, in a dry
 * run, the planned URLs in the order they would be sent, each with why), the counts, and the URLs that
 * failed or were skipped, with their reasons. Every list is bounded, as the job summary's are: the rest
 * is counted, and --json or --report has every URL.
 */
import type { UrlOutcome } from '../base/outcome.js';
import { count } from '../base/text.js';
import type { RunResult } from './result.js';
import { groupByReason, oneLine } from './listing.js';
import { carriedText, comparedText } from './site.js';
import { refreshText } from './follow-summary.js';
import { verifyLines } from './edge.js';
import { reasonText, whyText } from './url-lists.js';

/** URLs listed per status, a few per reason; the rest are counted (and all are in --json). */
const LISTED = 20;
/** Task rows listed; the rest are counted. */
const LISTED_TASKS = 20;
/** Planned URLs listed one a line in a dry run; the rest are counted. */
const LISTED_PLANNED = 1000;
/** Where every URL is, for "…and N more". */
const EVERY_URL = 'every URL is in --json and --report FILE';

export function renderClosing(result: RunResult): string {
  // save-sitemap sends nothing: what was saved is all there is to say.
  if (result.savedSitemap) return `${savedLine(result)}\n`;
  const sections = [
    sitemapLines(result),
    siteLines(result),
    result.dryRun ? planList(result.outcomes) : taskTable(result.outcomes),
    countsTable(result),
    refreshLines(result),
    outcomeList(
      'Failed',
      result.outcomes.filter((o) => o.status === 'failed'),
    ),
    outcomeList(
      'Skipped',
      result.outcomes.filter((o) => o.status === 'skipped'),
    ),
    verifyLines(result),
  ];
  return (
    sections
      .filter((lines) => lines.length > 0)
      .map((lines) => lines.join('\n'))
      .join('\n\n') + '\n'
  );
}

function taskTable(outcomes: readonly UrlOutcome[]): string[] {
  const tasks = new Map<string, { task: string; host: string; urls: number }>();
  for (const outcome of outcomes) {
    if (outcome.status !== 'submitted') continue;
    const task = outcome.taskId || '(no task ID)';
    const host = hostOf(outcome.url);
    const key = `${task} ${host}`;
    const row = tasks.get(key) ?? { task, host, urls: 0 };
    row.urls++;
    tasks.set(key, row);
  }
  if (tasks.size === 0) return [];
  const rows = [...tasks.values()]
    .slice(0, LISTED_TASKS)
    .map((row) => [row.task, row.host, String(row.urls)]);
  const more = tasks.size - rows.length;
  return [
    `Tasks (${tasks.size})`,
    ...table(['task ID', 'host', 'URLs'], rows, [2]),
    ...(more > 0 ? [`  …and ${count(more, 'more task', 'more tasks')} (${EVERY_URL})`] : []),
  ];
}

/**
 * A dry run's plan: the URLs it would send, one a line, in the order they would go (the quota's order,
 * so the first lines are what a small quota takes), each with why it is there.
 */
function planList(outcomes: readonly UrlOutcome[]): string[] {
  const planned = outcomes.filter((outcome) => outcome.status === 'planned');
  if (planned.length === 0) return [];
  const width = String(Math.min(planned.length, LISTED_PLANNED)).length;
  const lines = planned
    .slice(0, LISTED_PLANNED)
    .map(
      (outcome, index) =>
        `  ${String(index + 1).padStart(width)}  ${oneLine(outcome.url, 1100)}  ${whyText(outcome)}`,
    );
  const more = planned.length - lines.length;
  return [
    `Plan (dry run: nothing was sent): ${count(planned.length, 'URL')}, in the order they would be sent`,
    ...lines,
    ...(more > 0 ? [`  …and ${count(more, 'more URL', 'more URLs')} (${EVERY_URL})`] : []),
  ];
}

/** What the sitemap diff saw, in two lines. */
function sitemapLines(result: RunResult): string[] {
  if (!result.sitemap) return [];
  const { counts, baseline, baselineProblem } = result.sitemap;
  const against = baseline
    ? `compared with ${baseline}`
    : baselineProblem === 'unreadable'
      ? 'the baseline could not be read: nothing selected'
      : 'no baseline: every URL counts as added';
  const parts = [
    `${counts.deployed} deployed`,
    `${counts.added} added`,
    `${counts.modified} modified`,
    `${counts.unchanged} unchanged`,
    `${counts.notComparable} not comparable`,
    ...(counts.unknown ? [`${counts.unknown} unknown`] : []),
    `${counts.excluded} excluded`,
    ...(counts.invalid ? [`${counts.invalid} unusable <loc>`] : []),
  ];
  return [`Sitemap (${against})`, `  ${parts.join(' · ')}`];
}

/** What site-dir held and what was carried, in three lines. */
function siteLines(result: RunResult): string[] {
  const site = result.site;
  if (!site) return [];
  const { counts } = site;
  const head = site.siteDir === undefined ? 'Carried URLs' : `Site ${site.siteDir}`;
  if (site.notRead) return [`${head}: not read: ${site.notRead}; the state is left as it was`];
  const files =
    site.siteDir === undefined
      ? []
      : [
          `  ${count(counts.files, 'file')} · ${counts.added} added · ${counts.modified} modified ` +
            `(${counts.chromeOnly} navigation-only) · ${counts.unchanged} unchanged · ${counts.excluded} excluded`,
        ];
  const compared = comparedText(site).replace(/`/g, '').replace(/\.$/, '');
  return [
    `${head}: ${compared.charAt(0).toLowerCase()}${compared.slice(1)}`,
    ...files,
    `  carried: ${carriedText(site, result.dryRun)}`,
  ];
}

function countsTable(result: RunResult): string[] {
  const { counts } = result;
  const rows = [
    ...(result.dryRun ? [['planned', counts.planned]] : []),
    ['submitted', counts.submitted],
    ['skipped', counts.skipped],
    ['failed', counts.failed],
    ['distinct URLs', counts.total],
  ].map(([name, count]) => [String(name), String(count)]);
  const extras = [
    result.duplicates ? `${count(result.duplicates, 'duplicate entry', 'duplicate entries')} merged` : '',
    result.quotaRemain !== undefined ? `prefetch quota left at the start: ${result.quotaRemain}` : '',
    result.prefetchCap !== undefined ? `this run's part (prefetch-limit): ${result.prefetchCap}` : '',
    result.calls
      ? `${count(result.calls, 'PushObjectCache call')}, ${count(result.retries, 'retry', 'retries')}`
      : '',
    result.stopped ? `stopped early: ${result.stopped}` : '',
    result.sitemap?.notRead ? `sitemap not read: ${result.sitemap.notRead}` : '',
    result.site?.notRead ? `site-dir not read: ${result.site.notRead}` : '',
  ].filter(Boolean);
  return ['URLs', ...table(undefined, rows, [1]), ...(extras.length ? [extras.join(' · ')] : [])];
}

/** What the refresh did, in a line. */
function refreshLines(result: RunResult): string[] {
  const refresh = result.follow?.refresh;
  return refresh ? [`Refresh: ${refreshText(refresh)}`] : [];
}

/** URLs grouped by reason: the reason once, with its count, then its first URLs. */
function outcomeList(title: string, outcomes: readonly UrlOutcome[]): string[] {
  if (outcomes.length === 0) return [];
  const lines = [`${title} (${outcomes.length})`];
  let listed = 0;
  let shown = 0;
  const groups = groupByReason(outcomes);
  for (const group of groups) {
    if (listed >= LISTED) break;
    lines.push(`  ${group.count} × ${oneLine(reasonText(group), 400)}`);
    for (const url of group.urls) lines.push(`      ${oneLine(url, 1100)}`);
    if (group.count > group.urls.length) lines.push(`      …and ${group.count - group.urls.length} more`);
    listed += group.urls.length;
    shown += group.count;
  }
  if (shown < outcomes.length) {
    lines.push(
      `…and ${count(outcomes.length - shown, 'more URL', 'more URLs')} with other reasons: ${EVERY_URL}.`,
    );
  }
  return lines;
}

/** What `save-sitemap` did, in one line: the CLI's whole output for it, and the action's last log line. */
export function savedLine(result: RunResult): string {
  const saved = result.savedSitemap;
  if (!saved) return '';
  return `Saved ${count(saved.urls, 'URL')} of ${saved.sitemap} to ${saved.file}; nothing was sent.`;
}

/** Columns padded to their widest cell; `right` lists the right-aligned columns. */
function table(header: string[] | undefined, rows: string[][], right: number[]): string[] {
  const all = header ? [header, ...rows] : rows;
  const columns = Math.max(...all.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  return all.map(
    (row) =>
      '  ' +
      row
        .map((cell, column) => {
          const width = widths[column] ?? 0;
          if (column === row.length - 1 && !right.includes(column)) return cell;
          return right.includes(column) ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
