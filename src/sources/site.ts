/**
 * `site-dir` + `state` as a URL source: the built site is hashed and compared with the state the last
 * run wrote, and what changed is planned, then the URLs earlier runs could not warm (the carried list).
 * With `state` alone no site is read: the carried list is drained.
 *
 * Two ends, which run.ts calls as phases: `openSite` before anything is sent (read the state, scan,
 * plan), and `closeSite` after, however sending ended — with a result (success, a refusal part-way, the
 * deadline, a cancel) or with an exception: it writes the next state, but never in a dry run.
 * A state that could not be used is kept aside, never overwritten; a `state` that names another file is
 * refused before anything is read; a state that cannot be written fails the step (after the report).
 */
import path from 'node:path';
import { ConfigError, errorMessage } from '../base/errors.js';
import { notingLogger, type LoggedNote, type Logger } from '../base/logger.js';
import type { UrlOutcome } from '../base/outcome.js';
import type { RetryPolicy } from '../runtime/retry.js';
import type { StopReason } from '../runtime/stop.js';
import {
  emptySiteCounts,
  fileToUrl,
  foreignStateError,
  nextState,
  planSiteChanges,
  readState,
  scanSite,
  setStateAside,
  writeState,
  type ContentIgnore,
  type SitePlan,
  type SiteCounts,
  type SiteScan,
  type SiteState,
  type StateRead,
} from '../site/index.js';
import { sitemapPriorities } from '../sitemap/priorities.js';
import type { ChangeSelection } from '../sitemap/diff.js';
import type { ExcludeMatcher } from '../urls/exclude.js';
import { isCanonical, normalizeUrl } from '../urls/normalize.js';
import type { SiteEntryChange, UrlEntry } from '../urls/prepare.js';
import type { PlannedSite } from './gather.js';
import { count } from '../base/text.js';

/** `site-dir`, `state`, `content-ignore`, `carry-days` and `changes`, as config/ composes them. */
export interface SiteSourceConfig {
  /** `site-dir`, as given; undefined with `state` alone. */
  siteDir?: string | undefined;
  /** `state`, as given. */
  state?: string | undefined;
  contentIgnore: ContentIgnore;
  carryDays: number;
  changes: ChangeSelection;
}

/** What the site source reads of the run's configuration. */
export interface SiteRunConfig {
  site?: SiteSourceConfig | undefined;
  /** With site-dir, always set (config/ checks it): the URL the site's root folder is served at. */
  baseUrl?: string | undefined;
  exclude: ExcludeMatcher;
  /** With site-dir, the sitemap only supplies priorities and URL forms. */
  sitemap?: { sitemap: string } | undefined;
  workspace: string;
  dryRun: boolean;
  /** `request-timeout`: each sitemap request too, body included. */
  requestTimeoutMs?: number | undefined;
}

export interface OpenSiteOptions {
  signal?: AbortSignal | undefined;
  retryPolicy?: RetryPolicy | undefined;
  /** The run's clock (tests give their own). */
  now?: Date | undefined;
}

/** The `site-dir` / `state` part of a run's result. */
export interface SiteResult {
  /** `site-dir`, as given; absent with `state` alone (the carried list is drained, no site is read). */
  siteDir?: string;
  /** `state`, as given; absent when not set. */
  state?: string;
  /**
   * What was found at `state` before the run: a usable state, none, one that cannot be used, or one
   * written for another base-url. Absent when `state` is not set.
   */
  stateFound?: 'found' | 'missing' | 'unusable' | 'other-base-url';
  counts: SiteCounts;
  /** URLs planned from the site (this deploy's changes and the carried ones), before dedup with the lists. */
  planned: number;
  /**
   * URLs carried to the next run in the state this run wrote (the `carried-count` output); absent when
   * no state was written (no `state`, a dry run, a failed write, or `state` alone with none to drain).
   */
  carriedOut?: number;
  /** Without a previous state: planned URLs that were not warmed and are not carried either. */
  leftCold: number;
  /** Whether the state file was replaced at the end of the run. */
  stateWritten: boolean;
  /** Why the state could not be written (or an unusable one kept aside): the step fails with it. */
  stateError?: string;
  /** Set when site-dir was not read (the run stopped first): why. Its counts are then all 0. */
  notRead?: string;
  /** Names in site-dir that are not UTF-8 (other bytes written `\xNN`): skipped, no URL can be made of them. */
  unreadableNames?: string[];
  /** The notices and warnings about the site and the state, for the summary. */
  notes: LoggedNote[];
}

