/**
 * What the deploy added or changed, in the order a small quota should spend itself on.
 *
 * The deployed side is diffed while it streams by: each URL is looked up in the baseline and only
 * the selected ones are kept, so memory is the baseline set plus the changes, and a deployed URL
 * that the baseline has is never copied or stored.
 */
import type { SitemapEntryChange } from '../urls/prepare.js';
import type { ExcludeMatcher } from '../urls/exclude.js';
import type { UrlSink } from './load.js';
import { ownCopy, type SitemapSet } from './set.js';

/**
 * What the sitemap diff saw: the counts the report and summary show.
 * deployed = added + modified + unchanged + notComparable + unknown + excluded.
 */
export interface DiffCounts {
  /** Distinct usable URLs in the deployed sitemap. */
  deployed: number;
  /** Distinct URLs in the baseline; undefined when there was none (or `changes: all`). */
  baseline: number | undefined;
  /** Not in the baseline (every URL when there is no baseline). */
  added: number;
  /**
   * In both, with a `<lastmod>` on the deployed side that differs from the baseline's, or that the
   * baseline lacked (a lastmod that appears is the usual first edit).
   */
  modified: number;
  /** In both, with `<lastmod>` on both sides denoting the same instant. */
  unchanged: number;
  /** In both, without a `<lastmod>` on the deployed side: whether it changed cannot be told. */
  notComparable: number;
  /** The baseline could not be read: whether these changed is unknown, and none is selected. */
  unknown: number;
  /** Matched an `exclude` pattern; counted, never listed. */
  excluded: number;
  /** `<loc>` values that are not usable URLs; each is a failed row of the report. */
  invalid: number;
  /** `<image:loc>` URLs listed after their pages (include-images). */
  images: number;
  /** Image URLs left out by an `exclude` pattern. */
  imagesExcluded: number;
}

/** Counts of a sitemap diff that read nothing. */
export function emptyDiffCounts(): DiffCounts {
  return {
    deployed: 0,
    baseline: undefined,
    added: 0,
    modified: 0,
    unchanged: 0,
    notComparable: 0,
    unknown: 0,
    excluded: 0,
    invalid: 0,
    images: 0,
    imagesExcluded: 0,
  };
}

/** The `changes` input. `all` takes every URL of the sitemap and reads no baseline. */
export interface ChangeSelection {
  added: boolean;
  modified: boolean;
  all: boolean;
}

/** Parses `added,modified` (the default, also for an empty value), `added`, `modified` or `all`. */
export function parseChanges(input: string): ChangeSelection {
  const words = input
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter((word) => word !== '');
  if (words.length === 0) return { added: true, modified: true, all: false };
  if (words.length === 1 && words[0] === 'all') return { added: true, modified: true, all: true };
  const selection = { added: false, modified: false, all: false };
  for (const word of words) {
    if (word === 'added' || word === 'modified') selection[word] = true;
    else throw new Error(`changes: "${input}" is not one of added,modified | added | modified | all`);
  }
  return selection;
}

export interface DiffOptions {
  changes: ChangeSelection;
  exclude?: ExcludeMatcher | undefined;
  includeImages: boolean;
  /**
   * The baseline was asked for but could not be read: no URL can be classified, so every one counts
   * as `unknown` and none is selected (a guess would spend the day's quota on unchanged pages).
   */
  baselineUnreadable?: boolean;
}

/** Why a URL was selected, for its report row. Lastmods are ms since the epoch, NaN when absent. */
export type SelectedChange = SitemapEntryChange;

/** What the lastmods of the URLs on both sides looked like: the evidence for the build-stamp warning. */
export interface LastmodStats {
  /** The `<lastmod>` instant most modified URLs share, and how many share it. */
  topInstant: number;
  topCount: number;
  /** Every modified URL's new `<lastmod>` falls on the same UTC day (`topInstant`'s). */
  sameDay: boolean;
  /** Baseline URLs the deployed sitemap no longer lists; undefined without a baseline. */
  removed: number | undefined;
}

export interface DiffResult {
  /** Distinct URLs to prefetch, in quota order, each page's images right after it. */
  urls: string[];
  /** Why each of `urls` was selected, at the same index (an image: its page's). */
  changes: SelectedChange[];
  counts: DiffCounts;
  lastmods: LastmodStats;
}

type Classification = 'added' | 'modified' | 'unchanged' | 'notComparable' | 'unknown';

const DAY_MS = 86_400_000;

/**
 * Receives the deployed sitemap's URLs (a UrlSink) and classifies each against the baseline.
 * Exclusion comes after de-duplication and before the baseline, so that an excluded URL is counted
 * once, as excluded, whatever the baseline says. URLs only in the baseline are ignored.
 */
export class SitemapDiff implements UrlSink {
  private readonly counts: DiffCounts;
  /** Which baseline URLs the deployed side has shown already (de-duplication without a second set). */
  private readonly seenInBaseline: Uint8Array;
  /** Deployed URLs the baseline lacks, for de-duplication. */
  private readonly seenElsewhere = new Set<string>();
  /** Distinct deployed URLs the baseline has, excluded ones included. */
  private inBaseline = 0;
  // The selected pages, in document order.
  private readonly selectedUrls: string[] = [];
  private readonly selectedLastmods: number[] = [];
  private readonly selectedPrevious: number[] = [];
  private readonly selectedModified: boolean[] = [];
  private readonly selectedPriorities: number[] = [];
  private readonly selectedImages = new Map<number, string[]>();
  /** How many modified URLs have each new `<lastmod>` instant. */
  private readonly modifiedInstants = new Map<number, number>();

