/**
 * What to warm: the deploy's changes, found by comparing the site's content hashes with the state,
 * then the URLs earlier runs planned but could not warm (the carried list).
 *
 * - A file is `added` when the state does not have it, `modified` when its hash differs, unchanged
 *   otherwise; `changes` selects which are warmed (with `all`, every file), `exclude` removes URLs.
 * - A modified HTML page whose own content hash is unchanged is `chromeOnly`: only the navigation
 *   around it changed, so it waits behind the pages whose content changed.
 * - A carried URL is warmed after this deploy's changes, oldest first. It is dropped when its file is
 *   gone, when it was first planned more than `carry-days` days ago (with a notice), or when `exclude`
 *   now matches it; when its file changed again it is warmed once, as this deploy's change. Each entry
 *   is checked before it is used (a state may be damaged, or edited by hand): a URL that is not under
 *   `base-url`, or is no file of the site, or a `since` that is no real day up to today, is dropped
 *   with a notice.
 * - Without a state (a first deploy) every file is added and nothing is carried. With a state that
 *   cannot be used (damaged, or written for another base-url) every file is added too, but what the
 *   quota cannot take is carried: the deploy's real edits are among them, and must not be lost.
 */
import { count } from '../base/text.js';
import type { ChangeSelection } from '../sitemap/diff.js';
import type { CarriedEntry, CarryCause, ChangeKind, SiteState, StateRead } from '../state/state.js';
import type { ExcludeMatcher } from '../urls/exclude.js';
import { countsByFile, linkedBy, pathDate } from './links.js';
import { INDEX_FILE, urlToFile } from './mapping.js';
import { compareKeys, orderKey, type OrderKey } from './order.js';
import type { SiteFile, SiteScan } from './scan.js';

/**
 * What `site-dir` held, compared with the state. files = added + modified + unchanged + excluded; the
 * previous run's carried list = carriedIn + carriedAged + carriedGone + carriedSuperseded + carriedExcluded
 * + carriedInvalid.
 */
export interface SiteCounts {
  /** Files in site-dir: added + modified + unchanged + excluded. */
  files: number;
  added: number;
  modified: number;
  unchanged: number;
  /** Files whose URL matches `exclude`: counted, never listed. */
  excluded: number;
  /** Of the modified files, pages where only the navigation around the content changed. */
  chromeOnly: number;
  /** Carried URLs planned in this run. */
  carriedIn: number;
  /** Carried URLs dropped: first planned more than carry-days ago. */
  carriedAged: number;
  /** Carried URLs dropped: their file is no longer in site-dir. */
  carriedGone: number;
  /** Carried URLs whose file changed again: warmed once, as this deploy's change. */
  carriedSuperseded: number;
  /** Carried URLs dropped: `exclude` matches them now. */
  carriedExcluded: number;
  /** Carried entries dropped as not usable: not under base-url, no file of the site, no real day. */
  carriedInvalid: number;
}

/** Counts of a site that was not read (or held nothing). */
export function emptySiteCounts(): SiteCounts {
  return {
    files: 0,
    added: 0,
    modified: 0,
    unchanged: 0,
    excluded: 0,
    chromeOnly: 0,
    carriedIn: 0,
    carriedAged: 0,
    carriedGone: 0,
    carriedSuperseded: 0,
    carriedExcluded: 0,
    carriedInvalid: 0,
  };
}

export interface PlanOptions {
  /** `changes`, from parseChanges(). */
  changes: ChangeSelection;
  /** `exclude`, from compileExcludes(). */
  exclude?: ExcludeMatcher | undefined;
  /** `carry-days`: carried URLs first planned more days ago than this are dropped. */
  carryDays: number;
  /** The run's clock: today's UTC day dates new carried entries and ages old ones. */
  now: Date;
  /**
   * The `sitemap`'s URLs (normalized `<loc>`) with their `<priority>` (NaN when none). A loc that maps
   * to a site file gives that file its priority, and its URL form (`/guide/intro` for `guide/intro.html`).
   */
  sitemap?: ReadonlyMap<string, number> | undefined;
}

export interface PlannedUrl {
  url: string;
  /** The site file, relative to site-dir; absent for a carried URL whose file was not recorded. */
  file?: string | undefined;
  /** Why it is warmed: this deploy's change, or carried from an earlier run. */
  change: ChangeKind | 'carried';
  /** A modified page whose own content (`<main>`, `<div role="main">`, `<article>` or `<body>`) is unchanged. */
  chromeOnly: boolean;
  /** The UTC day it was first planned: today, or a carried URL's original day. */
  since: string;
  /** What the deploy that first planned it saw (for a carried URL, that deploy's change). */
  firstChange: ChangeKind;
  /** Carried URLs: why they were not warmed then. */
  carriedFor?: { cause: CarryCause; reason: string } | undefined;
  /** Carried URLs an earlier run refreshed: when (they are prefetched without a new refresh). */
  refreshedAt?: string | undefined;
  /** This deploy's changes: how many built pages link to or load it (see order.ts); absent for none. */
  linkedBy?: number | undefined;
  /** This deploy's changes: the day a page says it was published, `YYYY-MM-DD`. */
  published?: string | undefined;
}

