/** The CDN API actions (Version 2018-05-10): parameter checks, limits and state changes. */
import { ApiError, invalidParameter, missingParameter } from './errors.js';
import { QUOTA_NAMES, type CdnState, type QuotaName, type TaskObjectType, type TaskView } from './state.js';

export interface CdnContext {
  state: CdnState;
  domains: Readonly<Record<string, 'online' | 'offline'>>;
  maxUrlsPerCall: number;
  /** How DescribeRefreshTaskById spells a task's ObjectPath; undefined leaves the task out of the answer. */
  answerObjectPath?: ((url: string) => string | undefined) | undefined;
  refuseUrls?: ((url: string) => string | undefined) | undefined;
  /** DescribeRefreshTasks lists a task only this long after its creation. */
  taskListLagMs?: number | undefined;
  /** DescribeRefreshQuota answers these fields so instead; null leaves one out. */
  quotaAnswers?: Readonly<Record<string, string | null>> | undefined;
}

export interface ActionResult {
  /** Answer fields, without RequestId (the server adds it). */
  body: Record<string, unknown>;
  taskId?: string;
  /** The call changed state. */
  accepted: boolean;
}

type Params = Readonly<Record<string, string>>;
type Action = (params: Params, ctx: CdnContext) => ActionResult;

const MAX_URL_LENGTH = 1024;
const MAX_REFRESH_URLS = 1000;
const MAX_REFRESH_DOMAINS = 10;
const MAX_TASK_IDS = 10;

/** ObjectPath lines, split on \n or \r\n; empty lines are ignored, as Alibaba does. */
export function splitObjectPath(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(/\r?\n/).filter((line) => line !== '');
}

function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

function oneOf(params: Params, name: string, allowed: readonly string[]): string | undefined {
  const value = params[name];
  if (value !== undefined && !allowed.includes(value))
    throw invalidParameter(name, value, `expected ${allowed.join(' or ')}`);
  return value;
}

function malformed(url: string, why: string): ApiError {
  return new ApiError(
    400,
    'InvalidObjectPath.Malformed',
    `The specified ObjectPath is malformed: ${why}: ${url.slice(0, 200)}`,
  );
}

/**
 * Host name of a URL the CDN accepts: http(s)://host[:port]/..., at most 1,024 characters, printable
 * ASCII only (non-ASCII and spaces must arrive percent-encoded), well-formed %XY escapes.
 */
