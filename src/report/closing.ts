/**
 * What the CLI prints on standard output when the run is over, for a person: the tasks (or, in a dry
 * run, the plan per host), the counts, and the URLs that failed or were skipped, with their reasons.
 */
import type { UrlOutcome } from '../base/outcome.js';
import type { RunResult } from './result.js';
import { groupByReason, oneLine } from './listing.js';
import { carriedText, comparedText } from './site.js';
import { refreshText } from './follow-summary.js';
import { verifyLines } from './edge.js';

/** URLs listed per status, a few per reason; the rest are counted (and all are in --json). */
const LISTED = 20;

export function renderClosing(result: RunResult): string {
  // save-sitemap sends nothing: what was saved is all there is to say.
  if (result.savedSitemap) return `${savedLine(result)}\n`;
  const sections = [
    sitemapLines(result),
    siteLines(result),
    result.dryRun ? planTable(result.outcomes) : taskTable(result.outcomes),
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
  const rows = [...tasks.values()].map((row) => [row.task, row.host, String(row.urls)]);
  return [`Tasks (${tasks.size})`, ...table(['task ID', 'host', 'URLs'], rows, [2])];
}

function planTable(outcomes: readonly UrlOutcome[]): string[] {
  const hosts = new Map<string, number>();
  for (const outcome of outcomes) {
    if (outcome.status === 'planned')
      hosts.set(hostOf(outcome.url), (hosts.get(hostOf(outcome.url)) ?? 0) + 1);
  }
  if (hosts.size === 0) return [];
  const rows = [...hosts].map(([host, urls]) => [host, String(urls)]);
  return ['Plan (dry run: nothing was sent)', ...table(['host', 'URLs'], rows, [1])];
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
          `  ${counts.files} files · ${counts.added} added · ${counts.modified} modified ` +
            `(${counts.chromeOnly} chrome-only) · ${counts.unchanged} unchanged · ${counts.excluded} excluded`,
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
    result.duplicates ? `${result.duplicates} duplicate entries merged` : '',
    result.quotaRemain !== undefined ? `prefetch quota left at the start: ${result.quotaRemain}` : '',
    result.calls ? `${result.calls} PushObjectCache calls, ${result.retries} retries` : '',
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
    const code = group.code && !group.reason.includes(group.code) ? ` (${group.code})` : '';
    const reason = `${group.reason}${code}`.trim() || '(no reason given)';
    lines.push(`  ${group.count} × ${oneLine(reason, 400)}`);
    for (const url of group.urls) lines.push(`      ${oneLine(url, 1100)}`);
    if (group.count > group.urls.length) lines.push(`      …and ${group.count - group.urls.length} more`);
    listed += group.urls.length;
    shown += group.count;
  }
  if (shown < outcomes.length) {
    lines.push(`…and ${outcomes.length - shown} more URLs with other reasons: see --json.`);
  }
  return lines;
}

/** What `save-sitemap` did, in one line: the CLI's whole output for it, and the action's last log line. */
export function savedLine(result: RunResult): string {
  const saved = result.savedSitemap;
  if (!saved) return '';
  return `Saved ${saved.urls} URLs of ${saved.sitemap} to ${saved.file}; nothing was sent.`;
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