export interface SitePlan {
  /** Distinct URLs to warm, in quota order. */
  urls: PlannedUrl[];
  counts: SiteCounts;
  /** Whether a usable state was compared with. */
  hadState: boolean;
  /**
   * Whether what is not warmed is carried to the next run: always but on a first deploy (no state at
   * all), which would otherwise queue the whole site for days.
   */
  carries: boolean;
  /** Today's UTC day, `YYYY-MM-DD`. */
  today: string;
  notices: string[];
  warnings: string[];
}

interface Change {
  file: SiteFile;
  url: string;
  change: ChangeKind;
  chromeOnly: boolean;
  /** This deploy's change (0), or unchanged with `changes: all` (1): the changes go first. */
  tier: number;
  key: OrderKey;
  linkedBy: number;
  /** The day it says it was published (since 1970-01-01 UTC), else 0. */
  day: number;
}

/** Compares the scanned site with the state read before the run and returns what to warm, in order. */
export function planSiteChanges(scan: SiteScan, read: StateRead, options: PlanOptions): SitePlan {
  const today = options.now.toISOString().slice(0, 10);
  const notices: string[] = [];
  const warnings: string[] = [];
  const { previous, carriedBefore, malformed } = usableState(scan, read, notices, warnings);
  const counts: SiteCounts = { ...emptySiteCounts(), files: scan.files.length };
  // By path: only to resolve sitemap locs and carried entries (most runs have neither).
  const byPath =
    options.sitemap !== undefined || carriedBefore.length > 0
      ? new Map(scan.files.map((file) => [file.path, file]))
      : new Map<string, SiteFile>();
  const fromSitemap = sitemapFiles(scan.base, options.sitemap, byPath);
  const changes = classify(scan, previous, fromSitemap, options, counts);
  const carried = carryIn(carriedBefore, { today, base: scan.base, options, byPath, fromSitemap });
  counts.carriedAged = carried.aged;
  counts.carriedGone = carried.gone;
  counts.carriedExcluded = carried.excluded;
  counts.carriedInvalid = carried.invalid.count + malformed;
  if (carried.aged > 0) {
    notices.push(
      `state: ${count(carried.aged, 'carried URL was', 'carried URLs were')} dropped, first planned more than carry-days (${options.carryDays}) ` +
        `days ago (the oldest on ${carried.oldestAged}). Raise the quota, or run the action on a schedule to drain the carried list.`,
    );
  }
  if (counts.carriedInvalid > 0) notices.push(invalidNotice(carried.invalid, malformed));
  // Two files have one URL only through a sitemap's loc form; a carried URL may be a change's too.
  const distinct = options.sitemap === undefined && carried.entries.length === 0;
  const urls = inQuotaOrder(changes, carried.entries, { today, counts, distinct });
  const carries = read.kind !== 'missing';
  return { urls, counts, hadState: previous !== undefined, carries, today, notices, warnings };
}

/** Sorts every file into added, modified, unchanged or excluded (in `counts`); returns the selected ones. */
function classify(
  scan: SiteScan,
  previous: SiteState | undefined,
  fromSitemap: ReadonlyMap<string, { url: string; priority: number }>,
  options: PlanOptions,
  counts: SiteCounts,
): Change[] {
  const selected: Change[] = [];
  const excluding = options.exclude !== undefined && options.exclude.size > 0;
  const links = countsByFile(scan.links ?? new Map<string, number>());
  for (const file of scan.files) {
    const listed = fromSitemap.get(file.path);
    // Made only when needed: on a large site most files are neither excluded nor changed.
    const urlOf = (): string => listed?.url ?? file.url;
    if (excluding && options.exclude!.match(urlOf()) !== undefined) {
      counts.excluded++;
      continue;
    }
    const before = previous?.files.get(file.path);
    const change: ChangeKind =
      before === undefined ? 'added' : before.content === file.hashes.content ? 'unchanged' : 'modified';
    counts[change]++;
    const chromeOnly = change === 'modified' && before?.own !== undefined && before.own === file.hashes.own;
    if (chromeOnly) counts.chromeOnly++;
    if (!options.changes.all && (change === 'unchanged' || !options.changes[change])) continue;
    const pages = linkedBy(file.path, links);
    const day = file.day || pathDate(file.path);
    selected.push({
      file,
      url: urlOf(),
      change,
      chromeOnly,
      tier: change === 'unchanged' ? 1 : 0,
      key: orderKey(file.path, {
        priority: listed?.priority,
        linkedBy: pages,
        day,
        navigationOnly: chromeOnly,
      }),
      linkedBy: pages,
      day,
    });
  }
  return selected;
}

