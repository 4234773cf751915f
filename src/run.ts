/**
 * The run, as a short list of phases: read the site (site-dir, state), collect URLs, read the quota,
 * plan, submit, assemble the result, write the state.
 * Plain values in and out; the adapters (main.ts, cli.ts) do all the talking to the outside.
 */
import type { AlibabaClient } from './alibaba/client.js';
import { adviceFor } from './alibaba/errors.js';
import { AlibabaError, ConfigError, isFatal } from './base/errors.js';
import { splitTaskIds } from './alibaba/operations.js';
import type { Config } from './config/config.js';
import type { IdentityDeps } from './credentials/oidc-source.js';
import { openCredentials } from './credentials/open.js';
import { RenewingClient } from './credentials/renewing-client.js';
import type { CredentialProvider } from './credentials/provider.js';
import { refreshBeforePrefetch } from './follow/refresh.js';
import { withFollowThrough } from './follow/result.js';
import type { FollowResult } from './base/follow.js';
import { waitForPrefetch, type FollowContext } from './follow/wait.js';
import { planBatches, type Plan } from './plan/planner.js';
import { countOutcomes, type NotSent, type UrlOutcome } from './base/outcome.js';
import { createCallGate } from './runtime/gate.js';
import { readPreloadRemain } from './submit/quota.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './runtime/retry.js';
import { notSentReason, RunStop } from './runtime/stop.js';
import { lookupPolicy } from './submit/confirm.js';
import { submitBatches } from './submit/submitter.js';
import {
  emptyDiffCounts,
  type RunResult,
  type SavedSitemap,
  type SitemapResult,
  type StopReason,
} from './base/result.js';
import type { SitemapUrls } from './sitemap/index.js';
import {
  gatherEntries,
  nothingToSend,
  saveBaseline,
  withChanges,
  type GatheredEntries,
  type PlannedSite,
} from './sources/gather.js';
import { keepingState, openSite, plannedSite, quotaCutText, type OpenSite } from './sources/site.js';
import { prepareUrls, type Candidate, type PreparedUrls } from './urls/prepare.js';
import type { Logger } from './base/logger.js';

export interface RunDeps {
  logger: Logger;
  /** The adapter's handle for cancelling the run; the run arms its own deadline on it. */
  stop?: RunStop;
  retryPolicy?: RetryPolicy;
  /** GitHub's ID token and log masking, for `role-arn`; given by the action adapter. */
  identity?: IdentityDeps;
}

function emptyResult(config: Config, saved: SavedSitemap | undefined): RunResult {
  return {
    outcomes: [],
    counts: countOutcomes([]),
    taskIds: [],
    requestIds: [],
    duplicates: 0,
    dryRun: config.dryRun,
    calls: 0,
    apiCalls: {},
    retries: 0,
    confirmedByLookup: 0,
    ...(saved ? { savedSitemap: saved } : {}),
  };
}

export async function runPrefetch(config: Config, deps: RunDeps): Promise<RunResult> {
  const { logger } = deps;
  const retryPolicy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const stop = deps.stop ?? new RunStop();
  // Calls in flight at the deadline get a moment to answer: their task IDs belong in the report.
  stop.armDeadline(config.timeoutMs, Math.min(5_000, config.requestTimeoutMs));
  try {
    return await runPhases(config, logger, retryPolicy, stop, deps.identity);
  } finally {
    stop.dispose();
  }
}

async function runPhases(
  config: Config,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
  identity: IdentityDeps | undefined,
): Promise<RunResult> {
  if (config.sitemap?.saveSitemap) return saveOnly(config, logger, retryPolicy, stop);
  const site = await openSite(config, logger, { signal: stop.sendSignal, retryPolicy });
  // From here on, however the run ends, the state is written (not in a dry run).
  return keepingState(site, config, () => sendPhases(config, logger, retryPolicy, stop, identity, site), {
    logger,
    stopReason: () => stop.reason,
  });
}

