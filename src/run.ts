/**
 * The run, as the list of its phases, and the owner of its lifetime: the deadline is armed at the start
 * and disposed of at the end, and the site opened before sending is closed after it however sending
 * ends. Every phase takes the one RunContext (phases/context.ts); the result is assembled in
 * report/result.ts.
 *
 *   open the site     read the state, scan site-dir, plan what changed    sources/site.ts
 *   gather            urls, urls-file, the sitemap diff, the site's plan   sources/gather.ts
 *   open the client   credentials (none in a dry run without them)        credentials/
 *   read the quota    the day's remainder, this run's prefetch-limit      phases/read-quota.ts
 *   refresh           what needs it (`refresh`), before any prefetch      phases/fresh-then-warm.ts
 *   allot the quota   over the plan, in its order                           (follow/fresh.ts,
 *   submit            PushObjectCache: what needs no refresh, at once       refresh.ts, allot.ts,
 *   wait for refresh  then submit the refreshed URLs within their slots     submit/)
 *   wait              with `wait` (or `verify`), for the prefetch tasks   follow/wait.ts
 *   verify            with `verify`, ask the site for each URL            verify/
 *   close the site    write the next state                                sources/site.ts
 *
 * Plain values in and out; the adapters (main.ts, cli.ts) do all the talking to the outside.
 */
import type { AlibabaClient } from './alibaba/client.js';
import { AlibabaError, ConfigError, isFatal } from './base/errors.js';
import type { UrlOutcome } from './base/outcome.js';
import type { Config } from './config/config.js';
import { openCredentials } from './credentials/open.js';
import type { CredentialProvider } from './credentials/provider.js';
import { RenewingClient } from './credentials/renewing-client.js';
import { heldBackOutcomes, withFollowThrough } from './follow/result.js';
import { waitForPrefetch } from './follow/wait.js';
import { followContext, reads, runContext, type RunContext, type RunDeps } from './phases/context.js';
import {
  afterRefresh,
  allotQuota,
  refresh,
  refreshWait,
  submit,
  submitLedger,
  type Refreshing,
} from './phases/fresh-then-warm.js';
import { readQuota } from './phases/read-quota.js';
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
import { stoppedFirst } from './runtime/stop.js';
import { notReadSitemap, sitemapResult, type SitemapResult } from './sitemap/changes.js';
import { gatherUrls, nothingToSend, saveBaseline, type GatheredUrls } from './sources/gather.js';
import { closeSite, openSite, plannedSite, type OpenSite, type SiteResult } from './sources/site.js';
import { capText, type RunQuota } from './submit/quota.js';
import type { Allotted } from './follow/allot.js';
import type { Candidate, PreparedUrls } from './urls/prepare.js';
import { expectedFromScan } from './verify/expected.js';
import { verifyTargets } from './verify/select.js';
import { verifyEdge } from './verify/verify.js';

export type { RunDeps } from './phases/context.js';

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
