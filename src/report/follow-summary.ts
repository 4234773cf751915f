/** The follow-through's part of the job summary: a table of tasks per wait, and the URLs that failed. */
import type { UrlOutcome } from '../base/outcome.js';
import type { RunResult } from './result.js';
import type { RefreshSummary, TaskProgress, WaitSummary } from '../follow/types.js';
import { ByteBudget, cell, oneLine } from './listing.js';
import { count } from '../base/text.js';

const LISTED = 50;
/** Bytes each table of URLs may take: the summary as a whole must stay under GitHub's limit. */
const TABLE_BYTES = 128 * 1024;

export function renderFollowSummary(result: RunResult): string[] {
  const { refresh, wait } = result.follow ?? {};
  const lines: string[] = [];
  if (refresh) {
    lines.push('### Refresh before the prefetch', '');
    lines.push(
      [
        refreshText(refresh),
        count(refresh.calls, 'RefreshObjectCaches call'),
        refresh.urlRemain !== undefined ? `refresh quota left at the start: ${refresh.urlRemain}` : '',
        refresh.wait ? waitLine(refresh.wait) : '',
      ]
        .filter(Boolean)
        .join(' · '),
      '',
    );
    if (refresh.wait) lines.push(...taskTable(refresh.wait.tasks));
    const troubled = result.outcomes.filter(
      (o) =>
        o.refreshStatus !== undefined && o.refreshStatus !== 'Complete' && o.refreshStatus !== 'NotNeeded',
    );
    lines.push(
      ...urlTable(
        `Not refreshed, refresh failed or not finished (${troubled.length})`,
        troubled,
        (o) => [
          o.refreshStatus ?? '',
          o.refreshDescription ?? (o.status === 'skipped' ? (o.reason ?? '') : ''),
        ],
        ['refresh', 'reason'],
      ),
    );
  }
  if (wait) {
    lines.push('### Waiting for the prefetch', '');
    lines.push(
      '| | URLs |',
      '|---|---:|',
      `| completed | ${wait.completed} |`,
      `| failed at the CDN | ${wait.failed} |`,
      `| pending | ${wait.pending} |`,
      '',
      waitLine(wait),
      '',
    );
    lines.push(...taskTable(wait.tasks));
    const failed = result.outcomes.filter((o) => o.taskStatus === 'Failed');
    lines.push(
      ...urlTable(`Prefetch failed at the CDN (${failed.length})`, failed, (o) => [o.description ?? ''], [
        'reason',
      ]),
    );
  }
  return lines;
}

/**
 * The refresh in a sentence: how many URLs needed one, what became of them, and how many were held
 * back from the prefetch for it. The summary and the CLI's closing table both say it so.
 */
export function refreshText(refresh: RefreshSummary): string {
  const none = noneNeeded(refresh.notNeeded ?? {});
  if (refresh.requested === 0) return `no URL needed a refresh${none ? ` (${none})` : ''}`;
  const wait = refresh.wait;
  const states = wait
    ? ` (${[
        `${wait.completed} Complete`,
        wait.failed ? `${wait.failed} failed at the CDN` : '',
        wait.pending ? `${wait.pending} not finished` : '',
      ]
        .filter(Boolean)
        .join(', ')})`
    : '';
  return [
    `${count(refresh.requested, 'URL')} needed a refresh: ${refresh.refreshed} refreshed${states}` +
      (refresh.notRefreshed ? `, ${refresh.notRefreshed} not refreshed` : ''),
    refresh.heldBack ? `${refresh.heldBack} held back from the prefetch until their refresh completes` : '',
    none ? `none needed for ${none}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

const NONE_NEEDED: Record<keyof NonNullable<RefreshSummary['notNeeded']>, string> = {
  added: 'added',
  refreshed: 'refreshed by an earlier run',
  unchanged: 'unchanged',
  list: 'urls / urls-file entries',
};

/** "3 added, 2 refreshed by an earlier run". */
function noneNeeded(counts: NonNullable<RefreshSummary['notNeeded']>): string {
  return Object.entries(NONE_NEEDED)
    .filter(([kind]) => (counts[kind as keyof typeof counts] ?? 0) > 0)
    .map(([kind, label]) => `${counts[kind as keyof typeof counts]} ${label}`)
    .join(', ');
}

function waitLine(wait: WaitSummary): string {
  const seconds = Math.round(wait.elapsedMs / 1000);
  const how = {
    finished: `every task finished after ${seconds} s`,
    timeout: `wait-timeout passed after ${seconds} s with ${count(wait.pending, 'URL')} pending`,
    stopped: `stopped after ${seconds} s: the run was stopping`,
    'poll-failed': `stopped after ${seconds} s: the polls kept failing (${oneLine(wait.error ?? 'unknown error', 400)})`,
  }[wait.ended];
  return `${how} · ${count(wait.polls, 'poll')}, ${count(wait.calls, 'DescribeRefreshTaskById call')}`;
}

function taskTable(tasks: readonly TaskProgress[]): string[] {
  if (tasks.length === 0) return [];
  const rows = tasks
    .slice(0, LISTED)
    .map(
      (t) =>
        `| \`${t.taskId}\` | ${t.urls} | ${t.status} | ${t.process}% (${t.complete} done, ${t.failed} failed, ${t.pending} pending) |`,
    );
  const more = tasks.length > LISTED ? [`…and ${tasks.length - LISTED} more tasks in the report.`, ''] : [];
  return ['| task | URLs | status | progress |', '|---|---:|---|---|', ...rows, '', ...more];
}

function urlTable(
  title: string,
  outcomes: readonly UrlOutcome[],
  columns: (o: UrlOutcome) => string[],
  headers: string[],
): string[] {
  if (outcomes.length === 0) return [];
  const budget = new ByteBudget(TABLE_BYTES);
  const rows: string[] = [];
  for (const o of outcomes.slice(0, LISTED)) {
    const row = `| ${[cell(o.url, 1100), ...columns(o).map((text) => cell(text, 400))].join(' | ')} |`;
    if (!budget.take(row)) break;
    rows.push(row);
  }
  const unlisted = outcomes.length - rows.length;
  const more = unlisted > 0 ? [`…and ${unlisted} more in the report.`, ''] : [];
  return [
    `#### ${title}`,
    '',
    `| URL | ${headers.join(' | ')} |`,
    `|${'---|'.repeat(headers.length + 1)}`,
    ...rows,
    '',
    ...more,
  ];
}
