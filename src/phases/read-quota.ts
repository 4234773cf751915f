/**
 * The phase that reads the quota: how many URLs this run may prefetch, from the day's remainder and
 * `prefetch-limit`.
 */
import type { AlibabaClient } from '../alibaba/client.js';
import { count } from '../base/text.js';
import { readPreloadRemain, runQuota, type RunQuota } from '../submit/quota.js';
import type { PreparedUrls } from '../urls/prepare.js';
import type { RunContext } from './context.js';

/**
 * What this run may prefetch: the day's remainder (`daily-quota` when it is a number, else read from
 * the API), and with `prefetch-limit` this run's part of it.
 */
export async function readQuota(
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
