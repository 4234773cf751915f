/**
 * What keeps the job summary under GitHub's limit whatever the run: URLs grouped by reason (an
 * outage gives thousands of URLs one reason), cells cut to a readable length, and tables that stop
 * at a byte budget with "… and N more" pointing at the report.
 */
import type { UrlOutcome } from '../base/outcome.js';

/** The artifact name every example uploads the report under (actions/upload-artifact). */
export const REPORT_ARTIFACT = 'cdn-prefetch-report';

/** GitHub drops a step summary over 1 MiB whole; this is the most a summary may ever be. */
export const SUMMARY_MAX_BYTES = 1_000_000;

/** Reasons listed per status; the rest are counted. */
export const LISTED_REASONS = 50;
/** URLs shown per reason. */
export const URLS_PER_REASON = 3;

/** URLs that share one reason (and code), in order of first appearance within the group. */
export interface ReasonGroup {
  reason: string;
  code: string | undefined;
  count: number;
  /** The first URLS_PER_REASON URLs. */
  urls: string[];
}

/** Groups outcomes by identical reason and code, the largest group first (ties: first seen first). */
export function groupByReason(outcomes: readonly UrlOutcome[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const outcome of outcomes) {
    const reason = outcome.reason ?? '';
    const key = `${outcome.code ?? ''}\u0000${reason}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { reason, code: outcome.code, count: 0, urls: [] };
      groups.set(key, group);
    }
    group.count++;
    if (group.urls.length < URLS_PER_REASON) group.urls.push(outcome.url);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** Bytes left for a part of the summary; a line is taken only if it fits whole. */
export class ByteBudget {
  constructor(private left: number) {}

  take(line: string): boolean {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (bytes > this.left) return false;
    this.left -= bytes;
    return true;
  }
}

/** Text on one line, cut after `max` characters. */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/\r?\n/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Text for a Markdown table cell: one line, `|` escaped, cut after `max` characters. */
export function cell(text: string, max: number): string {
  return oneLine(text, max).replace(/\|/g, '\\|');
}

/**
 * The summary as GitHub will show it: cut at a line boundary below SUMMARY_MAX_BYTES, with a last
 * line that says so, should the parts' own budgets ever not suffice.
 */
export function fitSummary(text: string, reportPath: string): string {
  if (Buffer.byteLength(text, 'utf8') <= SUMMARY_MAX_BYTES) return text;
  const tail = `\n\n… the summary stops here to stay under GitHub's 1 MiB limit; every URL is in the report (the artifact \`${REPORT_ARTIFACT}\`; on the runner \`${oneLine(reportPath, 500)}\`)\n`;
  const room = SUMMARY_MAX_BYTES - Buffer.byteLength(tail, 'utf8');
  // Cut by bytes, then back to the last whole line (never inside a UTF-8 sequence).
  const head = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8');
  const lastLine = head.lastIndexOf('\n');
  return (lastLine > 0 ? head.slice(0, lastLine) : '') + tail;
}