/** The site, read and planned before anything is sent. */
export interface OpenSite {
  config: SiteSourceConfig;
  /** What to append to the run's entries, in quota order (handed over, and emptied, by plannedSite). */
  entries: UrlEntry[];
  /** Undefined when nothing was planned: `state` alone with no usable state, or a run stopped while scanning. */
  planned?: { scan: SiteScan; plan: SitePlan } | undefined;
  read?: StateRead | undefined;
  /** Why the state must not be replaced at the end (besides a dry run). */
  keep?: string | undefined;
  /** Set when the run stopped before site-dir was read: why (the run fails, as for a sitemap not read). */
  notRead?: string | undefined;
  notes: LoggedNote[];
}

/**
 * Reads the state, scans site-dir (or, with `state` alone, takes the state's own files) and plans.
 * Undefined when neither `site-dir` nor `state` is set. Throws a ConfigError naming `site-dir` when it is
 * missing, not a folder or empty. A run stopped while scanning plans nothing and says so.
 */
export async function openSite(
  config: SiteRunConfig,
  logger: Logger,
  options: OpenSiteOptions = {},
): Promise<OpenSite | undefined> {
  const site = config.site;
  if (site === undefined || (site.siteDir === undefined && site.state === undefined)) return undefined;
  const notes: LoggedNote[] = [];
  const log = notingLogger(logger, notes);
  const read =
    site.state === undefined ? undefined : await readState(statePath(config, site.state), site.state);
  if (read?.kind === 'foreign') throw foreignStateError(read, statePath(config, read.label));
  try {
    const planned =
      site.siteDir === undefined
        ? drainOnly(read, config, log, options)
        : await planSite(site.siteDir, read, config, log, options);
    if (planned === undefined) {
      return { config: site, entries: [], read, keep: 'there is no usable state to drain', notes };
    }
    logSitePlan(planned.plan, site, logger);
    return { config: site, entries: entriesOf(planned.plan), planned, read, notes };
  } catch (error) {
    if (error instanceof ConfigError || options.signal?.aborted !== true) throw error;
    const notRead = stopText(options.signal);
    log.warning(`site-dir: not read: ${notRead}; the state is left as it was.`);
    return { config: site, entries: [], read, keep: 'the site was not read', notRead, notes };
  }
}

async function planSite(
  siteDir: string,
  read: StateRead | undefined,
  config: SiteRunConfig,
  log: Logger,
  options: OpenSiteOptions,
): Promise<{ scan: SiteScan; plan: SitePlan }> {
  const site = config.site!;
  const sitemap = config.sitemap && (await priorities(config, config.sitemap.sitemap, log, options));
  const scan = await scanSite({
    workspace: config.workspace,
    siteDir,
    baseUrl: config.baseUrl ?? '',
    contentIgnore: site.contentIgnore,
    state: site.state,
    previous: read?.kind === 'found' ? read.state.files : undefined,
    signal: options.signal,
  });
  // Without a state, readState's "missing" tells the plan so (a notice, every file added).
  const plan = planSiteChanges(scan, read ?? { kind: 'missing', label: '' }, {
    changes: site.changes,
    exclude: config.exclude,
    carryDays: site.carryDays,
    now: options.now ?? new Date(),
    sitemap,
  });
  if (site.state === undefined) plan.notices.length = 0; // no state asked for: nothing to say about one
  for (const warning of scan.warnings ?? []) log.warning(warning);
  for (const notice of scan.notices ?? []) log.notice(notice);
  for (const notice of plan.notices) log.notice(notice);
  for (const warning of plan.warnings) log.warning(warning);
  return { scan, plan: withNormalUrls(plan) };
}

/**
 * The sitemap's priorities and URL forms. A sitemap that cannot be used (missing, not a sitemap) is a
 * configuration error, as for the diff; one that cannot be read now (a server failing, the run stopped)
 * only costs the order its priorities: a warning, and the site is planned without them.
 */
async function priorities(
  config: SiteRunConfig,
  sitemap: string,
  log: Logger,
  options: OpenSiteOptions,
): Promise<Map<string, number> | undefined> {
  try {
    return await sitemapPriorities(
      {
        workspace: config.workspace,
        sitemap,
        baseUrl: config.baseUrl,
        retryPolicy: options.retryPolicy,
        signal: options.signal,
        ...(config.requestTimeoutMs ? { limits: { timeoutMs: config.requestTimeoutMs } } : {}),
      },
      log,
    );
  } catch (error) {
    if (error instanceof ConfigError || options.signal?.aborted === true) throw error;
    log.warning(`sitemap: ${errorMessage(error)}; the files of site-dir are ordered without its priorities.`);
    return undefined;
  }
}

