/** The CDN API operations cdn-prefetch uses, typed, over one-attempt calls. */
import { stringField, type ApiFields } from './answer.js';
import type { AlibabaClient, ServerClock } from './client.js';

/** PushObjectCache's optional parameters; undefined means "not sent". */
export interface PushOptions {
  area?: 'domestic' | 'overseas';
  l2Preload?: boolean;
  /** JSON text of an object whose values are arrays of strings, validated. */
  withHeader?: string;
  queryHashkey?: boolean;
}

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

/** A count from DescribeRefreshQuota: a whole number ≥ 0, or undefined with what the answer held instead. */
export type QuotaCount = { value: number } | { value: undefined; answered: string };

export interface RefreshQuota {
  preloadRemain: QuotaCount;
  preloadQuota: QuotaCount;
  urlRemain: QuotaCount;
  urlQuota: QuotaCount;
}

/**
 * DescribeRefreshQuota; every value arrives as a string. A value that is not a whole number ≥ 0
 * (missing, empty, negative, fractional, `Infinity`, text) is returned as unreadable, never guessed
 * at: the caller decides what an unreadable quota means.
 */
export async function describeRefreshQuota(client: AlibabaClient): Promise<RefreshQuota> {
  const { fields } = await client.call('DescribeRefreshQuota', {});
  const count = (name: string): QuotaCount => quotaCount(fields[name]);
  return {
    preloadRemain: count('PreloadRemain'),
    preloadQuota: count('PreloadQuota'),
    urlRemain: count('UrlRemain'),
    urlQuota: count('UrlQuota'),
  };
}

/** Reads one quota value: digits only (as a string or a JSON number), at most 2^53 − 1. */
export function quotaCount(value: unknown): QuotaCount {
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  if (text !== undefined && /^\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
    return { value: Number(text) };
  }
  return { value: undefined, answered: text === undefined ? 'nothing' : JSON.stringify(text) };
}

export interface RefreshResult {
  /** RefreshTaskId as returned: one ID per domain of the call, comma-separated, or empty. */
  taskId: string;
  requestId: string | undefined;
}

/** The most URLs and distinct domains one RefreshObjectCaches call may carry. */
export const REFRESH_LIMITS = { maxUrls: 1000, maxDomains: 10 } as const;

/** RefreshObjectCaches of files (`ObjectType=File`); ObjectPath and ObjectType go in the form body, as the SDK sends them. */
export async function refreshObjectCaches(
  client: AlibabaClient,
  urls: readonly string[],
): Promise<RefreshResult> {
  const { fields, requestId } = await client.call(
    'RefreshObjectCaches',
    {},
    {
      ObjectPath: urls.join('\n'),
      ObjectType: 'File',
    },
  );
  return { taskId: stringField(fields, 'RefreshTaskId')?.trim() ?? '', requestId };
}

/** The most task IDs one DescribeRefreshTaskById call may ask about. */
export const MAX_TASK_IDS_PER_LOOKUP = 10;

/** DescribeRefreshTaskById: every task (one per URL) recorded under up to 10 task IDs. */
export async function describeRefreshTaskById(
  client: AlibabaClient,
  taskIds: readonly string[],
): Promise<CdnTask[]> {
  if (taskIds.length === 0 || taskIds.length > MAX_TASK_IDS_PER_LOOKUP) {
    throw new Error(
      `DescribeRefreshTaskById takes 1 to ${MAX_TASK_IDS_PER_LOOKUP} task IDs, not ${taskIds.length}`,
    );
  }
  const { fields } = await client.call('DescribeRefreshTaskById', { TaskId: taskIds.join(',') });
  return tasksOf(fields);
}

/** Splits a PushTaskId / RefreshTaskId into its IDs. */
export function splitTaskIds(taskId: string): string[] {
  return taskId
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

export interface CdnTask {
  taskId: string;
  objectPath: string;
  objectType: string;
  status: string;
  process?: string;
  creationTime?: string;
  description?: string;
}

export interface TaskQuery {
  objectPath?: string;
  domainName?: string;
  objectType?: 'file' | 'directory' | 'regex' | 'preload';
  /** ISO 8601 UTC. */
  startTime?: string;
  endTime?: string;
  pageNumber?: number;
  pageSize?: number;
}

/** DescribeRefreshTasks: one page of tasks matching the filters (note the `Tasks.CDNTask` wrapper). */
export async function describeRefreshTasks(
  client: AlibabaClient,
  query: TaskQuery,
): Promise<{ tasks: CdnTask[]; totalCount: number; clock?: ServerClock }> {
  const params: Record<string, string> = {};
  if (query.objectPath !== undefined) params['ObjectPath'] = query.objectPath;
  if (query.domainName !== undefined) params['DomainName'] = query.domainName;
  if (query.objectType !== undefined) params['ObjectType'] = query.objectType;
  if (query.startTime !== undefined) params['StartTime'] = query.startTime;
  if (query.endTime !== undefined) params['EndTime'] = query.endTime;
  if (query.pageNumber !== undefined) params['PageNumber'] = String(query.pageNumber);
  if (query.pageSize !== undefined) params['PageSize'] = String(query.pageSize);
  const { fields, clock } = await client.call('DescribeRefreshTasks', params);
  const tasks = tasksOf(fields);
  return {
    tasks,
    totalCount: Number(stringField(fields, 'TotalCount') ?? tasks.length) || 0,
    ...(clock ? { clock } : {}),
  };
}

/**
 * The task list of an answer: DescribeRefreshTaskById documents a flat `Tasks` array, DescribeRefreshTasks
 * wraps it as `Tasks.CDNTask`; either is accepted from either.
 */
function tasksOf(fields: ApiFields): CdnTask[] {
  const wrapper = fields['Tasks'];
  const list = Array.isArray(wrapper)
    ? wrapper
    : typeof wrapper === 'object' && wrapper !== null
      ? (wrapper as Record<string, unknown>)['CDNTask']
      : undefined;
  return (Array.isArray(list) ? list : []).map(toTask).filter((t): t is CdnTask => t !== undefined);
}

/** Reads one task entry; Alibaba's field names, our types. */
export function toTask(value: unknown): CdnTask | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const taskId = stringField(fields, 'TaskId');
  const objectPath = stringField(fields, 'ObjectPath');
  if (taskId === undefined || objectPath === undefined) return undefined;
  const optional = (name: string): string | undefined => stringField(fields, name);
  const process = optional('Process');
  const creationTime = optional('CreationTime');
  const description = optional('Description');
  return {
    taskId,
    objectPath,
    objectType: optional('ObjectType') ?? '',
    status: optional('Status') ?? '',
    ...(process !== undefined ? { process } : {}),
    ...(creationTime !== undefined ? { creationTime } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}
