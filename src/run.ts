/**
 * The run, as the list of its phases, and the owner of its lifetime: the deadline is armed at the start
 * and disposed of at the end, and the site opened before sending is closed after it however sending
 * ends. Every phase takes the one RunContext; the result is assembled in report/result.ts.
 *
 *   open the site     read the state, scan site-dir, plan what changed    sources/site.ts
 *   gather            urls, urls-file, the sitemap diff, the site's plan   sources/gather.ts
 *   open the client   credentials (none in a dry run without them)        credentials/
 *   read the quota
 *   refresh           what needs it (`refresh`), before any prefetch      follow/fresh.ts, refresh.ts
 *   allot the quota   over the plan, in its order                         follow/allot.ts
 *   submit            PushObjectCache: what needs no refresh, at once     batch/, submit/
 *   wait for refresh  then submit the refreshed URLs within their slots  follow/refresh.ts
 *   wait              with `wait` (or `verify`), for the prefetch tasks   follow/wait.ts
 *   verify            with `verify`, ask the site for each URL            verify/
 *   close the site    write the next state                                sources/site.ts
 *
 * Plain values in and out; the adapters (main.ts, cli.ts) do all the talking to the outside.
 */
import type { AlibabaClient } from './alibaba/client.js';
import { AlibabaError, ConfigError, isFatal } from './base/errors.js';
import { count } from './base/text.js';
import type { Logger } from './base/logger.js';
import type { UrlOutcome } from './base/outcome.js';
import { packBatches } from './batch/pack.js';
import type { Config } from './config/config.js';
import type { IdentityDeps } from './credentials/oidc-source.js';
import { openCredentials } from './credentials/open.js';
import type { CredentialProvider } from './credentials/provider.js';
import { RenewingClient } from './credentials/renewing-client.js';
import { allotAfterRefresh, allotBeforeRefresh, type AfterRefresh, type Allotted } from './follow/allot.js';
import { neededUrls, refreshNeeds, type RefreshNeed } from './follow/fresh.js';
import {
  refreshOutcomes,
  sendRefreshes,
  waitForRefresh,
  type Refreshed,
  type RefreshSent,
} from './follow/refresh.js';
import { heldBackOutcomes, withFollowThrough } from './follow/result.js';
import type { RefreshSummary } from './follow/types.js';
import { waitForPrefetch, type FollowContext } from './follow/wait.js';
import {
  emptyResult,
  inInputOrder,
  refusalOf,
  refusedResult,
  runResult,
  sitemapRefusal,
  skippedForQuota,
  unsentOutcomes,
  type Refusal,
  type RunResult,
} from './report/result.js';
import { createCallGate } from './runtime/gate.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './runtime/retry.js';
import { RunStop, stoppedFirst } from './runtime/stop.js';
import { notReadSitemap, sitemapResult, type SitemapResult } from './sitemap/changes.js';
import { gatherUrls, nothingToSend, saveBaseline, type GatheredUrls } from './sources/gather.js';
import {
  closeSite,
  openSite,
  plannedSite,
  heldBackCarryText,
  quotaCutText,
  type OpenSite,
  type SiteResult,
} from './sources/site.js';
import { lookupPolicy } from './submit/confirm.js';
import { capText, readPreloadRemain, runQuota, type RunQuota } from './submit/quota.js';
import { SubmitLedger } from './submit/ledger.js';
import { submitBatches } from './submit/submitter.js';
import type { Candidate, PreparedUrls } from './urls/prepare.js';
import { expectedFromScan } from './verify/expected.js';
import { verifyTargets } from './verify/select.js';
import { verifyEdge } from './verify/verify.js';

export interface RunDeps {
  logger: Logger;
  /** The adapter's handle for cancelling the run; the run arms its own deadline on it. */
  stop?: RunStop;
  retryPolicy?: RetryPolicy;
  /** GitHub's ID token and log masking, for `role-arn`; given by the action adapter. */
  identity?: IdentityDeps;
}