export function urlHost(url: string, opts: { strictChars: boolean } = { strictChars: true }): string {
  if (url.length > MAX_URL_LENGTH) throw malformed(url, `longer than ${MAX_URL_LENGTH} characters`);
  if (opts.strictChars && /[^\x21-\x7e]/.test(url))
    throw malformed(url, 'raw space, control or non-ASCII character (percent-encode it)');
  if (opts.strictChars && /%(?![0-9A-Fa-f]{2})/.test(url)) throw malformed(url, 'bad percent-encoding');
  const m = /^https?:\/\/([^/?#]*)(?:[/?#].*)?$/i.exec(url);
  if (!m) throw malformed(url, 'expected http:// or https:// followed by the domain');
  const host = /^([A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(m[1] ?? '')?.[1];
  if (!host || host.startsWith('.') || host.endsWith('.') || host.includes('..'))
    throw malformed(url, 'bad host');
  return host.toLowerCase();
}

/** Whether `host` is one of the account's domains (wildcards match subdomains), and its status. */
export function domainStatus(domains: CdnContext['domains'], host: string): 'online' | 'offline' | undefined {
  for (const [name, status] of Object.entries(domains)) {
    const d = name.toLowerCase();
    if (d === host || (d.startsWith('*.') && host.endsWith(d.slice(1)))) return status;
  }
  return undefined;
}

/** Refuses the whole call when any host is not an online accelerated domain of the account. */
function checkDomains(ctx: CdnContext, hosts: Iterable<string>): void {
  for (const host of hosts) {
    const status = domainStatus(ctx.domains, host);
    if (status === undefined)
      throw new ApiError(
        404,
        'InvalidDomain.NotFound',
        `The domain ${host} does not exist or does not belong to you.`,
      );
    if (status === 'offline')
      throw new ApiError(
        404,
        'InvalidDomain.Offline',
        `The domain ${host} is offline. Check the status of the domain and try again later.`,
      );
  }
}

function checkBoolean(params: Params, name: string): void {
  oneOf(params, name, ['true', 'false']);
}

function checkWithHeader(value: string | undefined): void {
  if (value === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParameter('WithHeader', value, 'not JSON');
  }
  const ok =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!ok) throw invalidParameter('WithHeader', value, 'expected a JSON object of string arrays');
}

const pushObjectCache: Action = (params, ctx) => {
  const urls = splitObjectPath(required(params, 'ObjectPath'));
  oneOf(params, 'Area', ['domestic', 'overseas']);
  checkBoolean(params, 'L2Preload');
  checkBoolean(params, 'QueryHashkey');
  checkWithHeader(params['WithHeader']);
  if (urls.length === 0) throw malformed('', 'no URL');
  if (urls.length > ctx.maxUrlsPerCall) {
    throw new ApiError(
      400,
      'InvalidObjectPath.ExceedsMaximum',
      `The number of URLs exceeds the maximum of ${ctx.maxUrlsPerCall}.`,
    );
  }
  const entries = urls.map((url) => {
    const refused = ctx.refuseUrls?.(url);
    if (refused !== undefined) throw malformed(url, refused);
    return { url, domain: urlHost(url) };
  });
  checkDomains(ctx, new Set(entries.map((e) => e.domain)));
  const { state } = ctx;
  if (urls.length > state.remaining('Preload')) {
    throw new ApiError(
      400,
      'QuotaExceeded.Preload',
      `Your daily prefetch quota is used up: ${state.remaining('Preload')} URLs left today.`,
    );
  }
  if (state.pendingPrefetches() + urls.length > state.queueCapacity) {
    throw new ApiError(
      403,
      'PreloadQueueFull',
      'The prefetch queue of your account is full. Try again later.',
    );
  }
  state.spend('Preload', urls.length);
  const taskId = state.addTasks('PushObjectCache', 'preload', entries);
  return { body: { PushTaskId: taskId }, taskId, accepted: true };
};

const REFRESH_TYPES: Readonly<Record<string, { quota: QuotaName; taskType: TaskObjectType }>> = {
  file: { quota: 'Url', taskType: 'file' },
  directory: { quota: 'Dir', taskType: 'directory' },
  regex: { quota: 'Regex', taskType: 'regex' },
  ignoreparams: { quota: 'IgnoreParams', taskType: 'ignoreParams' },
};

const refreshObjectCaches: Action = (params, ctx) => {
  const urls = splitObjectPath(required(params, 'ObjectPath'));
  const objectType = params['ObjectType'] ?? 'File';
  const type = REFRESH_TYPES[objectType.toLowerCase()];
  if (!type)
    throw invalidParameter('ObjectType', objectType, 'expected File, Directory, Regex or IgnoreParams');
  checkBoolean(params, 'Force');
  if (urls.length === 0) throw malformed('', 'no URL');
  if (urls.length > MAX_REFRESH_URLS) {
    throw new ApiError(
      400,
      'InvalidObjectPath.ExceedsMaximum',
      `The number of URLs exceeds the maximum of ${MAX_REFRESH_URLS}.`,
    );
  }
  const entries = urls.map((url) => {
    const domain = urlHost(url, { strictChars: type.taskType !== 'regex' });
    if (type.taskType === 'directory' && !url.endsWith('/'))
      throw malformed(url, 'a directory must end with /');
    return { url, domain };
  });
  const hosts = new Set(entries.map((e) => e.domain));
  if (hosts.size > MAX_REFRESH_DOMAINS) {
    throw invalidParameter(
      'ObjectPath',
      `${hosts.size} domains`,
      `at most ${MAX_REFRESH_DOMAINS} domains per call`,
    );
  }
  checkDomains(ctx, hosts);
  const { state } = ctx;
  if (urls.length > state.remaining(type.quota)) {
    throw new ApiError(
      400,
      'QuotaExceeded.Refresh',
      `Your daily refresh quota is used up: ${state.remaining(type.quota)} left today.`,
    );
  }
  state.spend(type.quota, urls.length);
  const taskId = state.addTasks('RefreshObjectCaches', type.taskType, entries);
  return { body: { RefreshTaskId: taskId }, taskId, accepted: true };
};

const describeRefreshQuota: Action = (_params, { state, quotaAnswers }) => {
  const body: Record<string, string> = {};
  // Alibaba answers every quota value as a string.
  for (const name of QUOTA_NAMES) {
    body[`${name}Quota`] = String(state.quota(name));
    body[`${name}Remain`] = String(state.remaining(name));
  }
  for (const [field, value] of Object.entries(quotaAnswers ?? {})) {
    if (value === null) delete body[field];
    else body[field] = value;
  }
  return { body, accepted: false };
};

const describeRefreshTaskById: Action = (params, { state, answerObjectPath }) => {
  const ids = required(params, 'TaskId')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length > MAX_TASK_IDS) {
    throw new ApiError(
      400,
      'InvalidTaskId.ExceedsMaximum',
      `At most ${MAX_TASK_IDS} task IDs can be queried at a time.`,
    );
  }
  const bad = ids.find((id) => !/^\d+$/.test(id));
  if (bad !== undefined)
    throw new ApiError(400, 'InvalidTaskId.Malformed', `The specified TaskId is malformed: ${bad}`);
  const tasks = ids
    .flatMap((id) => state.visibleTasksWithId(id))
    .flatMap((t) => {
      if (!answerObjectPath) return [state.view(t)];
      const path = answerObjectPath(t.objectPath);
      return path === undefined ? [] : [{ ...state.view(t), ObjectPath: path }];
    });
  return { body: { TotalCount: tasks.length, Tasks: tasks }, accepted: false };
};

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?Z$/;

function timeParam(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const ms = ISO_UTC.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalidParameter(name, value, 'expected yyyy-MM-ddTHH:mm:ssZ');
  return ms;
}

function intParam(params: Params, name: string, fallback: number, min: number, max: number): number {
  const value = params[name];
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max))
    throw invalidParameter(name, value, `expected an integer from ${min} to ${max}`);
  return n;
}

