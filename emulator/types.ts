/** Public types of the Alibaba CDN / STS emulator. */
import type { Edge, EdgeOptions } from './edge.js';
import type { TaskObjectType } from './state.js';

export interface EmulatorOptions {
  /** AccessKeyId -> AccessKeySecret; default { 'test-ak-id': 'test-ak-secret' }. */
  credentials?: Record<string, string>;
  /** Accelerated domains (host names, '*.example.com' for wildcards); default www.example.com, example.com, static.example.com, cdn.example.com online. */
  domains?: Record<string, 'online' | 'offline'>;
  /** Daily prefetch quota (PreloadQuota; PreloadRemain starts equal), default 1000. */
  preloadQuota?: number;
  /** Daily URL refresh quota (UrlQuota / UrlRemain), default 10000. */
  refreshUrlQuota?: number;
  /** PushObjectCache URLs per call, default 100. */
  maxUrlsPerCall?: number;
  /** PushObjectCache and RefreshObjectCaches calls (each in its own window) per sliding 1 s window by arrival time, default 50. */
  rateLimitPerSecond?: number;
  /** Per-action override of any rate limit (calls per sliding second); 0 = unlimited. Extension of the spec. */
  rateLimits?: Record<string, number>;
  /** Max pending (not yet finished) prefetch URLs, default 100000; beyond -> PreloadQueueFull. */
  queueCapacity?: number;
  /** Added before every answer. */
  latencyMs?: number | (() => number);
  /** How long a prefetch/refresh task takes to reach Complete; default 0 = at once. */
  taskDurationMs?: number;
  /** How long a refresh (RefreshObjectCaches) task takes; default taskDurationMs. */
  refreshTaskDurationMs?: number;
  /** Per-URL duration of a task, overriding the two above when it returns a number. */
  taskDurationFor?: (url: string, objectType: TaskObjectType) => number | undefined;
  /** Returns a failure Description for prefetch URLs whose task should end Failed. */
  failUrls?: (url: string) => string | undefined;
  /** Returns a failure Description for refresh URLs whose task should end Failed. */
  failRefreshUrls?: (url: string) => string | undefined;
  /**
   * PushObjectCache refuses the whole call with InvalidObjectPath.Malformed when this returns a reason
   * for one of its URLs: for URLs the real CDN refuses although they look valid to a client.
   */
  refuseUrls?: (url: string) => string | undefined;
  /**
   * How DescribeRefreshTaskById spells each task's ObjectPath (another spelling of the URL sent, say);
   * returning undefined leaves that task out of the answer. Default: the URL as sent. Extension of the spec.
   */
  answerObjectPath?: (url: string) => string | undefined;
  /** Actions answered with Forbidden.RAM. */
  denyActions?: string[];
  /**
   * DescribeRefreshTasks lists a task only this long after it was created (a task list that lags
   * behind acceptance); default 0. DescribeRefreshTaskById is not affected. Extension of the spec.
   */
  taskListLagMs?: number;
  /**
   * How DescribeRefreshQuota answers these fields instead of the real counts; `null` leaves the field
   * out. For odd answers: `{ PreloadRemain: '-5' }`. Extension of the spec.
   */
  quotaAnswers?: Record<string, string | null>;
  /** Tasks of the same domain and action submitted in the same window share one task ID; default 1000, 0 disables. */
  mergeWindowMs?: number;
  /** AssumeRoleWithOIDC behaviour; omitted = every well-formed JWT is accepted. */
  sts?: { acceptOidcToken: (jwt: string) => boolean | string; durationSeconds?: number };
  /** The API's clock (timestamps, nonce window, STS expiry, task progress, quota day); default Date.now. */
  now?: () => number;
  /** TCP port on 127.0.0.1; default 0 = any free port. Extension of the spec (used by cli.ts). */
  port?: number;
  /**
   * Starts the edge (the CDN as visitors see it) and its origin, two more servers on 127.0.0.1; the
   * refresh and prefetch tasks the API accepts act on its cache when they end. Default: no edge.
   */
  edge?: EdgeOptions | boolean;
}

export type FaultKind =
  | 'throttling'
  | 'service-unavailable'
  | 'internal-error'
  | 'service-busy'
  | 'queue-full'
  | 'reset-before'
  | 'reset-after'
  | 'hang'
  | 'html-502'
  | 'garbage-200'
  | 'empty-200'
  | 'empty-task-id'
  | 'xml-error'
  | 'delay'
  | 'sts-token-expired'
  | 'late-accept'
  | 'html-504-after'
  | 'json-500-after'
  | 'signature-mismatch'
  | 'echo-request'
  | 'stall-body';