/** What every phase needs, travelling as one value. */
interface RunContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly retryPolicy: RetryPolicy;
  /** The deadline and the cancel: `sendSignal` ends new work at once, `requestSignal` later. */
  readonly stop: RunStop;
  readonly identity: IdentityDeps | undefined;
}

export async function runPrefetch(config: Config, deps: RunDeps): Promise<RunResult> {
  const run = runContext(config, deps);
  // Calls in flight at the deadline get a moment to answer: their task IDs belong in the report.
  run.stop.armDeadline(config.timeoutMs, Math.min(5_000, config.requestTimeoutMs));
  try {
    if (config.sitemap?.saveSitemap) return await saveSitemapOnly(run);
    const site = await openSite(config, run.logger, reads(run));
    let sent: RunResult | undefined;
    let closed: SiteResult | undefined;
    try {
      sent = await verify(run, site, await send(run, site));
    } finally {
      // However sending ended — a result, a refusal, the deadline, a cancel, an exception — the site is
      // closed: the next state is written from every URL's outcome (none is known after an exception).
      closed = site && (await close(run, site, sent?.outcomes ?? []));
    }
    if (!closed) return sent;
    // A state that cannot be kept fails the step (the report says what was sent first).
    const failed = closed.stateError !== undefined && sent.fatal === undefined;
    return { ...sent, site: closed, ...(failed ? { fatal: closed.stateError } : {}) };
  } finally {
    run.stop.dispose();
  }
}

function runContext(config: Config, deps: RunDeps): RunContext {
  return {
    config,
    logger: deps.logger,
    retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
    stop: deps.stop ?? new RunStop(),
    identity: deps.identity,
  };
}

/** From the gathered URLs to what became of each: the phases that talk to the API, in order. */
async function send(run: RunContext, site: OpenSite | undefined): Promise<RunResult> {
  const gathered = await gather(run, site);
  if (gathered.refusal) return refused(run, gathered, undefined, gathered.refusal);
  const { urls } = gathered;
  let client: AlibabaClient | undefined;
  let quota: RunQuota;
  let refreshing: Refreshing;
  let first: Allotted<Candidate>;
  try {
    // A refusal before anything is submitted (credentials, a permission, a proxy) fails every URL unsent.
    client = await openClient(run, urls);
    quota = await readQuota(run, client, urls);
    refreshing = await refresh(run, client, urls);
    first = allotQuota(run, urls, refreshing, quota.cap);
  } catch (error) {
    if (!(error instanceof AlibabaError)) throw error;
    return refused(run, gathered, client, refusalOf(error, run.config.wording));
  }
  const ledger = client && !run.config.dryRun ? submitLedger(run, first) : undefined;
  await submit(run, client, first.ready, ledger, quota);
  // No slot waits for a refresh (the quota is spent, or the prefetch was refused for good): not waited for.
  const awaited = first.waiting.length > 0 && ledger?.fatal === undefined;
  const refreshed = await refreshWait(run, client, refreshing, awaited);
  const after = afterRefresh(run, first, refreshing, refreshed, { quota, awaited, ledger, site });
  await submit(run, client, after.ready, ledger, quota);
  const outcomes = inInputOrder(
    urls.rejected,
    skippedForQuota(after.overQuota, capText(quota)),
    refreshed && refreshing.sent
      ? heldBackOutcomes(after.heldBack, refreshed, refreshing.sent, run.config.follow.waitTimeoutMs)
      : [],
    ledger?.result().outcomes ??
      unsentOutcomes([...first.ready, ...after.ready], run.config.dryRun, run.stop.reason),
  );
  const waited = await wait(run, client, outcomes);
  const followed = withFollowThrough(outcomes, refreshed, waited);
  return runResult({
    ...common(run, gathered, client),
    outcomes: followed.outcomes,
    quotaRemain: quota.remain,
    ...(quota.limit ? { prefetchCap: quota.cap } : {}),
    submitted: ledger?.result(),
    follow: followed.follow,
  });
}