async function sendPhases(
  config: Config,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
  identity: IdentityDeps | undefined,
  site: OpenSite | undefined,
): Promise<RunResult> {
  const planned = site && plannedSite(site);
  const { collected, gathered, sitemap, failure } = await collect(config, logger, retryPolicy, stop, planned);
  if (failure) {
    const why = { fatal: failure.message, reason: 'not sent: the sitemap could not be read' };
    return refusedResult(config, why, { collected, client: undefined, stop, sitemap });
  }
  if (collected.candidates.length === 0 && collected.rejected.length === 0 && !sitemap?.notRead) {
    const { level, message } = nothingToSend(gathered);
    logger[level](message);
  }
  let client: AlibabaClient | undefined;
  let ready: Awaited<ReturnType<typeof prepare>>;
  try {
    client = await openClient(config, collected, logger, retryPolicy, stop, identity);
    ready = await prepare(config, client, collected, logger, retryPolicy, stop, quotaCutText(site, config));
  } catch (error) {
    if (!(error instanceof AlibabaError)) throw error;
    return refusedResult(config, refusalOf(error), { collected, client, stop, sitemap });
  }
  const { quotaRemain, plan, follow, refreshed } = ready;
  const sent =
    client && !config.dryRun ? await submit(client, config, plan, logger, retryPolicy, stop) : undefined;
  const sorted = [
    ...collected.rejected,
    ...skippedForQuota(plan, quotaRemain),
    ...(sent?.outcomes ?? unsentOutcomes(plan, config, stop)),
  ].sort((a, b) => a.order - b.order);
  const waited = follow && (await waitForPrefetch(follow, sorted));
  const { outcomes: followedOutcomes, follow: followed } = withFollowThrough(sorted, refreshed, waited);
  const outcomes = withChanges(followedOutcomes, collected.changes);
  return assembleResult(config, outcomes, { collected, quotaRemain, client, sent, stop, followed, sitemap });
}

/** What comes before sending: the quota, the plan, and the refresh when asked for. */
async function prepare(
  config: Config,
  client: AlibabaClient | undefined,
  collected: PreparedUrls,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
  siteCut: string | undefined,
) {
  const quotaRemain = await resolveQuota(config, client, collected, logger, retryPolicy, stop);
  const plan = planBatches(collected.candidates, config.batchSize, quotaRemain);
  logPlan(plan, collected, quotaRemain, logger, siteCut);
  const follow: FollowContext | undefined =
    client && !config.dryRun
      ? {
          client,
          options: config.follow,
          logger,
          retryPolicy,
          lookup: lookupPolicy(config.requestTimeoutMs),
          stop,
        }
      : undefined;
  const refreshed = follow && (await refreshBeforePrefetch(follow, plan.batches));
  return { quotaRemain, plan, follow, refreshed };
}

/** What a refusal before sending says: the step's failure (with advice), and each URL's reason. */
function refusalOf(error: AlibabaError): { fatal: string; reason: string } {
  return {
    fatal: isFatal(error.errorClass) ? `${error.message}. ${adviceFor(error)}` : error.message,
    reason: `not sent: the run stopped at ${error.code ?? error.message}`,
  };
}

/**
 * A failure before anything was submitted (an unreadable sitemap, credentials, a proxy, the quota
 * read): every URL is still reported, as not sent for `reason`, and the step fails with `fatal`.
 */
function refusedResult(
  config: Config,
  why: { fatal: string; reason: string },
  parts: Pick<RunParts, 'collected' | 'client' | 'stop' | 'sitemap'>,
): RunResult {
  const unsent = failedOutcomes(parts.collected.candidates, why.reason, 'stopped');
  const failed = [...parts.collected.rejected, ...unsent];
  const outcomes = withChanges(
    failed.sort((a, b) => a.order - b.order),
    parts.collected.changes,
  );
  const all = { ...parts, quotaRemain: undefined, sent: undefined, followed: undefined };
  return { ...assembleResult(config, outcomes, all), fatal: why.fatal };
}

