/**
 * `verify`'s part of everything built from a run's result: the report row's `edge` fields, the outputs,
 * the job summary's section, the CLI's lines, and the rule that fails the step.
 */
import { headerText, type EdgeCheck, type VerifyResult } from '../verify/types.js';
import { ByteBudget, cell, oneLine } from './listing.js';
import type { RunResult } from './result.js';
import { count } from '../base/text.js';

/** URLs named in the summary's table of stale and missing URLs (and in the CLI's list): the report has all. */
const LISTED = 50;
const CLI_LISTED = 20;
const TABLE_BYTES = 128 * 1024;

/** A report row's `edge` fields; none for a URL that was not verified. */
export function edgeFields(check: EdgeCheck | undefined): Record<string, unknown> {
  if (check === undefined) return {};
  return {
    edge: check.edge,
    ...(check.status !== undefined ? { edgeStatus: check.status } : {}),
    ...(check.headers ? { edgeHeaders: check.headers } : {}),
    ...(check.location !== undefined ? { edgeLocation: check.location } : {}),
    ...(check.unchecked !== undefined ? { edgeUnchecked: check.unchecked } : {}),
    ...(check.note !== undefined ? { edgeNote: check.note } : {}),
    ...(check.askedTwice ? { edgeAskedTwice: true } : {}),
  };
}

/** Each URL's check, by URL. */
export function checksByUrl(verify: VerifyResult | undefined): Map<string, EdgeCheck> {
  return new Map((verify?.checks ?? []).map((check) => [check.url, check]));
}

/** The outputs `verify` adds; empty strings without it, and in a dry run. */
export function verifyOutputs(result: RunResult): Record<string, string> {
  const counts = result.verify?.counts;
  return {
    'fresh-count': counts ? String(counts.fresh) : '',
    'stale-count': counts ? String(counts.stale) : '',
    'missing-count': counts ? String(counts.missing) : '',
    'unchecked-count': counts ? String(counts.unchecked) : '',
  };
}

/**
 * Under `fail-on: error`: a stale URL (visitors get another build) or a missing one (they get an
 * error) fails the step. A redirect or an error of the check itself does not: the check could not
 * tell, and says so.
 */
export function verifyFailure(result: RunResult): string | undefined {
  const counts = result.verify?.counts;
  if (!counts || counts.stale + counts.missing === 0) return undefined;
  const parts = [
    counts.stale ? `${counts.stale} stale (the site serves other content than this build)` : '',
    counts.missing ? `${counts.missing} missing (the site answers 4xx or 5xx)` : '',
  ].filter(Boolean);
  return `The deploy is not live at the edge: of ${count(counts.total, 'URL')} verified, ${parts.join(' and ')}`;
}

/** The job summary's section: the counts, then the stale, missing, redirected and failed checks. */
export function verifySection(result: RunResult): string[] {
  const verify = result.verify;
  if (!verify) return [];
  const { counts } = verify;
  const rows: [string, number][] = [
    ...(verify.compared
      ? ([
          ['fresh: this deploy', counts.fresh],
          ['stale: other content', counts.stale],
        ] as [string, number][])
      : []),
    ['missing: 4xx or 5xx', counts.missing],
    ['redirect (not followed)', counts.redirect],
    ['error: no usable answer', counts.error],
    ...(counts.served ? [['answered, not compared (no built file)', counts.served] as [string, number]] : []),
    ['unchecked', counts.unchecked],
  ];
  const lines = [
    '### Verification at the edge',
    '',
    verify.compared
      ? 'Each URL was asked for as a visitor asks, and the body compared with the file built for this deploy (after `content-ignore`).'
      : 'Each URL was asked for as a visitor asks. There is no built site (`site-dir`) to compare with: status and cache headers only.',
    '',
    '| | URLs |',
    '|---|---:|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    `| **verified URLs** | **${counts.total}** |`,
    '',
  ];
  const why = uncheckedText(verify.checks);
  if (why) lines.push(`Unchecked: ${why}.`, '');
  const troubled = verify.checks.filter(
    (c) => c.edge !== 'fresh' && c.edge !== 'served' && c.edge !== 'unchecked',
  );
  lines.push(...checkTable(troubled));
  return lines;
}

/** The CLI's lines: the counts, then the first stale and missing URLs. */
export function verifyLines(result: RunResult): string[] {
  const verify = result.verify;
  if (!verify) return [];
  const { counts } = verify;
  const parts = [
    ...(verify.compared ? [`${counts.fresh} fresh`, `${counts.stale} stale`] : []),
    `${counts.missing} missing`,
    `${counts.redirect} redirect`,
    `${counts.error} error`,
    ...(counts.served ? [`${counts.served} served (not compared)`] : []),
    `${counts.unchecked} unchecked`,
  ];
  const lines = [`Edge (verify, ${count(counts.total, 'URL')})`, `  ${parts.join(' · ')}`];
  const problems = verify.checks.filter((c) => c.edge === 'stale' || c.edge === 'missing');
  for (const check of problems.slice(0, CLI_LISTED)) {
    lines.push(`  ${check.edge.padEnd(7)} ${oneLine(check.url, 1100)}  ${oneLine(headerText(check), 400)}`);
  }
  if (problems.length > CLI_LISTED) lines.push(`  …and ${problems.length - CLI_LISTED} more: see --json.`);
  return lines;
}

/** Why URLs were unchecked, counted by reason. */
function uncheckedText(checks: readonly EdgeCheck[]): string {
  const byReason = new Map<string, number>();
  for (const check of checks) {
    if (check.unchecked !== undefined)
      byReason.set(check.unchecked, (byReason.get(check.unchecked) ?? 0) + 1);
  }
  const words: Record<string, string> = {
    limit: 'beyond verify-limit',
    'prefetch-pending': 'prefetch still running (a check would fill the cache before it)',
    deadline: 'the run reached its timeout',
    cancelled: 'the run was cancelled',
    'too-large': 'over 16 MiB',
  };
  return [...byReason].map(([reason, count]) => `${count} ${words[reason] ?? reason}`).join(', ');
}

function checkTable(checks: readonly EdgeCheck[]): string[] {
  if (checks.length === 0) return [];
  const budget = new ByteBudget(TABLE_BYTES);
  const rows: string[] = [];
  for (const check of checks.slice(0, LISTED)) {
    const h = check.headers ?? {};
    const row =
      `| ${cell(check.url, 1100)} | ${check.edge} | ${check.status ?? ''} | ${cell(h['X-Cache'] ?? '', 100)} | ` +
      `${cell(h.Age ?? '', 20)} | ${cell(h.Via ?? '', 300)} | ${cell(detail(check), 400)} |`;
    if (!budget.take(row)) break;
    rows.push(row);
  }
  const unlisted = checks.length - rows.length;
  return [
    `#### Not live, or not known to be (${checks.length})`,
    '',
    '| URL | edge | status | X-Cache | Age | Via | note |',
    '|---|---|---:|---|---:|---|---|',
    ...rows,
    '',
    ...(unlisted > 0 ? [`…and ${unlisted} more in the report.`, ''] : []),
  ];
}

function detail(check: EdgeCheck): string {
  return [
    check.location ? `Location: ${check.location}` : '',
    check.note ?? '',
    check.askedTwice ? 'asked twice' : '',
  ]
    .filter(Boolean)
    .join('; ');
}
