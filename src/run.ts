/**
 * The run, as the list of its phases, and the owner of its lifetime: the deadline is armed at the start
 * and disposed of at the end, and the site opened before sending is closed after it however sending
 * ends. Every phase takes the one RunContext; the result is assembled in report/result.ts.
 *
 *   open the site     read the state, scan site-dir, plan what changed    sources/site.ts
 *   gather            urls, urls-file, the sitemap diff, the site's plan   sources/gather.ts
 *   open the client   credentials (none in a dry run without them)        credentials/
 *   read the quota, pack the batches                                      submit/quota.ts, batch/
 *   refresh           with `refresh`, before the prefetch                 follow/refresh.ts
 *   submit            PushObjectCache                                     submit/
 *   wait              with `wait` (or `verify`), for the prefetch tasks   follow/wait.ts
 *   verify            with `verify`, ask the site for each URL            verify/
 *   close the site    write the next state                                sources/site.ts
 *
 * Plain values in and out; the adapters (main.ts, cli.ts) do all the talking to the outside.
 */
import type { AlibabaClient } from './alibaba/client.js';
import { AlibabaError, ConfigError, isFatal } from './base/errors.js';
import type { Logger } from './base/logger.js';
import type { UrlOutcome } from './base/outcome.js';
import { packBatches, type Batches } from './batch/pack.js';
import type { Config } from './config/config.js';
import type { IdentityDeps } from './credentials/oidc-source.js';
import { openCredentials } from './credentials/open.js';
import type { CredentialProvider } from './credentials/provider.js';
import { RenewingClient } from './credentials/renewing-client.js';
import { refreshBeforePrefetch, type Refreshed } from './follow/refresh.js';
import { withFollowThrough } from './follow/result.js';
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
  quotaCutText,
  type OpenSite,
  type SiteResult,
} from './sources/site.js';
import { lookupPolicy } from './submit/confirm.js';
import { readPreloadRemain } from './submit/quota.js';
import { submitBatches, type SubmitResult } from './submit/submitter.js';
import type { PreparedUrls } from './urls/prepare.js';
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
  let quotaRemain: number | undefined;
  let batches: Batches;
  let refreshed: Refreshed | undefined;
  try {
    // A refusal before anything is submitted (credentials, a permission, a proxy) fails every URL unsent.
    client = await openClient(run, urls);
    quotaRemain = await readQuota(run, client, urls);
    batches = pack(run, urls, quotaRemain, site);
    refreshed = await refresh(run, client, batches);
  } catch (error) {
    if (!(error instanceof AlibabaError)) throw error;
    return refused(run, gathered, client, refusalOf(error));
  }
  const submitted = await submit(run, client, batches);
  const outcomes = inInputOrder(
    urls.rejected,
    skippedForQuota(batches, quotaRemain),
    submitted?.outcomes ?? unsentOutcomes(batches, run.config.dryRun, run.stop.reason),
  );
  const waited = await wait(run, client, outcomes);
  const followed = withFollowThrough(outcomes, refreshed, waited);
  return runResult({
    ...common(run, gathered, client),
    outcomes: followed.outcomes,
    quotaRemain,
    submitted,
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

/** The day's prefetch remainder: `daily-quota` when it is a number, else read from the API. */
async function readQuota(
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
  if (remain !== undefined) logger.info(`Daily prefetch quota: ${remain} URLs remain today.`);
  return remain;
}

/** The URLs within the quota, packed into calls; a line on what will be sent, a warning on what will not. */
function pack(
  run: RunContext,
  urls: PreparedUrls,
  quota: number | undefined,
  site: OpenSite | undefined,
): Batches {
  const { config, logger } = run;
  const batches = packBatches(urls.candidates, config.batchSize, quota);
  const packed = batches.batches.reduce((sum, batch) => sum + batch.items.length, 0);
  const hosts = new Set(batches.batches.map((batch) => batch.host)).size;
  logger.info(
    `Plan: ${packed} URLs in ${batches.batches.length} calls to ${hosts} host(s)` +
      (urls.duplicates ? `; ${urls.duplicates} duplicate entries merged` : '') +
      (batches.overQuota.length ? `; ${batches.overQuota.length} beyond the quota of ${quota}` : ''),
  );
  if (batches.overQuota.length > 0) {
    logger.warning(
      `${batches.overQuota.length} URLs skipped: the daily prefetch quota has ${quota} left. ` +
        (quotaCutText(site, config) ??
          'They are listed in the report; run again tomorrow or raise the quota.'),
    );
  }
  return batches;
}

/** With `refresh` (never in a dry run): the packed URLs refreshed first, so the prefetch replaces them. */
async function refresh(
  run: RunContext,
  client: AlibabaClient | undefined,
  batches: Batches,
): Promise<Refreshed | undefined> {
  const follow = followContext(run, client);
  return follow && refreshBeforePrefetch(follow, batches.batches);
}

/** PushObjectCache for every batch; undefined when nothing is sent (a dry run, no client). */
async function submit(
  run: RunContext,
  client: AlibabaClient | undefined,
  batches: Batches,
): Promise<SubmitResult | undefined> {
  const { config, logger, retryPolicy, stop } = run;
  if (!client || config.dryRun) return undefined;
  const total = batches.batches.reduce((sum, batch) => sum + batch.items.length, 0);
  return logger.group(`Submitting ${batches.batches.length} PushObjectCache calls`, () =>
    submitBatches(client, logger, {
      batches: batches.batches,
      batchSize: config.batchSize,
      push: config.push,
      concurrency: config.requestsPerSecond,
      retryPolicy,
      lookup: lookupPolicy(config.requestTimeoutMs),
      rereadQuota: () => readPreloadRemain(client, logger, retryPolicy, stop.sendSignal),
      stop,
      onProgress: (done) => logger.progress?.({ phase: 'submit', done, total }),
    }),
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
