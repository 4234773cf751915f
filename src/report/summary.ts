/** The job summary: Markdown a person reads after the run. */
import { renderFollowSummary } from './follow-summary.js';
import type { RunResult } from '../base/result.js';
import type { UrlOutcome } from '../base/outcome.js';

const LISTED = 50;

export function renderSummary(result: RunResult, reportPath: string): string {
  const { counts } = result;
  const lines: string[] = [`## CDN prefetch${result.dryRun ? ' (dry run)' : ''}`, ''];
  if (result.fatal) lines.push(`> [!CAUTION]`, `> ${result.fatal}`, '');
  if (result.stopped) {
    const why = result.stopped === 'deadline' ? 'reached its timeout' : 'was cancelled';
    lines.push(`> [!WARNING]`, `> The run ${why}: URLs not sent by then are listed as failed.`, '');
  }
  if (result.savedSitemap) {
    lines.push(`The sitemap was saved to \`${result.savedSitemap}\` as a baseline; nothing was sent.`, '');
    return lines.join('\n');
  }
  lines.push(...sitemapTable(result));
  lines.push('| | URLs |', '|---|---:|');
  if (result.dryRun) lines.push(`| planned | ${counts.planned} |`);
  lines.push(
    `| submitted | ${counts.submitted} |`,
    `| skipped | ${counts.skipped} |`,
    `| failed | ${counts.failed} |`,
  );
  lines.push(`| **distinct URLs** | **${counts.total}** |`, '');
  const extras = [
    result.duplicates ? `${result.duplicates} duplicate entries merged` : '',
    result.quotaRemain !== undefined ? `prefetch quota left at the start: ${result.quotaRemain}` : '',
    result.calls ? `${result.calls} PushObjectCache calls, ${result.retries} retries` : '',
    result.confirmedByLookup
      ? `${result.confirmedByLookup} URLs confirmed by look-up after a lost answer`
      : '',
  ].filter(Boolean);
  if (extras.length) lines.push(extras.join(' · '), '');
  if (result.taskIds.length)
    lines.push(`**Task IDs:** ${result.taskIds.map((id) => `\`${id}\``).join(', ')}`, '');
  lines.push(
    ...outcomeTable(
      'Failed',
      result.outcomes.filter((o) => o.status === 'failed'),
    ),
  );
  lines.push(
    ...outcomeTable(
      'Skipped',
      result.outcomes.filter((o) => o.status === 'skipped'),
    ),
  );
  lines.push(...renderFollowSummary(result));
  lines.push(`Full report: \`${reportPath}\``, '');
  return lines.join('\n');
}

function outcomeTable(title: string, outcomes: UrlOutcome[]): string[] {
  if (outcomes.length === 0) return [];
  const rows = outcomes
    .slice(0, LISTED)
    .map((o) => `| ${cell(o.url)} | ${cell(o.reason ?? '')} | ${cell(o.code ?? '')} |`);
  const more = outcomes.length > LISTED ? [`…and ${outcomes.length - LISTED} more in the report.`, ''] : [];
  return [
    `### ${title} (${outcomes.length})`,
    '',
    '| URL | reason | code |',
    '|---|---|---|',
    ...rows,
    '',
    ...more,
  ];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** What each side of the sitemap diff had, and what changed (deployed = the four rows below it). */
function sitemapTable(result: RunResult): string[] {
  if (!result.sitemap) return [];
  if (result.sitemap.notRead) {
    return ['### Sitemap diff', '', `**Not read:** ${result.sitemap.notRead}`, ''];
  }
  const { counts, baseline } = result.sitemap;
  const rows = [
    ['deployed sitemap', counts.deployed],
    ['baseline', counts.baseline ?? 'none'],
    ['added', counts.added],
    ['modified', counts.modified],
    ['unchanged', counts.unchanged],
    ['excluded', counts.excluded],
    ...(counts.images ? [['image URLs', counts.images]] : []),
  ];
  return [
    '### Sitemap diff',
    '',
    baseline ? `Compared with ${baseline}.` : 'No baseline: every URL of the sitemap counts as added.',
    '',
    '| | URLs |',
    '|---|---:|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
  ];
}
