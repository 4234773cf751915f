/**
 * The run, as a short list of phases: read the site (site-dir, state), collect URLs, read the quota,
 * plan, submit, assemble the result, write the state.
 * Plain values in and out; the adapters (main.ts, cli.ts) do all the talking to the outside.
 */
import type { AlibabaClient } from './alibaba/client.js';
import { adviceFor } from './alibaba/errors.js';
import { AlibabaError, isFatal } from './base/errors.js';
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
import { countOutcomes, type UrlOutcome } from './base/outcome.js';
import { createCallGate } from './runtime/gate.js';
import { readPreloadRemain } from './submit/quota.js';
import { lookupPolicy } from './submit/confirm.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './runtime/retry.js';
import { RunStop } from './runtime/stop.js';
import { submitBatches } from './submit/submitter.js';
import type { SitemapUrls } from './sitemap/index.js';
import type { RunResult, SavedSitemap } from './base/result.js';
import {
  gatherEntries,
  nothingToSend,
  saveBaseline,
  withChanges,
  type GatherOptions,
  type GatheredEntries,
  type PlannedSite,
} from './sources/gather.js';
import { keepingState, openSite, plannedSite, type OpenSite } from './sources/site.js';
import { prepareUrls, type PreparedUrls } from './urls/prepare.js';
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
  if (config.sitemap?.saveSitemap) {
    const saved = await saveBaseline(config, logger, { signal: stop.sendSignal, retryPolicy });
    return emptyResult(config, saved);
  }
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
  const options = { signal: stop.sendSignal, retryPolicy };
  const { collected, gathered } = await collect(config, logger, options, site && plannedSite(site));
  const sitemap = gathered.sitemap;
  if (collected.candidates.length === 0 && collected.rejected.length === 0) {
    const { level, message } = nothingToSend(gathered);
    logger[level](message);
  }
  try {
    const credentials =
      collected.candidates.length > 0
        ? await openCredentials(config, { logger, retryPolicy, identity, signal: stop.sendSignal })
        : undefined;
    const client = credentials ? createClient(config, credentials, logger, stop) : undefined;
    const quotaRemain = await resolveQuota(config, client, collected, logger, retryPolicy);
    const plan = planBatches(collected.candidates, config.batchSize, quotaRemain);
    logPlan(plan, collected, quotaRemain, logger);
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
    const sent =
      client && !config.dryRun ? await submit(client, config, plan, logger, retryPolicy, stop) : undefined;
    const sorted = [
      ...collected.rejected,
      ...skippedForQuota(plan, quotaRemain),
      ...(sent?.outcomes ?? plannedOutcomes(plan)),
    ].sort((a, b) => a.order - b.order);
    const waited = follow && (await waitForPrefetch(follow, sorted));
    const { outcomes: followedOutcomes, follow: followed } = withFollowThrough(sorted, refreshed, waited);
    const outcomes = withChanges(followedOutcomes, collected.changes);
    return assembleResult(config, outcomes, {
      collected,
      quotaRemain,
      client,
      sent,
      stop,
      followed,
      sitemap,
    });
  } catch (error) {
    if (error instanceof AlibabaError && isFatal(error.errorClass)) {
      throw new AlibabaError(`${error.message}. ${adviceFor(error)}`, error);
    }
    throw error;
  }
}

interface RunParts {
  collected: PreparedUrls;
  quotaRemain: number | undefined;
  client: AlibabaClient | undefined;
  sent: Awaited<ReturnType<typeof submitBatches>> | undefined;
  stop: RunStop;
  followed: FollowResult | undefined;
  sitemap: SitemapUrls | undefined;
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
    ...(sitemap
      ? {
          sitemap: {
            counts: sitemap.counts,
            baseline: sitemap.baseline,
            ...(sitemap.baselineProblem ? { baselineProblem: sitemap.baselineProblem } : {}),
            notes: sitemap.notes,
          },
        }
      : {}),
  };
}

async function collect(
  config: Config,
  logger: Logger,
  options: GatherOptions,
  site: PlannedSite | undefined,
): Promise<{ collected: PreparedUrls; gathered: GatheredEntries }> {
  const gathered = await gatherEntries(config, logger, options, site);
  const collected = prepareUrls(gathered.entries, {
    baseUrl: config.baseUrl,
    domains: config.domains,
    exclude: config.exclude,
  });
  // One line per kind of mistake, not one per entry: a sitemap can hold thousands.
  for (const [reason, { count, examples }] of collected.invalidByReason) {
    const more = count > examples.length ? `; …and ${count - examples.length} more` : '';
    const entries = count === 1 ? '1 entry' : `${count} entries`;
    logger.warning(`${entries} failed, each ${reason} — ${examples.join('; ')}${more}`);
  }
  return { collected, gathered };
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
): Promise<number | undefined> {
  if (typeof config.dailyQuota === 'number') return config.dailyQuota;
  if (collected.candidates.length === 0) return undefined;
  if (!client) {
    logger.notice(
      'dry-run without credentials: the daily prefetch quota was not read, so the plan is not capped by it.',
    );
    return undefined;
  }
  const remain = await readPreloadRemain(client, logger, retryPolicy);
  if (remain !== undefined) logger.info(`Daily prefetch quota: ${remain} URLs remain today.`);
  return remain;
}

function logPlan(plan: Plan, collected: PreparedUrls, quota: number | undefined, logger: Logger): void {
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
        'They are listed in the report; run again tomorrow or raise the quota.',
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
      rereadQuota: () => readPreloadRemain(client, logger, retryPolicy),
      stop,
      onProgress: (done) => logger.progress?.({ phase: 'submit', done, total }),
    }),
  );
}

function skippedForQuota(plan: Plan, quota: number | undefined): UrlOutcome[] {
  return plan.overQuota.map((item) => ({
    url: item.url,
    status: 'skipped',
    reason: `quota: the daily prefetch quota had ${quota} URLs left`,
    skip: 'quota',
    source: item.source,
    order: item.order,
  }));
}

function plannedOutcomes(plan: Plan): UrlOutcome[] {
  return plan.batches.flatMap((batch) =>
    batch.items.map((item) => ({
      url: item.url,
      status: 'planned' as const,
      source: item.source,
      order: item.order,
    })),
  );
}

function distinctTaskIds(outcomes: readonly UrlOutcome[]): string[] {
  const ids = new Set<string>();
  for (const outcome of outcomes) for (const id of splitTaskIds(outcome.taskId ?? '')) ids.add(id);
  return [...ids];
}