/** `save-sitemap`: saves the baseline and sends nothing; a run stopped first says the sitemap was not read. */
async function saveOnly(
  config: Config,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
): Promise<RunResult> {
  try {
    const saved = await saveBaseline(config, logger, { signal: stop.sendSignal, retryPolicy });
    return emptyResult(config, saved);
  } catch (error) {
    if (stop.reason === undefined || error instanceof ConfigError) throw error;
    return { ...emptyResult(config, undefined), stopped: stop.reason, sitemap: notReadSitemap(stop.reason) };
  }
}

interface RunParts {
  collected: PreparedUrls;
  quotaRemain: number | undefined;
  client: AlibabaClient | undefined;
  sent: Awaited<ReturnType<typeof submitBatches>> | undefined;
  stop: RunStop;
  followed: FollowResult | undefined;
  sitemap: SitemapResult | undefined;
}

function assembleResult(config: Config, outcomes: UrlOutcome[], parts: RunParts): RunResult {
  const { collected, quotaRemain, client, sent, stop, followed, sitemap } = parts;
  return {
    outcomes,
    counts: countOutcomes(outcomes),
    taskIds: distinctTaskIds(outcomes),
    requestIds: sent?.requestIds ?? [],
    duplicates: collected.duplicates,
    ...(quotaRemain !== undefined ? { quotaRemain } : {}),
    dryRun: config.dryRun,
    calls: client?.sentCalls()['PushObjectCache'] ?? 0,
    apiCalls: client?.sentCalls() ?? {},
    retries: sent?.retries ?? 0,
    confirmedByLookup: sent?.confirmedByLookup ?? 0,
    ...(stop.reason ? { stopped: stop.reason } : {}),
    ...(sent?.fatal ? { fatal: `${sent.fatal.message}. ${adviceFor(sent.fatal)}` } : {}),
    ...(followed ? { follow: followed } : {}),
    ...(sitemap ? { sitemap } : {}),
  };
}

/** The URLs of every source; `failure` when the sitemap could not be read (not when the run stopped). */
async function collect(
  config: Config,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
  site: PlannedSite | undefined,
): Promise<{ collected: PreparedUrls; gathered: GatheredEntries; sitemap?: SitemapResult; failure?: Error }> {
  const gathered = await gatherEntries(config, logger, { signal: stop.sendSignal, retryPolicy }, site);
  const collected = prepareUrls(gathered.entries, {
    baseUrl: config.baseUrl,
    domains: config.domains,
    exclude: config.exclude,
  });
  gathered.entries = []; // prepared: a million entries must not stay for the rest of the run
  // One line per kind of mistake, not one per entry: a sitemap can hold thousands.
  for (const [reason, { count, examples }] of collected.invalidByReason) {
    const more = count > examples.length ? `; …and ${count - examples.length} more` : '';
    const entries = count === 1 ? '1 entry' : `${count} entries`;
    logger.warning(`${entries} failed, each ${reason} — ${examples.join('; ')}${more}`);
  }
  const failure = gathered.sitemapFailure;
  if (failure && stop.reason) {
    const outcome = notReadSitemap(stop.reason);
    logger.warning(`sitemap: not read (${outcome.notRead}); the other entries are reported.`);
    return { collected, gathered, sitemap: outcome };
  }
  if (failure) {
    const outcome = { counts: emptyDiffCounts(), baseline: undefined, notes: [], notRead: failure.message };
    return { collected, gathered, sitemap: outcome, failure };
  }
  return { collected, gathered, ...(gathered.sitemap ? { sitemap: sitemapResult(gathered.sitemap) } : {}) };
}

function sitemapResult(sitemap: SitemapUrls): SitemapResult {
  return {
    counts: sitemap.counts,
    baseline: sitemap.baseline,
    ...(sitemap.baselineProblem ? { baselineProblem: sitemap.baselineProblem } : {}),
    notes: sitemap.notes,
  };
}

function notReadSitemap(reason: StopReason): SitemapResult {
  const why = reason === 'deadline' ? 'the run reached its timeout first' : 'the run was cancelled first';
  return { counts: emptyDiffCounts(), baseline: undefined, notes: [], notRead: why };
}

