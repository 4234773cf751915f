/**
 * When a sitemap diff's answer cannot be trusted, say so: most URLs without a `<lastmod>` (edits
 * are invisible), or lastmods that look like build stamps (every URL counts as modified). Both
 * point at comparing the built files (`site-dir` + `state`) instead.
 */
import type { DiffCounts, LastmodStats } from './diff.js';
import { formatLastmod } from './lastmod.js';
import { count } from '../base/text.js';

/** Below this many modified URLs sharing one instant, "most of them" is not yet a pattern. */
const STAMP_MIN_SHARED = 10;

const SEE_BUILT_FILES = 'set site-dir and state to compare the built files instead of lastmods';

/** More than half of the deployed URLs are not comparable: edits to them cannot be seen. */
export function notComparableWarning(counts: DiffCounts): string | undefined {
  if (counts.notComparable === 0 || counts.notComparable * 2 <= counts.deployed) return undefined;
  return (
    `${counts.notComparable} of the ${counts.deployed} deployed URLs are not comparable: they are in the ` +
    'baseline but the deployed sitemap gives them no <lastmod>, so an edit to them cannot be seen ' +
    `from this sitemap (only added URLs can). To prefetch what a deploy changed, ${SEE_BUILT_FILES}.`
  );
}

/**
 * The generator appears to write the build time into `<lastmod>`: most modified URLs share one
 * instant (more than half and at least 10, or all of them when there are several), every new
 * lastmod falls on one day with none left as it was, or nothing but lastmods differ between the
 * two sitemaps while more than half of the URLs they share moved.
 */
export function buildStampWarning(counts: DiffCounts, stats: LastmodStats): string | undefined {
  const evidence = stampEvidence(counts, stats);
  if (evidence === undefined) return undefined;
  return (
    `The sitemap's <lastmod> values look like build stamps: ${evidence}. The generator appears to ` +
    'write the build time, so every URL counts as modified and the quota is spent on pages that did ' +
    `not change. To prefetch only what changed, ${SEE_BUILT_FILES}, or set changes: added to take ` +
    'only new URLs.'
  );
}

function stampEvidence(counts: DiffCounts, stats: LastmodStats): string | undefined {
  const { modified } = counts;
  if (modified < 2) return undefined;
  const { topCount, topInstant } = stats;
  if (topCount === modified || (topCount * 2 > modified && topCount >= STAMP_MIN_SHARED)) {
    return `${topCount} of the ${modified} modified URLs share the lastmod ${formatLastmod(topInstant)}`;
  }
  if (stats.sameDay && counts.unchanged === 0) {
    const day = formatLastmod(topInstant).slice(0, 10);
    return `every <lastmod> of the ${modified} modified URLs moved to the same day, ${day}, and none stayed as it was`;
  }
  const shared = modified + counts.unchanged + counts.notComparable;
  if (counts.added === 0 && stats.removed === 0 && modified * 2 > shared) {
    return (
      `the baseline and the deployed sitemap differ only in lastmods (no URL added or removed), ` +
      `and ${modified} of their ${count(shared, 'URL')} moved`
    );
  }
  return undefined;
}
