/**
 * Fresh, then warm: the phases between the quota and the prefetch's follow-through. What changed in
 * place is refreshed first (follow/fresh.ts says which URLs); the quota is allotted over the plan in its
 * order (follow/allot.ts); what needs no refresh is prefetched at once, the refreshed URLs once their
 * refresh is Complete, in a second round; a warning says what is left, and why.
 */
import type { AlibabaClient } from '../alibaba/client.js';
import { count } from '../base/text.js';
import { packBatches } from '../batch/pack.js';
import { allotAfterRefresh, allotBeforeRefresh, type AfterRefresh, type Allotted } from '../follow/allot.js';
import { neededUrls, refreshNeeds, type RefreshNeed } from '../follow/fresh.js';
import {
  refreshOutcomes,
  sendRefreshes,
  waitForRefresh,
  type Refreshed,
  type RefreshSent,
} from '../follow/refresh.js';
import type { RefreshSummary } from '../follow/types.js';
import { heldBackCarryText, quotaCutText, type OpenSite } from '../sources/site.js';
import { lookupPolicy } from '../submit/confirm.js';
import { SubmitLedger } from '../submit/ledger.js';
import { capText, readPreloadRemain, type RunQuota } from '../submit/quota.js';
import { submitBatches } from '../submit/submitter.js';
import type { Candidate, PreparedUrls } from '../urls/prepare.js';
import { followContext, type RunContext } from './context.js';

/** What each URL needs of a refresh, and (not in a dry run) the refresh calls sent for those that need one. */
export interface Refreshing {
  needs: Map<string, RefreshNeed>;
  sent?: RefreshSent | undefined;
}

/**
 * With `refresh`: every URL that needs it refreshed now, in plan order within the refresh quota, its
 * prefetch waiting for a later run or not (never in a dry run: then only the need is known).
 */
export async function refresh(
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
export function allotQuota(
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
export function afterRefresh(
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
export function submitLedger(run: RunContext, first: Allotted<Candidate>): SubmitLedger {
  const total = first.ready.length + first.waiting.length;
  return new SubmitLedger((done) => run.logger.progress?.({ phase: 'submit', done, total }));
}

/** PushObjectCache for `items`, packed into calls; nothing without a ledger (a dry run, no client). */
export async function submit(
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
export async function refreshWait(
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