interface Gathered extends GatheredUrls {
  /** The sitemap diff's part of the result, when `sitemap` was read (or could not be). */
  sitemapResult?: SitemapResult;
  /** Set when the sitemap could not be read (not when the run stopped first): nothing is sent. */
  refusal?: Refusal;
}

/** Every source's URLs: the lists, the sitemap diff, and what the site planned. */
async function gather(run: RunContext, site: OpenSite | undefined): Promise<Gathered> {
  const { config, logger, stop } = run;
  const gathered = await gatherUrls(config, logger, reads(run), site && plannedSite(site));
  const failure = gathered.sitemapFailure;
  if (failure && stop.reason) {
    const sitemap = notReadSitemap(stoppedFirst(stop.reason));
    logger.warning(`sitemap: not read (${sitemap.notRead}); the other entries are reported.`);
    return { ...gathered, sitemapResult: sitemap };
  }
  if (failure) {
    return { ...gathered, sitemapResult: notReadSitemap(failure.message), refusal: sitemapRefusal(failure) };
  }
  const { urls } = gathered;
  if (urls.candidates.length === 0 && urls.rejected.length === 0) {
    const { level, message } = nothingToSend(gathered);
    logger[level](message);
  }
  return { ...gathered, ...(gathered.sitemap ? { sitemapResult: sitemapResult(gathered.sitemap) } : {}) };
}

/** The API client, or undefined: nothing to send, no credentials (a dry run), or the run has stopped. */
async function openClient(run: RunContext, urls: PreparedUrls): Promise<AlibabaClient | undefined> {
  const { config, logger, retryPolicy, identity, stop } = run;
  if (urls.candidates.length === 0 || stop.stopped) return undefined;
  let credentials: CredentialProvider | undefined;
  try {
    credentials = await openCredentials(config, { logger, retryPolicy, identity, signal: stop.sendSignal });
  } catch (error) {
    // Stopped while the role was being assumed: nothing was sent, and a refusal is not the story.
    if (stop.stopped && !(error instanceof AlibabaError && isFatal(error.errorClass))) return undefined;
    throw error;
  }
  if (!credentials) return undefined;
  return new RenewingClient(
    {
      endpoint: config.endpoint,
      signatureVersion: config.signatureVersion,
      timeoutMs: config.requestTimeoutMs,
      gate: createCallGate(config.requestsPerSecond),
      signal: stop.requestSignal,
      stopSending: stop.sendSignal,
    },
    credentials,
    logger,
  );
}

/**
 * What this run may prefetch: the day's remainder (`daily-quota` when it is a number, else read from
 * the API), and with `prefetch-limit` this run's part of it.
 */
async function readQuota(
  run: RunContext,
  client: AlibabaClient | undefined,
  urls: PreparedUrls,
): Promise<RunQuota> {
  const quota = runQuota(await dayRemain(run, client, urls), run.config.prefetchLimit);
  const limit = run.config.prefetchLimit;
  if (quota.limit)
    run.logger.info(
      `This run may prefetch ${count(quota.cap ?? 0, 'URL')} (prefetch-limit ${quota.limit.text}).`,
    );
  else if (limit && 'share' in limit && quota.remain === undefined && urls.candidates.length > 0) {
    run.logger.notice(`prefetch-limit ${limit.text}: a share of a quota that was not read; not applied.`);
  }
  return quota;
}

/** The day's prefetch remainder: `daily-quota` when it is a number, else read from the API. */
async function dayRemain(
  run: RunContext,
  client: AlibabaClient | undefined,
  urls: PreparedUrls,
): Promise<number | undefined> {
  const { config, logger, retryPolicy, stop } = run;
  if (typeof config.dailyQuota === 'number') return config.dailyQuota;
  if (urls.candidates.length === 0 || stop.stopped) return undefined;
  if (!client) {
    logger.notice(
      'dry-run without credentials: the daily prefetch quota was not read, so the plan is not capped by it.',
    );
    return undefined;
  }
  const remain = await readPreloadRemain(client, logger, retryPolicy, stop.sendSignal);
  if (remain !== undefined) logger.info(`Daily prefetch quota: ${count(remain, 'URL')} remain today.`);
  return remain;
}

