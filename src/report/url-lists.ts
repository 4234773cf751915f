/**
 * Every URL of a run, for a person: in the job summary, one collapsed section per status (failed,
 * skipped, submitted or planned), each URL with why it was there (its change) and what became of it
 * (its task ID or its reason). The summary's byte budget decides how many rows fit; the rest are
 * counted, and the report has them all.
 */
import type { UrlOutcome, UrlStatus } from '../base/outcome.js';
import { count } from '../base/text.js';
import { isFeedOrSitemap } from '../site/order.js';
import { ByteBudget, cell } from './listing.js';

/** Characters of a URL and of a reason in a row. */
const URL_CHARS = 1100;
const REASON_CHARS = 300;

/**
 * Why a URL was in the run, in a word: `added`, `modified`, `navigation-only` (a modified page whose own
 * content is unchanged), `unchanged` (`changes: all`), `carried` (from an earlier run), or `listed` (a
 * `urls` / `urls-file` entry).
 */
export function changeLabel(outcome: UrlOutcome): string {
  if (outcome.change === undefined) return 'listed';
  if (outcome.change === 'modified' && outcome.chromeOnly) return 'navigation-only';
  return outcome.change;
}

/**
 * Why a URL stands where it does in the plan (the quota's order, site/order.ts), after its change:
 * `added · linked from 38 pages · published 2026-01-12`, `carried · since 2026-03-01`, `feed or
 * sitemap (after the pages)`; for a `urls` entry, where it was listed.
 */
export function whyText(outcome: UrlOutcome): string {
  const parts = [changeLabel(outcome)];
  if (outcome.change === 'carried' && outcome.carriedSince) parts.push(`since ${outcome.carriedSince}`);
  const path = pathOf(outcome.url);
  // This deploy's changes from site-dir (not carried ones, not the sitemap diff's): where the order put them.
  if (
    outcome.change !== undefined &&
    outcome.change !== 'carried' &&
    outcome.source?.startsWith('site-dir:')
  ) {
    const pages = outcome.linkedBy ?? 0;
    const page = path.endsWith('/') || /\.html?$/i.test(path);
    if (isFeedOrSitemap(path)) parts.push('feed or sitemap (after the pages)');
    else if (pages > 0) parts.push(`${page ? 'linked from' : 'loaded by'} ${count(pages, 'page')}`);
    else parts.push('no page links to it');
  }
  if (outcome.published) parts.push(`published ${outcome.published}`);
  if (outcome.change === undefined && outcome.source) parts.push(outcome.source);
  return parts.join(' · ');
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start < 0 ? '/' : url.slice(start);
}

/** A reason with its API code, the code named once: "refused (InvalidObjectPath.Malformed)". */
export function reasonText(outcome: { reason?: string | undefined; code?: string | undefined }): string {
  const reason = outcome.reason ?? '';
  const code = outcome.code && !reason.includes(outcome.code) ? outcome.code : '';
  return [reason, code && (reason ? `(${code})` : code)].filter(Boolean).join(' ') || '(no reason given)';
}

interface Section {
  /** Which outcomes it lists. */
  holds: (outcome: UrlOutcome) => boolean;
  title: string;
  /** The last column's header and value. */
  what: string;
  value: (outcome: UrlOutcome) => string;
}

const status =
  (wanted: UrlStatus) =>
  (outcome: UrlOutcome): boolean =>
    outcome.status === wanted;

const SECTIONS: readonly Section[] = [
  {
    holds: status('failed'),
    title: 'Failed',
    what: 'reason',
    value: (o) => cell(reasonText(o), REASON_CHARS),
  },
  {
    holds: status('skipped'),
    title: 'Skipped',
    what: 'reason',
    value: (o) => cell(reasonText(o), REASON_CHARS),
  },
  {
    // Also listed above, as skipped or failed: here, the ones the next runs will warm.
    holds: (o) => o.carriedOn === true,
    title: 'Carried to the next run (in the state)',
    what: 'first planned',
    value: (o) => o.carriedSince ?? 'this run',
  },
  {
    holds: status('submitted'),
    title: 'Submitted',
    what: 'task ID',
    value: (o) => (o.taskId ? `\`${cell(o.taskId, 200)}\`` : cell(o.reason ?? '', REASON_CHARS)),
  },
  {
    holds: status('planned'),
    title: 'Planned (dry run: not sent), in the order they would be sent',
    what: 'why here',
    value: (o) => cell(whyText(o).split(' · ').slice(1).join(' · '), REASON_CHARS),
  },
];

/**
 * The collapsed sections, in the order a person looks for trouble: failed, skipped, carried to the next
 * run, then submitted (or planned). Each URL keeps the run's order (the quota's, for site-dir). `bytes`
 * is shared: each section may take an even share of what is left when it starts, so one long list
 * cannot crowd out the others; what a section leaves is the next one's.
 */
export function urlSections(outcomes: readonly UrlOutcome[], bytes: number, more: string): string[] {
  const present = SECTIONS.map((section) => ({ section, held: outcomes.filter(section.holds) })).filter(
    ({ held }) => held.length > 0,
  );
  if (present.length === 0) return [];
  const lines = ['### Every URL', ''];
  let left = bytes;
  present.forEach(({ section, held }, index) => {
    const share = Math.floor(left / (present.length - index));
    const rendered = renderSection(section, held, share, more);
    left -= rendered.bytes;
    lines.push(...rendered.lines);
  });
  return lines;
}

function renderSection(
  section: Section,
  outcomes: readonly UrlOutcome[],
  bytes: number,
  more: string,
): { lines: string[]; bytes: number } {
  const head = [
    `<details><summary>${section.title}: ${count(outcomes.length, 'URL')}</summary>`,
    '',
    `| URL | change | ${section.what} |`,
    '|---|---|---|',
  ];
  const tail = ['', '</details>', ''];
  // The frame and the "…and N more" line always fit; rows take what is left.
  const frame = Buffer.byteLength([...head, ...tail].join('\n'), 'utf8') + 200 + more.length;
  const budget = new ByteBudget(Math.max(0, bytes - frame));
  const rows: string[] = [];
  for (const outcome of outcomes) {
    const row = `| ${cell(outcome.url, URL_CHARS)} | ${changeLabel(outcome)} | ${section.value(outcome)} |`;
    if (!budget.take(row)) break;
    rows.push(row);
  }
  const unlisted = outcomes.length - rows.length;
  const lines =
    rows.length === 0
      ? [head[0]!, '', `No room left in the summary: ${more}.`, ...tail]
      : [
          ...head,
          ...rows,
          ...(unlisted > 0 ? ['', `…and ${count(unlisted, 'more URL', 'more URLs')}: ${more}.`] : []),
          ...tail,
        ];
  return { lines, bytes: Buffer.byteLength(lines.join('\n'), 'utf8') + 1 };
}