/**
 * `state` alone: the carried list of the state, without reading a site. The state's own files stand
 * for the site, so nothing is added or modified and no carried URL is "gone"; aged entries are dropped
 * as usual. Undefined, with a notice or warning, when there is no usable state.
 */
function drainOnly(
  read: StateRead | undefined,
  config: SiteRunConfig,
  log: Logger,
  options: OpenSiteOptions,
): { scan: SiteScan; plan: SitePlan } | undefined {
  if (read === undefined || read.kind === 'missing' || read.kind === 'foreign') {
    log.notice(
      `state: there is no ${config.site?.state} yet, so there is nothing carried to warm (state alone reads no ` +
        'site-dir). A run with site-dir writes it.',
    );
    return undefined;
  }
  if (read.kind === 'unusable') {
    log.warning(
      `state: ${read.label} cannot be used (${read.why}); with state alone (no site-dir) there is nothing to ` +
        'warm, and the file is left as it is: the next run with site-dir replaces it.',
    );
    return undefined;
  }
  const scan = stateAsScan(read.state);
  const plan = planSiteChanges(scan, read, {
    changes: { added: true, modified: true, all: false }, // the state's files are all "unchanged"
    exclude: config.exclude,
    carryDays: config.site!.carryDays,
    now: options.now ?? new Date(),
  });
  for (const notice of plan.notices) log.notice(notice);
  for (const warning of plan.warnings) log.warning(warning);
  return { scan, plan: withNormalUrls(plan) };
}

/** The state's files as a scan of the site they were hashed from. */
function stateAsScan(state: SiteState): SiteScan {
  const base = state.baseUrl;
  const files = [...state.files].map(([file, hashes]) => ({
    path: file,
    hashes,
    size: 0,
    get url(): string {
      return fileToUrl(base, file);
    },
  }));
  return { root: '', base, files, bytes: 0 };
}

/**
 * Site URLs are written in the normal form already (site/mapping.ts); should one ever not be, the
 * plan takes the form the run sends, so that the outcome of each is found again when the state is written.
 */
function withNormalUrls(plan: SitePlan): SitePlan {
  for (const planned of plan.urls) {
    if (isCanonical(planned.url)) continue; // all of them, but asked cheaply: a site has a million
    const normal = normalizeUrl(planned.url);
    if (normal.ok && normal.url !== planned.url) planned.url = normal.url;
  }
  return plan;
}

/**
 * The plan as URL entries: each row says why it is there. Rows that say the same share one `change`
 * (a first deploy of a million files has one kind of row).
 */
function entriesOf(plan: SitePlan): UrlEntry[] {
  const shared = new Map<string, SiteEntryChange>();
  return plan.urls.map((planned) => {
    const carried = planned.change === 'carried';
    const since = carried ? planned.since : undefined;
    // A carried row also says what the deploy that first planned it saw, and whether it was refreshed.
    const refreshedAt = carried ? planned.refreshedAt : undefined;
    const { linkedBy, published } = planned;
    const key =
      `${planned.change} ${planned.chromeOnly} ${since} ${carried ? planned.firstChange : ''} ${refreshedAt} ` +
      `${linkedBy} ${published}`;
    let change = shared.get(key);
    if (change === undefined) {
      change = {
        change: planned.change,
        chromeOnly: planned.chromeOnly,
        ...(since !== undefined ? { carriedSince: since, firstChange: planned.firstChange } : {}),
        ...(refreshedAt !== undefined ? { refreshedAt } : {}),
        ...(linkedBy !== undefined ? { linkedBy } : {}),
        ...(published !== undefined ? { published } : {}),
      };
      shared.set(key, change);
    }
    return {
      raw: planned.url,
      source: planned.file === undefined ? 'state' : `site-dir: ${planned.file}`,
      change,
    };
  });
}

/** What gatherEntries appends to the run's entries (none, with `notRead`, when the run stopped before site-dir was read). */
export function plannedSite(site: OpenSite): PlannedSite {
  const counts = site.planned?.plan.counts ?? emptySiteCounts();
  const entries = site.entries;
  // Handed over: the run holds them from here on (the state is built from the plan, not from these).
  site.entries = [];
  return { entries, counts, siteDir: site.config.siteDir, notRead: site.notRead };
}