/** What each URL needs of a refresh, and (not in a dry run) the refresh calls sent for those that need one. */
interface Refreshing {
  needs: Map<string, RefreshNeed>;
  sent?: RefreshSent | undefined;
}

/**
 * With `refresh`: every URL that needs it refreshed now, in plan order within the refresh quota, its
 * prefetch waiting for a later run or not (never in a dry run: then only the need is known).
 */
async function refresh(
  run: RunContext,
  client: AlibabaClient | undefined,
  urls: PreparedUrls,
): Promise<Refreshing> {
  const needs = refreshNeeds(urls.candidates, urls.changes, run.config.follow.refresh);
  const follow = followContext(run, client);
  if (!follow || needs.size === 0) return { needs };
  const toRefresh = [...urls.candidates]
    .sort((a, b) => a.order - b.order)
    .filter((candidate) => needs.get(candidate.url)?.needed);
  return { needs, sent: await sendRefreshes(follow, toRefresh) };
}

/**
 * The prefetch quota allotted over the plan in its order: what needs no refresh may go at once; a URL
 * whose refresh was accepted keeps its slot until the refresh completes; one whose refresh was not
 * accepted takes none. One line on the plan.
 */
function allotQuota(
  run: RunContext,
  urls: PreparedUrls,
  refreshing: Refreshing,
  quota: number | undefined,
): Allotted<Candidate> {
  const first = allotBeforeRefresh(urls.candidates, refreshing.needs, refreshing.sent, quota);
  let toRefresh = 0;
  for (const need of refreshing.needs.values()) if (need.needed) toRefresh++;
  const slotted = [...first.ready, ...first.waiting];
  const calls = packBatches(slotted, run.config.batchSize).batches.length;
  const hosts = new Set(slotted.map((item) => item.host)).size;
  run.logger.info(
    `Plan: ${count(slotted.length, 'URL')} in ${count(calls, 'call')} to ${count(hosts, 'host')}` +
      (toRefresh ? ` (${first.waiting.length} of them once their refresh completes)` : '') +
      (urls.duplicates ? `; ${count(urls.duplicates, 'duplicate entry', 'duplicate entries')} merged` : '') +
      (toRefresh
        ? `; ${count(toRefresh, 'URL needs', 'URLs need')} a refresh first (${refreshWhy(run)})`
        : '') +
      (first.left.length ? `; ${first.left.length} left for later (quota ${quota ?? 'not capped'})` : ''),
  );
  return first;
}

function refreshWhy(run: RunContext): string {
  return run.config.follow.refresh === 'all' ? 'refresh: true' : 'they changed in place';
}

/** After the refresh wait, the slots of refreshes that did not complete given on; a warning on what is left. */
function afterRefresh(
  run: RunContext,
  first: Allotted<Candidate>,
  refreshing: Refreshing,
  refreshed: Refreshed | undefined,
  context: {
    quota: RunQuota;
    awaited: boolean;
    ledger: SubmitLedger | undefined;
    site: OpenSite | undefined;
  },
): AfterRefresh {
  const { needs, sent } = refreshing;
  // Stopped, or refused for good: a refresh cut short holds nothing back; the submission reports why.
  const halted = run.stop.reason !== undefined || context.ledger?.fatal !== undefined;
  const after = allotAfterRefresh(first, needs, sent, refreshed, { halted, awaited: context.awaited });
  if (refreshed) refreshed.summary.heldBack = after.heldBack.length;
  const needed = neededUrls(needs);
  const freshOverQuota = after.overQuota.filter(
    (item) => needed.has(item.url) && refreshed?.urls.get(item.url)?.refreshStatus === 'Complete',
  ).length;
  warnLeft(
    run,
    after.heldBack.length,
    { count: after.overQuota.length, fresh: freshOverQuota },
    context.quota,
    context.site,
  );
  return after;
}