/** The API client, or undefined: nothing to send, no credentials (a dry run), or the run has stopped. */
async function openClient(
  config: Config,
  collected: PreparedUrls,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
  identity: IdentityDeps | undefined,
): Promise<AlibabaClient | undefined> {
  if (collected.candidates.length === 0 || stop.stopped) return undefined;
  let credentials: CredentialProvider | undefined;
  try {
    credentials = await openCredentials(config, { logger, retryPolicy, identity, signal: stop.sendSignal });
  } catch (error) {
    // Stopped while the role was being assumed: nothing was sent, and a refusal is not the story.
    if (stop.stopped && !(error instanceof AlibabaError && isFatal(error.errorClass))) return undefined;
    throw error;
  }
  return credentials ? createClient(config, credentials, logger, stop) : undefined;
}

function createClient(
  config: Config,
  credentials: CredentialProvider,
  logger: Logger,
  stop: RunStop,
): AlibabaClient {
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

async function resolveQuota(
  config: Config,
  client: AlibabaClient | undefined,
  collected: PreparedUrls,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
): Promise<number | undefined> {
  if (typeof config.dailyQuota === 'number') return config.dailyQuota;
  if (collected.candidates.length === 0 || stop.stopped) return undefined;
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

function logPlan(
  plan: Plan,
  collected: PreparedUrls,
  quota: number | undefined,
  logger: Logger,
  siteCut: string | undefined,
): void {
  const planned = plan.batches.reduce((sum, batch) => sum + batch.items.length, 0);
  const hosts = new Set(plan.batches.map((batch) => batch.host)).size;
  logger.info(
    `Plan: ${planned} URLs in ${plan.batches.length} calls to ${hosts} host(s)` +
      (collected.duplicates ? `; ${collected.duplicates} duplicate entries merged` : '') +
      (plan.overQuota.length ? `; ${plan.overQuota.length} beyond the quota of ${quota}` : ''),
  );
  if (plan.overQuota.length > 0) {
    logger.warning(
      `${plan.overQuota.length} URLs skipped: the daily prefetch quota has ${quota} left. ` +
        (siteCut ?? 'They are listed in the report; run again tomorrow or raise the quota.'),
    );
  }
}

async function submit(
  client: AlibabaClient,
  config: Config,
  plan: Plan,
  logger: Logger,
  retryPolicy: RetryPolicy,
  stop: RunStop,
): ReturnType<typeof submitBatches> {
  const total = plan.batches.reduce((sum, batch) => sum + batch.items.length, 0);
  return logger.group(`Submitting ${plan.batches.length} PushObjectCache calls`, () =>
    submitBatches(client, logger, {
      batches: plan.batches,
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

function skippedForQuota(plan: Plan, quota: number | undefined): UrlOutcome[] {
  const reason = `quota: the daily prefetch quota had ${quota} URLs left`; // one string for them all
  return plan.overQuota.map((item) => ({
    url: item.url,
    status: 'skipped',
    reason,
    skip: 'quota',
    source: item.source,
    order: item.order,
  }));
}

/** The plan's URLs when nothing was submitted: planned in a dry run, failed when the run stopped first. */
function unsentOutcomes(plan: Plan, config: Config, stop: RunStop): UrlOutcome[] {
  const items = plan.batches.flatMap((batch) => batch.items);
  if (stop.reason && !config.dryRun) return failedOutcomes(items, notSentReason(stop.reason), stop.reason);
  return items.map((item) => ({ url: item.url, status: 'planned', source: item.source, order: item.order }));
}

/** Never sent, and why (`notSent`, which carry-over reads). */
function failedOutcomes(items: readonly Candidate[], reason: string, notSent: NotSent): UrlOutcome[] {
  return items.map((item) => ({
    url: item.url,
    status: 'failed',
    reason,
    notSent,
    source: item.source,
    order: item.order,
  }));
}

function distinctTaskIds(outcomes: readonly UrlOutcome[]): string[] {
  const ids = new Set<string>();
  for (const outcome of outcomes) for (const id of splitTaskIds(outcome.taskId ?? '')) ids.add(id);
  return [...ids];
}