/**
 * This deploy's changes in quota order (order.ts: what most pages depend on first, own content before
 * navigation-only, feeds last), then with `changes: all` the unchanged files, then the carried URLs,
 * oldest first; each URL once.
 */
function inQuotaOrder(
  changes: Change[],
  carried: readonly CarriedEntry[],
  { today, counts, distinct }: { today: string; counts: SiteCounts; distinct: boolean },
): PlannedUrl[] {
  const urls: PlannedUrl[] = [];
  const listed = new Set<string>(); // not needed when the URLs are known to be distinct (a million of them)
  // Only to settle carried entries (most runs have none; a first deploy of a large site, a million changes).
  const changedFiles = new Set(
    carried.length === 0 ? [] : changes.filter((c) => c.change !== 'unchanged').map((c) => c.file.path),
  );
  const carriedFiles = new Set(carried.map((entry) => entry.file));
  const ordered = changes
    .filter((c) => c.change !== 'unchanged' || !carriedFiles.has(c.file.path)) // listed as carried below
    .sort((a, b) => a.tier - b.tier || compareKeys(a.key, b.key));
  for (const c of ordered) {
    if (!distinct) {
      if (listed.has(c.url)) continue; // two files, one URL (a loc form): warmed once
      listed.add(c.url);
    }
    const { url, change, chromeOnly } = c;
    urls.push({
      url,
      file: c.file.path,
      change,
      chromeOnly,
      since: today,
      firstChange: change,
      // Only when some page links to it: a million files nothing links to keep a field fewer each.
      ...(c.linkedBy > 0 ? { linkedBy: c.linkedBy } : {}),
      ...(c.day > 0 ? { published: dayText(c.day) } : {}),
    });
  }
  for (const entry of carried) {
    // Its file changed again (or its URL is planned anyway): warmed once, as this deploy's change.
    if ((entry.file !== undefined && changedFiles.has(entry.file)) || listed.has(entry.url)) {
      counts.carriedSuperseded++;
      continue;
    }
    listed.add(entry.url);
    counts.carriedIn++;
    urls.push({
      url: entry.url,
      ...(entry.file === undefined ? {} : { file: entry.file }),
      change: 'carried',
      chromeOnly: false,
      since: entry.since,
      firstChange: entry.change,
      carriedFor: { cause: entry.cause, reason: entry.reason },
      ...(entry.refreshedAt === undefined ? {} : { refreshedAt: entry.refreshedAt }),
    });
  }
  return urls;
}

/**
 * The state to compare with (undefined when there is none that can be used, with the notice or
 * warning that says why), and the carried entries to check: a damaged state's are still its own.
 */
function usableState(
  scan: SiteScan,
  read: StateRead,
  notices: string[],
  warnings: string[],
): { previous: SiteState | undefined; carriedBefore: readonly CarriedEntry[]; malformed: number } {
  if (read.kind === 'unusable') {
    warnings.push(read.warning);
    return { previous: undefined, carriedBefore: read.carried, malformed: read.malformedCarried };
  }
  if (read.kind !== 'found') {
    notices.push(
      `state: there is no ${read.label} yet, so every file of site-dir counts as added and nothing is carried. ` +
        'It is written at the end of this run (not in a dry run); from the next run on, only what changed is warmed. ' +
        'A first run cannot tell a new file from one the CDN already holds, so none is refreshed: if the site ' +
        'changed since the CDN last saw it, run once with refresh: true.',
    );
    return { previous: undefined, carriedBefore: [], malformed: 0 };
  }
  const malformed = read.malformedCarried ?? 0;
  if (read.state.baseUrl !== scan.base) {
    warnings.push(
      `state: it was written for ${read.state.baseUrl}, not ${scan.base} (base-url changed, or another site's ` +
        'state?), so it cannot be used. This is not a first deploy: every file counts as added this run, and what ' +
        'the quota cannot take is carried to the next runs. The file is kept aside, not overwritten, when the new ' +
        'state is written (never in a dry run). None is refreshed (a new file cannot be told from one the CDN ' +
        'holds): if files changed in place, run once with refresh: true.',
    );
    return { previous: undefined, carriedBefore: read.state.carried, malformed };
  }
  return { previous: read.state, carriedBefore: read.state.carried, malformed };
}

