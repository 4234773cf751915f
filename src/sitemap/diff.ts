/**
 * What the deploy added or changed, in the order a small quota should spend itself on.
 *
 * The deployed side is diffed while it streams by: each URL is looked up in the baseline and only
 * the selected ones are kept, so memory is the baseline set plus the changes, and a deployed URL
 * that the baseline has is never copied or stored.
 */
import type { DiffCounts } from '../base/result.js';
import type { ExcludeMatcher } from '../urls/exclude.js';
import type { UrlSink } from './load.js';
import { ownCopy, type SitemapSet } from './set.js';

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
}

export interface DiffResult {
  /** Distinct URLs to prefetch, in quota order, each page's images right after it. */
  urls: string[];
  counts: DiffCounts;
}

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
  // The selected pages, in document order.
  private readonly selectedUrls: string[] = [];
  private readonly selectedLastmods: number[] = [];
  private readonly selectedPriorities: number[] = [];
  private readonly selectedImages = new Map<number, string[]>();

  constructor(
    private readonly baseline: SitemapSet | undefined,
    private readonly options: DiffOptions,
  ) {
    this.seenInBaseline = new Uint8Array(baseline?.slots ?? 0);
    this.counts = {
      deployed: 0,
      baseline: baseline?.size,
      added: 0,
      modified: 0,
      unchanged: 0,
      excluded: 0,
      images: 0,
      imagesExcluded: 0,
    };
  }

  add(url: string, lastmod: number, priority: number, images: string[] | undefined): void {
    const previous = this.baseline?.orderOf(url);
    let key = url;
    if (previous !== undefined) {
      if (this.seenInBaseline[previous] === 1) return;
      this.seenInBaseline[previous] = 1;
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
    const change =
      previous === undefined ? 'added' : this.compare(lastmod, this.baseline!.lastmodAt(previous));
    this.counts[change]++;
    const { changes } = this.options;
    if (!changes.all && (change === 'unchanged' || !changes[change])) return;
    if (images !== undefined && images.length > 0)
      this.selectedImages.set(this.selectedUrls.length, images.map(ownCopy));
    this.selectedUrls.push(previous === undefined ? key : this.baseline!.urlAt(previous));
    this.selectedLastmods.push(lastmod);
    this.selectedPriorities.push(priority);
  }

  /** The ordered URLs and the counts; call once the whole sitemap has been read. */
  result(): DiffResult {
    const n = this.selectedUrls.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => this.compareForQuota(a, b));
    const urls = this.listUrls(order); // counts the images
    return { urls, counts: { ...this.counts } };
  }

  private compare(now: number, before: number): 'modified' | 'unchanged' {
    // Only when both sides state a time can we tell; NaN (no lastmod) on either side is "unchanged".
    return !Number.isNaN(now) && !Number.isNaN(before) && now !== before ? 'modified' : 'unchanged';
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

  private listUrls(order: Uint32Array): string[] {
    const urls: string[] = [];
    if (!this.options.includeImages) {
      for (const i of order) urls.push(this.selectedUrls[i]!);
      return urls;
    }
    // Images are shared between pages and may even be pages: list each URL once, at its first place.
    const listed = new Set<string>();
    for (const i of order) {
      const page = this.selectedUrls[i]!;
      if (!listed.has(page)) {
        listed.add(page);
        urls.push(page);
      }
      for (const image of this.selectedImages.get(i) ?? []) {
        if (listed.has(image)) continue;
        listed.add(image);
        if (this.options.exclude !== undefined && this.options.exclude.match(image) !== undefined) {
          this.counts.imagesExcluded++;
          continue;
        }
        urls.push(image);
        this.counts.images++;
      }
    }
    return urls;
  }
}