/**
 * What the quota warning says of the site's URLs it skips: carried in the state only when this run
 * writes a state that carries them (not in a dry run, not when the state is left as it was). On a
 * first deploy, which carries nothing, the warning says nothing of carrying: the first run's notice
 * says it once (site/carry.ts). Undefined when the run has no site; the warning then speaks of lists.
 */
export function quotaCutText(site: OpenSite | undefined, config: SiteRunConfig): string | undefined {
  const carries = siteCarries(site, config);
  if (carries === undefined) return undefined;
  if (!carries) return 'All are listed in the report.';
  const alone = site?.config.siteDir === undefined;
  return alone
    ? 'They stay in the state and are warmed by the next runs; all are listed in the report.'
    : 'Those from site-dir are carried in the state and warmed by the next runs; all are listed in the report.';
}

/**
 * What the held-back warning says of URLs whose refresh did not complete: carried when this run's
 * state carries them; undefined otherwise.
 */
export function heldBackCarryText(
  site: OpenSite | undefined,
  config: SiteRunConfig,
  heldBack: number,
): string | undefined {
  if (!siteCarries(site, config)) return undefined;
  // Named as this run has them: site-dir's, or (state alone, no site-dir) the carried ones.
  const stateAlone = site?.config.siteDir === undefined;
  if (heldBack === 1) {
    const whose = stateAlone ? 'It stays' : 'If it is from site-dir, it is carried';
    return `${whose} in the state: the next run refreshes it first unless a refresh of it was accepted, and prefetches it.`;
  }
  const whose = stateAlone ? 'They stay' : 'Those from site-dir are carried';
  return `${whose} in the state: the next run refreshes them first where no refresh was accepted, and prefetches them.`;
}

/**
 * Whether the state this run writes carries the site's URLs the run does not warm; undefined when the
 * run has no site URLs or writes no state (no `state`, a dry run, a state left as it was).
 */
export function siteCarries(site: OpenSite | undefined, config: SiteRunConfig): boolean | undefined {
  if (site?.planned === undefined || site.config.state === undefined || site.planned.plan.urls.length === 0) {
    return undefined;
  }
  if (config.dryRun || site.keep !== undefined) return undefined;
  return site.planned.plan.carries;
}

function logSitePlan(plan: SitePlan, site: SiteSourceConfig, logger: Logger): void {
  const { counts } = plan;
  const dropped = counts.carriedAged + counts.carriedGone + counts.carriedExcluded + counts.carriedInvalid;
  const carried =
    `${count(counts.carriedIn, 'carried URL')} in` +
    (dropped > 0
      ? ` (${dropped} dropped: ${counts.carriedAged} older than carry-days, ${counts.carriedGone} gone, ${counts.carriedExcluded} excluded, ${counts.carriedInvalid} not usable)`
      : '') +
    (counts.carriedSuperseded > 0 ? `, ${counts.carriedSuperseded} changed again` : '');
  if (site.siteDir === undefined) {
    logger.info(
      `State ${site.state} (state alone, no site-dir): ${carried}; ${count(plan.urls.length, 'URL')} planned.`,
    );
    return;
  }
  logger.info(
    `Site ${site.siteDir}: ${count(counts.files, 'file')}: ${counts.added} added, ${counts.modified} modified ` +
      `(${counts.chromeOnly} of them navigation-only), ${counts.unchanged} unchanged, ${counts.excluded} excluded; ` +
      `${carried}; ${count(plan.urls.length, 'URL')} planned.`,
  );
}

export interface CloseOptions {
  logger: Logger;
  /** The run's clock (tests give their own). */
  now?: () => Date;
}

/**
 * Builds the next state from every URL's outcome and writes it (not in a dry run); the site's part of
 * the result. After an exception nothing in the plan has a known outcome (`outcomes` is empty), so
 * each planned URL is carried as not sent.
 */