/**
 * Site files the sitemap lists, with the URL to warm and the priority. The sitemap's URL form is
 * used, except a folder's `…/index.html` (Hexo lists pages so, but links to, and visitors ask for,
 * the folder URL with its slash: a different cache key).
 */
function sitemapFiles(
  base: string,
  sitemap: ReadonlyMap<string, number> | undefined,
  byPath: ReadonlyMap<string, SiteFile>,
): Map<string, { url: string; priority: number }> {
  const found = new Map<string, { url: string; priority: number }>();
  if (sitemap === undefined) return found;
  const exists = (file: string): boolean => byPath.has(file);
  for (const [loc, priority] of sitemap) {
    const file = urlToFile(base, loc, exists);
    if (file === undefined || found.has(file)) continue;
    const url = loc.endsWith(`/${INDEX_FILE}`) ? byPath.get(file)!.url : loc;
    found.set(file, { url, priority });
  }
  return found;
}

interface CarriedIn {
  /** Still valid, oldest first, with the URL to warm now. */
  entries: CarriedEntry[];
  aged: number;
  oldestAged: string | undefined;
  gone: number;
  excluded: number;
  invalid: InvalidCarried;
}

/** Carried entries that were not usable, by why, with an example of each. */
interface InvalidCarried {
  count: number;
  offSite: number;
  noFile: number;
  badDay: number;
  examples: string[];
}

interface CarryContext {
  today: string;
  /** siteBase(base-url). */
  base: string;
  options: PlanOptions;
  byPath: ReadonlyMap<string, SiteFile>;
  fromSitemap: ReadonlyMap<string, { url: string }>;
}

/** The carried entries still to warm (supersession by a new change is decided by the caller). */
function carryIn(carried: readonly CarriedEntry[], context: CarryContext): CarriedIn {
  const { today, base, options, byPath, fromSitemap } = context;
  const invalid: InvalidCarried = { count: 0, offSite: 0, noFile: 0, badDay: 0, examples: [] };
  const result: CarriedIn = { entries: [], aged: 0, oldestAged: undefined, gone: 0, excluded: 0, invalid };
  const drop = (why: 'offSite' | 'noFile' | 'badDay', example: string): void => {
    invalid.count++;
    invalid[why]++;
    if (invalid.examples.length < 3) invalid.examples.push(example.slice(0, 200));
  };
  const todayMs = Date.parse(today);
  const exists = (file: string): boolean => byPath.has(file);
  for (const entry of carried) {
    if (!isRealDay(entry.since) || entry.since > today) {
      drop('badDay', `since ${entry.since}`);
      continue;
    }
    if (!entry.url.startsWith(base)) {
      drop('offSite', entry.url);
      continue;
    }
    if ((todayMs - Date.parse(entry.since)) / 86_400_000 > options.carryDays) {
      result.aged++;
      if (result.oldestAged === undefined || entry.since < result.oldestAged) result.oldestAged = entry.since;
      continue;
    }
    const name = entry.file ?? urlToFile(base, entry.url, exists);
    const file = name === undefined ? undefined : byPath.get(name);
    if (entry.file !== undefined && file === undefined) {
      result.gone++; // deleted since
      continue;
    }
    if (file === undefined || urlToFile(base, entry.url, exists) === undefined) {
      drop('noFile', entry.url); // a URL that is no file of the site
      continue;
    }
    // The file's URL now (base-url is the same; the sitemap's loc form may have changed).
    const url = fromSitemap.get(file.path)?.url ?? file.url;
    if (options.exclude !== undefined && options.exclude.match(url) !== undefined) {
      result.excluded++;
      continue;
    }
    result.entries.push({ ...entry, file: file.path, url });
  }
  // Oldest first; the same day keeps the state's order (which is the order they were planned in).
  result.entries.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  return result;
}

/** `YYYY-MM-DD` naming a day that exists (not `2020-99-99`, not `2026-02-30`). */
/** A day since 1970-01-01 UTC as `YYYY-MM-DD`. */
function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function isRealDay(day: string): boolean {
  const time = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
}

function invalidNotice(invalid: InvalidCarried, malformed: number): string {
  const parts = [
    invalid.offSite ? `${invalid.offSite} not under base-url` : '',
    invalid.noFile ? `${invalid.noFile} whose URL is no file of the site` : '',
    invalid.badDay ? `${invalid.badDay} whose since is no real day up to today` : '',
    malformed ? `${malformed} that are not entries (a field missing or of the wrong kind)` : '',
  ].filter(Boolean);
  const examples = invalid.examples.length ? `, e.g. ${invalid.examples.join('; ')}` : '';
  return (
    `state: ${invalid.count + malformed} carried entries were dropped as not usable (${parts.join(', ')}${examples}). ` +
    'A state is only ever written by cdn-prefetch: was it edited by hand, or damaged?'
  );
}