function warnLeft(
  run: RunContext,
  heldBack: number,
  overQuota: { count: number; fresh: number },
  quota: RunQuota,
  site: OpenSite | undefined,
): void {
  const { config, logger } = run;
  if (heldBack > 0) {
    logger.warning(
      `refresh: ${count(heldBack, 'URL that needed a refresh is', 'URLs that needed a refresh are')} not prefetched, as ${heldBack === 1 ? 'its' : 'their'} refresh was not confirmed Complete ` +
        '(a prefetch cannot replace the copy the CDN holds). ' +
        (heldBackCarryText(site, config, heldBack) ??
          (heldBack === 1 ? 'It is listed' : 'They are listed') + ' in the report with the reason.'),
    );
  }
  if (overQuota.count > 0) {
    logger.warning(
      // The quota left when the run began: it is spent by now, so never "has N left".
      `${count(overQuota.count, 'URL')} skipped: ${capText(quota)}` +
        (overQuota.fresh
          ? ` (${overQuota.fresh} of them are refreshed already: fresh, only not warm yet)`
          : '') +
        '. ' +
        (quotaCutText(site, config) ??
          (quota.limit
            ? `They are listed in the report; raise ${config.wording.input('prefetch-limit')} to send more in one run.`
            : 'They are listed in the report; run again tomorrow or raise the quota.')),
    );
  }
}

/** The submitter's book, shared by both rounds of the prefetch, with the progress over both. */
function submitLedger(run: RunContext, first: Allotted<Candidate>): SubmitLedger {
  const total = first.ready.length + first.waiting.length;
  return new SubmitLedger((done) => run.logger.progress?.({ phase: 'submit', done, total }));
}

/** PushObjectCache for `items`, packed into calls; nothing without a ledger (a dry run, no client). */
async function submit(
  run: RunContext,
  client: AlibabaClient | undefined,
  items: readonly Candidate[],
  ledger: SubmitLedger | undefined,
  quota: RunQuota,
): Promise<void> {
  const { config, logger, retryPolicy, stop } = run;
  if (!client || !ledger || items.length === 0) return;
  // After a QuotaExceeded, what is left today, but never past this run's prefetch-limit.
  const reread = async (): Promise<number | undefined> => {
    const left = await readPreloadRemain(client, logger, retryPolicy, stop.sendSignal);
    if (quota.limit === undefined || quota.cap === undefined) return left;
    const sent = ledger.outcomes.filter((outcome) => outcome.status === 'submitted').length;
    return Math.max(0, Math.min(left ?? Infinity, quota.cap - sent));
  };
  const { batches } = packBatches(items, config.batchSize);
  await logger.group(`Submitting ${count(batches.length, 'PushObjectCache call')}`, () =>
    submitBatches(
      client,
      logger,
      {
        batches,
        batchSize: config.batchSize,
        push: config.push,
        concurrency: config.requestsPerSecond,
        retryPolicy,
        lookup: lookupPolicy(config.requestTimeoutMs),
        rereadQuota: reread,
        stop,
      },
      ledger,
    ),
  );
}

/**
 * With `refresh` (never in a dry run): the refresh tasks followed until they finish or `wait-timeout`
 * passes — when a slot waits for them (`awaited`) — and every candidate's refresh for the report.
 * Undefined with `refresh: false`.
 */
async function refreshWait(
  run: RunContext,
  client: AlibabaClient | undefined,
  refreshing: Refreshing,
  awaited: boolean,
): Promise<Refreshed | undefined> {
  const { sent, needs } = refreshing;
  const follow = followContext(run, client);
  if (!follow || sent === undefined) return undefined;
  if (!awaited && sent.accepted.size > 0) {
    run.logger.info(
      `Not waiting for the ${count(sent.accepted.size, 'refreshed URL')}: no prefetch slot is left for ` +
        (sent.accepted.size === 1
          ? 'it in this run (it is fresh once its refresh completes, and carried as refreshed with state).'
          : 'them in this run (they are fresh once their refresh completes, and carried as refreshed with state).'),
    );
  }
  const followed = awaited ? await waitForRefresh(follow, sent) : undefined;
  const urls = refreshOutcomes(needs, sent, followed);
  const notNeeded: NonNullable<RefreshSummary['notNeeded']> = {};
  for (const need of needs.values()) if (!need.needed) notNeeded[need.kind] = (notNeeded[need.kind] ?? 0) + 1;
  sent.summary.notNeeded = notNeeded;
  return { summary: sent.summary, urls };
}