export async function closeSite(
  site: OpenSite,
  config: SiteRunConfig,
  run: { outcomes: readonly UrlOutcome[]; stopped?: StopReason | undefined },
  options: CloseOptions,
): Promise<SiteResult> {
  const log = notingLogger(options.logger, site.notes);
  const { planned } = site;
  const next =
    planned && site.config.state !== undefined
      ? nextState({
          ...planned,
          outcomes: run.outcomes,
          stopped: run.stopped,
          now: options.now?.() ?? new Date(),
        })
      : undefined;
  let written = false;
  let stateError: string | undefined;
  if (next !== undefined) {
    for (const notice of next.notices) log.notice(notice);
    if (config.dryRun) {
      log.info(`state: not written (dry run); ${site.config.state} is left as it was.`);
    } else if (site.keep === undefined) {
      const file = statePath(config, site.config.state!);
      stateError = await setAside(site, file, options.now?.() ?? new Date(), log);
      if (stateError === undefined) stateError = await write(file, site.config.state!, next.state, log);
      written = stateError === undefined;
      if (written) markCarried(run.outcomes, next.state.carried);
    }
  }
  return siteResult(
    site,
    next === undefined ? undefined : { carried: next.carried, leftCold: next.leftCold },
    written,
    stateError,
  );
}

/**
 * Marks the outcomes of the URLs the written state carries (`carriedOn`), so that the report and the
 * summary say which URLs the next runs will warm. The outcomes are this run's own, made for the
 * report: completed in place.
 */
function markCarried(outcomes: readonly UrlOutcome[], carried: readonly { url: string }[]): void {
  if (carried.length === 0) return;
  const urls = new Set(carried.map((entry) => entry.url));
  for (const outcome of outcomes) if (urls.has(outcome.url)) outcome.carriedOn = true;
}

/** A state that could not be used is renamed aside before the new one is written: never overwritten. */
async function setAside(site: OpenSite, file: string, now: Date, log: Logger): Promise<string | undefined> {
  const { read } = site;
  const otherBase = read?.kind === 'found' && site.planned?.plan.hadState === false;
  if (!(read?.kind === 'unusable' && read.setAside) && !otherBase) return undefined;
  try {
    const aside = await setStateAside(file, now);
    if (aside === undefined) return undefined; // gone during the run: nothing to keep
    log.warning(
      `state: the state that could not be used was kept as ${path.relative(path.dirname(file), aside)} beside ` +
        `${site.config.state}; a new one is written in its place.`,
    );
    return undefined;
  } catch (error) {
    return (
      `state: ${site.config.state} could not be used, and could not be kept aside (${errorMessage(error)}): it ` +
      'is left as it was, and no new state is written.'
    );
  }
}

/** Writes the state; the error's text when it cannot be written. */
async function write(
  file: string,
  label: string,
  state: SiteState,
  log: Logger,
): Promise<string | undefined> {
  try {
    await writeState(file, state);
    log.info(
      `state: wrote ${label} (${count(state.files.size, 'file')}, ${count(state.carried.length, 'URL')} carried).`,
    );
    return undefined;
  } catch (error) {
    return (
      `state: could not write ${label} (${errorMessage(error)}). What was sent is sent, but nothing is carried ` +
      'and the next run compares with the older state (a state that can never be written re-warms the whole ' +
      'site on every run): fix the path or its permissions.'
    );
  }
}

function siteResult(
  site: OpenSite,
  next: { carried: number; leftCold: number } | undefined,
  written: boolean,
  stateError: string | undefined,
): SiteResult {
  const { config, planned, read } = site;
  const unreadable = planned?.scan.unreadableNames ?? [];
  return {
    ...(config.siteDir !== undefined ? { siteDir: config.siteDir } : {}),
    ...(config.state !== undefined ? { state: config.state } : {}),
    ...(read !== undefined ? { stateFound: stateFound(read, planned?.plan) } : {}),
    counts: planned?.plan.counts ?? emptySiteCounts(),
    planned: planned?.plan.urls.length ?? 0,
    ...(written && next !== undefined ? { carriedOut: next.carried } : {}),
    leftCold: next?.leftCold ?? 0,
    stateWritten: written,
    ...(stateError !== undefined ? { stateError } : {}),
    ...(site.notRead !== undefined ? { notRead: site.notRead } : {}),
    ...(unreadable.length > 0 ? { unreadableNames: unreadable } : {}),
    notes: site.notes,
  };
}

function stateFound(read: StateRead, plan: SitePlan | undefined): NonNullable<SiteResult['stateFound']> {
  if (read.kind === 'foreign') return 'unusable'; // never here: openSite refuses it
  if (read.kind !== 'found') return read.kind;
  return plan === undefined || plan.hadState ? 'found' : 'other-base-url';
}

function statePath(config: SiteRunConfig, state: string): string {
  return path.resolve(config.workspace, state);
}

function stopText(signal: AbortSignal | undefined): string {
  const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason);
  return reason === 'deadline' ? 'the run reached its timeout first' : 'the run was cancelled first';
}