  constructor(
    private readonly baseline: SitemapSet | undefined,
    private readonly options: DiffOptions,
  ) {
    this.seenInBaseline = new Uint8Array(baseline?.slots ?? 0);
    this.counts = { ...emptyDiffCounts(), baseline: baseline?.size };
  }

  add(url: string, lastmod: number, priority: number, images: string[] | undefined): void {
    const previous = this.baseline?.orderOf(url);
    let key = url;
    if (previous !== undefined) {
      if (this.seenInBaseline[previous] === 1) return;
      this.seenInBaseline[previous] = 1;
      this.inBaseline++;
    } else {
      if (this.seenElsewhere.has(url)) return;
      key = ownCopy(url);
      this.seenElsewhere.add(key);
    }
    this.counts.deployed++;
    if (this.options.exclude !== undefined && this.options.exclude.match(key) !== undefined) {
      this.counts.excluded++;
      return;
    }
    const before = previous === undefined ? NaN : this.baseline!.lastmodAt(previous);
    const change = this.classify(previous !== undefined, lastmod, before);
    this.counts[change]++;
    if (change === 'modified')
      this.modifiedInstants.set(lastmod, (this.modifiedInstants.get(lastmod) ?? 0) + 1);
    if (change !== 'added' && change !== 'modified') return;
    const { changes } = this.options;
    if (!changes.all && !changes[change]) return;
    if (images !== undefined && images.length > 0)
      this.selectedImages.set(this.selectedUrls.length, images.map(ownCopy));
    this.selectedUrls.push(previous === undefined ? key : this.baseline!.urlAt(previous));
    this.selectedLastmods.push(lastmod);
    this.selectedPrevious.push(before);
    this.selectedModified.push(change === 'modified');
    this.selectedPriorities.push(priority);
  }

  /** The ordered URLs and the counts; call once the whole sitemap has been read. */
  result(): DiffResult {
    const n = this.selectedUrls.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => this.compareForQuota(a, b));
    const { urls, changes } = this.listUrls(order); // counts the images
    return { urls, changes, counts: { ...this.counts }, lastmods: this.lastmodStats() };
  }

  private classify(inBaseline: boolean, now: number, before: number): Classification {
    if (this.options.baselineUnreadable === true) return 'unknown';
    if (!inBaseline) return 'added';
    // No lastmod on the deployed side: nothing to compare, whatever the baseline had.
    if (Number.isNaN(now)) return 'notComparable';
    // A lastmod that appears is the usual first edit (Hugo `lastmod`, Jekyll `last_modified_at`).
    if (Number.isNaN(before)) return 'modified';
    return now !== before ? 'modified' : 'unchanged';
  }

  private lastmodStats(): LastmodStats {
    let topInstant = NaN;
    let topCount = 0;
    let firstDay: number | undefined;
    let sameDay = true;
    for (const [instant, count] of this.modifiedInstants) {
      if (count > topCount) {
        topInstant = instant;
        topCount = count;
      }
      const day = Math.floor(instant / DAY_MS);
      firstDay ??= day;
      if (day !== firstDay) sameDay = false;
    }
    const removed = this.baseline === undefined ? undefined : this.baseline.size - this.inBaseline;
    return { topInstant, topCount, sameDay: sameDay && topCount > 0, removed };
  }

  /** Higher `<priority>` first, then newest `<lastmod>` (none = last), then document order. */
  private compareForQuota(a: number, b: number): number {
    const byPriority = this.selectedPriorities[b]! - this.selectedPriorities[a]!;
    if (byPriority !== 0) return byPriority;
    const la = this.selectedLastmods[a]!;
    const lb = this.selectedLastmods[b]!;
    const aHas = !Number.isNaN(la);
    const bHas = !Number.isNaN(lb);
    if (aHas && bHas && la !== lb) return lb - la;
    if (aHas !== bHas) return aHas ? -1 : 1;
    return a - b;
  }

  private changeAt(i: number): SelectedChange {
    return {
      change: this.selectedModified[i]! ? 'modified' : 'added',
      lastmod: this.selectedLastmods[i]!,
      previousLastmod: this.selectedPrevious[i]!,
    };
  }

  private listUrls(order: Uint32Array): { urls: string[]; changes: SelectedChange[] } {
    const urls: string[] = [];
    const changes: SelectedChange[] = [];
    if (!this.options.includeImages) {
      for (const i of order) {
        urls.push(this.selectedUrls[i]!);
        changes.push(this.changeAt(i));
      }
      return { urls, changes };
    }
    // Images are shared between pages and may even be pages: list each URL once, at its first place.
    const listed = new Set<string>();
    for (const i of order) {
      const page = this.selectedUrls[i]!;
      const change = this.changeAt(i);
      if (!listed.has(page)) {
        listed.add(page);
        urls.push(page);
        changes.push(change);
      }
      for (const image of this.selectedImages.get(i) ?? []) {
        if (listed.has(image)) continue;
        listed.add(image);
        if (this.options.exclude !== undefined && this.options.exclude.match(image) !== undefined) {
          this.counts.imagesExcluded++;
          continue;
        }
        urls.push(image);
        changes.push(change);
        this.counts.images++;
      }
    }
    return { urls, changes };
  }
}
