/** The CDN API operations cdn-prefetch uses, typed, over one-attempt calls. */
import type { PushOptions } from '../config/config.js';
import { stringField } from './answer.js';
import type { AlibabaClient } from './client.js';

export interface PushResult {
  /** PushTaskId as returned: may hold several comma-separated IDs, or be empty. */
  taskId: string;
  requestId: string | undefined;
}

export async function pushObjectCache(
  client: AlibabaClient,
  urls: readonly string[],
  push: PushOptions,
): Promise<PushResult> {
  const query: Record<string, string> = { ObjectPath: urls.join('\n') };
  if (push.area !== undefined) query['Area'] = push.area;
  if (push.l2Preload !== undefined) query['L2Preload'] = String(push.l2Preload);
  if (push.withHeader !== undefined) query['WithHeader'] = push.withHeader;
  if (push.queryHashkey !== undefined) query['QueryHashkey'] = String(push.queryHashkey);
  const { fields, requestId } = await client.call('PushObjectCache', query);
  return { taskId: stringField(fields, 'PushTaskId')?.trim() ?? '', requestId };
}

export interface RefreshQuota {
  preloadRemain: number;
  preloadQuota: number;
  urlRemain: number;
  urlQuota: number;
}

/** DescribeRefreshQuota; every value arrives as a string. */
export async function describeRefreshQuota(client: AlibabaClient): Promise<RefreshQuota> {
  const { fields } = await client.call('DescribeRefreshQuota', {});
  const number = (name: string): number => {
    const value = Number(stringField(fields, name));
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`DescribeRefreshQuota: ${name} is missing or not a number in the answer`);
    }
    return value;
  };
  return {
    preloadRemain: number('PreloadRemain'),
    preloadQuota: number('PreloadQuota'),
    urlRemain: number('UrlRemain'),
    urlQuota: number('UrlQuota'),
  };
}

/** Splits a PushTaskId / RefreshTaskId into its IDs. */
export function splitTaskIds(taskId: string): string[] {
  return taskId
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}