export interface Fault {
  kind: FaultKind;
  /** Default PushObjectCache. */
  action?: string;
  /** 1-based index among all calls of that action since the emulator started; omitted = the next matching call. */
  nth?: number;
  /** How many consecutive matching calls get it, default 1. */
  times?: number;
  /** `delay`: the pause before the call is handled; `late-accept`: how long after the reset the action runs. */
  delayMs?: number;
  retryAfterMs?: number;
}

export interface CallRecord {
  seq: number;
  /** Wall-clock ms (Date.now) when the request arrived. */
  arrivedAt: number;
  /** Wall-clock ms when the answer was written; absent for resets and hangs. */
  answeredAt?: number;
  action: string;
  signatureVersion: 'v1' | 'v3' | 'none';
  /** All request params (query + form body; for V3 also Action/Version from the x-acs-* headers). */
  params: Record<string, string>;
  /** ObjectPath lines, for PushObjectCache / RefreshObjectCaches. */
  urls: string[];
  /** HTTP status answered; 0 when the socket was reset or left hanging. */
  status: number;
  code?: string;
  taskId?: string;
  /** The AccessKeyId the call was signed with, once its signature verified. */
  accessKeyId?: string;
  /** The call changed state (prefetch/refresh accepted), even if its answer was then lost. */
  accepted: boolean;
  fault?: FaultKind;
}

// Defined with the tasks (state.ts), which must not import this file: types.ts imports the edge.
export type { TaskObjectType };

export interface TaskRecord {
  taskId: string;
  url: string;
  objectType: TaskObjectType;
  /** `now()` when the task was accepted. */
  createdAt: number;
  /** `now()` from which the task reads Complete (or Failed). */
  endsAt: number;
  /** The Description it ends Failed with, if it fails. */
  failure?: string;
  /** Recorded by `seedTasks`: an earlier run's task, not accepted by any call to this emulator. */
  seeded?: true;
}

export interface IssuedStsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** ISO 8601 UTC, second precision, as STS answers it. */
  expiration: string;
  expiresAt: number;
}

export interface Emulator {
  readonly url: string;
  /** The edge, when started with `edge` (otherwise reading it throws, saying so). */
  readonly edge: Edge;
  readonly calls: CallRecord[];
  /** Every STS credential issued (AssumeRoleWithOIDC or issueStsCredentials), in order. */
  readonly issuedStsCredentials: IssuedStsCredentials[];
  injectFaults(...faults: Fault[]): void;
  /** Every URL accepted by PushObjectCache, in order, with its task ID (a URL accepted twice appears twice). */
  acceptedPrefetches(): { url: string; taskId: string }[];
  acceptedRefreshes(): { url: string; taskId: string }[];
  /** Every task record (one per URL accepted), in order, with when it was created and when it ends (emulator clock). */
  taskRecords(): TaskRecord[];
  /**
   * Records tasks as an earlier run's calls would have left them, created `ageMs` before now (one ID
   * for them all), without spending quota. They answer look-ups like any task, but are not counted by
   * acceptedPrefetches / acceptedRefreshes. Returns the task ID.
   */
  seedTasks(urls: readonly string[], options: { objectType: TaskObjectType; ageMs: number }): string;
  setPreloadRemain(n: number): void;
  setUrlRemain(n: number): void;
  /** Issues and registers STS credentials directly (for tests not going through OIDC). */
  issueStsCredentials(opts?: { expiresInMs?: number }): {
    accessKeyId: string;
    accessKeySecret: string;
    securityToken: string;
    expiration: string;
  };
  /**
   * Closes the connections that are idle (kept alive between calls) and counts those still open: a
   * connection whose answer is under way (a `hang` or `stall-body`) stays open until the client gives
   * it up, so 0 proves that every such client socket was closed.
   */
  closeIdleConnections(): number;
  close(): Promise<void>;
}

/**
 * The faults that can strike a PushObjectCache call and that a client must survive without losing
 * or doubling a URL: the fault matrix and the soak draw from this list.
 */
export const CALL_FAULT_KINDS: readonly FaultKind[] = [
  'throttling',
  'service-unavailable',
  'internal-error',
  'queue-full',
  'reset-before',
  'reset-after',
  'hang',
  'stall-body',
  'garbage-200',
  'empty-200',
  'empty-task-id',
  'html-502',
  'xml-error',
  'late-accept',
  'html-504-after',
  'json-500-after',
];