const describeRefreshTasks: Action = (params, { state, taskListLagMs }) => {
  const objectType = oneOf(params, 'ObjectType', ['file', 'directory', 'regex', 'preload', 'ignoreParams']);
  const status = oneOf(params, 'Status', ['Complete', 'Refreshing', 'Failed', 'Pending']);
  const domain = params['DomainName']?.toLowerCase();
  // Alibaba requires ObjectType whenever DomainName or Status narrows the search.
  if ((domain !== undefined || status !== undefined) && objectType === undefined)
    throw missingParameter('ObjectType');
  const start = timeParam(params, 'StartTime');
  const end = timeParam(params, 'EndTime');
  if (start !== undefined && end !== undefined && end < start)
    throw invalidParameter('EndTime', params['EndTime'] ?? '', 'before StartTime');
  const pageNumber = intParam(params, 'PageNumber', 1, 1, 100_000);
  const pageSize = intParam(params, 'PageSize', 20, 1, 100);
  const taskId = params['TaskId'];
  const objectPath = params['ObjectPath'];

  const views: TaskView[] = [];
  const listedBy = state.now() - (taskListLagMs ?? 0);
  for (const task of state.visibleTasks().reverse()) {
    if (task.createdAt > listedBy) continue;
    const created = Math.floor(task.createdAt / 1000) * 1000;
    if (taskId !== undefined && task.taskId !== taskId) continue;
    if (objectPath !== undefined && task.objectPath !== objectPath) continue;
    if (domain !== undefined && task.domain !== domain) continue;
    if (objectType !== undefined && task.objectType !== objectType) continue;
    if ((start !== undefined && created < start) || (end !== undefined && created > end)) continue;
    const view = state.view(task);
    if (status === undefined || view.Status === status) views.push(view);
  }
  const page = views.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    body: { PageNumber: pageNumber, PageSize: pageSize, TotalCount: views.length, Tasks: { CDNTask: page } },
    accepted: false,
  };
};

export const CDN_ACTIONS: Readonly<Record<string, Action>> = {
  PushObjectCache: pushObjectCache,
  RefreshObjectCaches: refreshObjectCaches,
  DescribeRefreshQuota: describeRefreshQuota,
  DescribeRefreshTaskById: describeRefreshTaskById,
  DescribeRefreshTasks: describeRefreshTasks,
};

/** Per-second limits Alibaba documents for each action. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, number>> = {
  DescribeRefreshQuota: 20,
  DescribeRefreshTaskById: 30,
  DescribeRefreshTasks: 5,
  AssumeRoleWithOIDC: 100,
};