/** With `wait` (never in a dry run): the prefetch tasks followed until they finish or `wait-timeout`. */
async function wait(run: RunContext, client: AlibabaClient | undefined, outcomes: readonly UrlOutcome[]) {
  const follow = followContext(run, client);
  return follow && waitForPrefetch(follow, outcomes);
}

/**
 * With `verify` (never in a dry run): the site asked for each URL once its prefetch has finished, and
 * with `site-dir` what it serves compared with the build. Also after a refusal: what visitors get then
 * is what the person must know.
 */
async function verify(run: RunContext, site: OpenSite | undefined, sent: RunResult): Promise<RunResult> {
  const { config, logger, stop } = run;
  if (config.verify === undefined) return sent;
  if (config.dryRun) {
    logger.notice('verify: not in a dry run, which refreshes and prefetches nothing to check.');
    return sent;
  }
  const scan = site?.config.siteDir === undefined ? undefined : site.planned?.scan;
  const targets = verifyTargets(sent.outcomes, scan ? expectedFromScan(scan) : () => undefined);
  const verified = await verifyEdge(targets, {
    options: config.verify,
    requestTimeoutMs: config.requestTimeoutMs,
    stop,
    logger,
    ignore: site?.config.contentIgnore,
    compared: scan !== undefined,
  });
  return { ...sent, verify: verified };
}

/** What the follow-through phases need; undefined when nothing is sent. */
function followContext(run: RunContext, client: AlibabaClient | undefined): FollowContext | undefined {
  const { config, logger, retryPolicy, stop } = run;
  if (!client || config.dryRun) return undefined;
  return {
    client,
    options: config.follow,
    logger,
    retryPolicy,
    lookup: lookupPolicy(config.requestTimeoutMs),
    stop,
    wording: config.wording,
  };
}

/** Every URL reported, none sent: the step fails with the refusal. */
function refused(
  run: RunContext,
  gathered: Gathered,
  client: AlibabaClient | undefined,
  refusal: Refusal,
): RunResult {
  return refusedResult(common(run, gathered, client), gathered.urls, refusal);
}

/** The parts of the result every ending shares. */
function common(run: RunContext, gathered: Gathered, client: AlibabaClient | undefined) {
  return {
    dryRun: run.config.dryRun,
    urls: gathered.urls,
    apiCalls: client?.sentCalls() ?? {},
    stopped: run.stop.reason,
    sitemap: gathered.sitemapResult,
    wording: run.config.wording,
  };
}

/** Writes the next state from every URL's outcome (never in a dry run); the site's part of the result. */
function close(run: RunContext, site: OpenSite, outcomes: readonly UrlOutcome[]): Promise<SiteResult> {
  return closeSite(site, run.config, { outcomes, stopped: run.stop.reason }, { logger: run.logger });
}

/** `save-sitemap`: saves the baseline and sends nothing; a run stopped first says the sitemap was not read. */
async function saveSitemapOnly(run: RunContext): Promise<RunResult> {
  const { config, logger, stop } = run;
  try {
    const saved = await saveBaseline(config, logger, reads(run));
    return emptyResult(config.dryRun, saved);
  } catch (error) {
    if (stop.reason === undefined || error instanceof ConfigError) throw error;
    return {
      ...emptyResult(config.dryRun, undefined),
      stopped: stop.reason,
      sitemap: notReadSitemap(stoppedFirst(stop.reason)),
    };
  }
}

/** How the sources read documents: stopped with the run, retried as the API calls are. */
function reads(run: RunContext): { signal: AbortSignal; retryPolicy: RetryPolicy } {
  return { signal: run.stop.sendSignal, retryPolicy: run.retryPolicy };
}
