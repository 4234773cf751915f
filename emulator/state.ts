/** Account state of the emulated CDN: daily quotas, the prefetch queue and the task records. */

export type QuotaName = 'Preload' | 'PreloadEdge' | 'Url' | 'Dir' | 'Regex' | 'IgnoreParams' | 'Block';
export const QUOTA_NAMES: readonly QuotaName[] = [
  'Preload',
  'PreloadEdge',
  'Url',
  'Dir',
  'Regex',
  'IgnoreParams',
  'Block',
];

/** What a task is of: a prefetch (`preload`), or a refresh of a file, a folder, a pattern. */
export type TaskObjectType = 'preload' | 'file' | 'directory' | 'regex' | 'ignoreParams';
export type TaskStatus = 'Complete' | 'Refreshing' | 'Failed' | 'Pending';

export interface Task {
  taskId: string;
  objectPath: string;
  objectType: TaskObjectType;
  domain: string;
  createdAt: number;
  durationMs: number;
  /** Description of the failure the task ends with, if it fails. */
  failure: string | undefined;
  /** Left by an earlier run (seedTasks), not by a call to this emulator. */
  seeded?: true;
}

/** A task as DescribeRefreshTaskById / DescribeRefreshTasks answer it. */
export interface TaskView {
  TaskId: string;
  ObjectPath: string;
  ObjectType: TaskObjectType;
  Status: TaskStatus;
  Process: string;
  CreationTime: string;
  Description?: string;
}

export interface StateOptions {
  quotas: Record<QuotaName, number>;
  queueCapacity: number;
  taskDurationMs: number;
  refreshTaskDurationMs: number;
  taskDurationFor: ((url: string, objectType: TaskObjectType) => number | undefined) | undefined;
  mergeWindowMs: number;
  failUrls: ((url: string) => string | undefined) | undefined;
  failRefreshUrls: ((url: string) => string | undefined) | undefined;
  now: () => number;
  /** Told of every task recorded (accepted or seeded), so the edge can apply it when it ends. */
  onTasks?: (tasks: readonly Task[]) => void;
}

const DAY_MS = 86_400_000;
/** Alibaba resets the daily quotas at midnight in UTC+8. */
const QUOTA_DAY_OFFSET_MS = 8 * 3_600_000;
/** Alibaba merges at most 500 URLs into one task ID. */
const MAX_URLS_PER_TASK_ID = 500;
/** Task look-ups only see the last 3 days. */
export const TASK_RETENTION_MS = 3 * DAY_MS;

/** Second-precision UTC timestamp, the format of CreationTime and STS Expiration. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class CdnState {
  readonly tasks: Task[] = [];
  private readonly tasksById = new Map<string, Task[]>();
  private readonly remain = new Map<QuotaName, number>();
  private quotaDay: number;
  /** Pending prefetch URLs, as (finish time, URL count) per call, drained in submission order. */
  private readonly queue: { finishAt: number; count: number }[] = [];
  private pending = 0;
  private readonly mergeGroups = new Map<string, { taskId: string; bucket: number; size: number }>();
  private nextTaskId = 95_248_880;

  constructor(private readonly opts: StateOptions) {
    this.quotaDay = this.currentQuotaDay();
    this.resetQuotas();
  }

  /** The API's clock. */
  now(): number {
    return this.opts.now();
  }

  quota(name: QuotaName): number {
    return this.opts.quotas[name];
  }

  remaining(name: QuotaName): number {
    this.rollQuotaDay();
    return this.remain.get(name) ?? 0;
  }

  setRemaining(name: QuotaName, n: number): void {
    this.rollQuotaDay();
    this.remain.set(name, Math.max(0, Math.floor(n)));
  }

  spend(name: QuotaName, n: number): void {
    this.setRemaining(name, this.remaining(name) - n);
  }

  /** Prefetch URLs accepted but not yet finished. */
  pendingPrefetches(): number {
    const now = this.opts.now();
    while (this.queue.length > 0 && (this.queue[0]?.finishAt ?? Infinity) <= now) {
      this.pending -= this.queue.shift()?.count ?? 0;
    }
    return this.pending;
  }

  get queueCapacity(): number {
    return this.opts.queueCapacity;
  }

  /**
   * Records one task per URL and returns the task IDs joined by ',' in order of each domain's first
   * appearance. URLs of one domain submitted within the same merge window share an ID, as on Alibaba.
   */
  addTasks(
    action: string,
    objectType: TaskObjectType,
    urls: readonly { url: string; domain: string }[],
  ): string {
    const now = this.opts.now();
    const typeDuration =
      objectType === 'preload' ? this.opts.taskDurationMs : this.opts.refreshTaskDurationMs;
    const ids: string[] = [];
    const added: Task[] = [];
    let longest = 0;
    for (const { url, domain } of urls) {
      const taskId = this.taskIdFor(`${action}|${objectType}|${domain}`, now);
      if (!ids.includes(taskId)) ids.push(taskId);
      const failure = objectType === 'preload' ? this.opts.failUrls?.(url) : this.opts.failRefreshUrls?.(url);
      const duration = Math.max(0, this.opts.taskDurationFor?.(url, objectType) ?? typeDuration);
      longest = Math.max(longest, duration);
      const task: Task = {
        taskId,
        objectPath: url,
        objectType,
        domain,
        createdAt: now,
        durationMs: duration,
        failure,
      };
      this.tasks.push(task);
      added.push(task);
      const sameId = this.tasksById.get(taskId);
      if (sameId) sameId.push(task);
      else this.tasksById.set(taskId, [task]);
    }
    this.opts.onTasks?.(added);
    if (objectType === 'preload' && urls.length > 0) {
      // One entry per call; the queue is processed in order, so the call ends with its longest task.
      this.queue.push({ finishAt: now + longest, count: urls.length });
      this.pending += urls.length;
    }
    return ids.join(',');
  }

  /**
   * Records tasks an earlier run left, created at `createdAt`, under one new ID: no quota spent, no
   * place in the queue. Returns the ID.
   */
  seedTasks(
    objectType: TaskObjectType,
    urls: readonly { url: string; domain: string }[],
    createdAt: number,
  ): string {
    const taskId = String(this.nextTaskId++);
    const duration = objectType === 'preload' ? this.opts.taskDurationMs : this.opts.refreshTaskDurationMs;
    const tasks = urls.map(({ url, domain }) => ({
      taskId,
      objectPath: url,
      objectType,
      domain,
      createdAt,
      durationMs: duration,
      failure: undefined,
      seeded: true as const,
    }));
    this.tasks.push(...tasks);
    this.tasksById.set(taskId, [...(this.tasksById.get(taskId) ?? []), ...tasks]);
    this.opts.onTasks?.(tasks);
    return taskId;
  }

  /** The still-visible tasks (one per URL) recorded under a task ID. */
  visibleTasksWithId(taskId: string): Task[] {
    const since = this.opts.now() - TASK_RETENTION_MS;
    return (this.tasksById.get(taskId) ?? []).filter((t) => t.createdAt >= since);
  }

  /** Tasks still visible to look-ups (the last 3 days). */
  visibleTasks(): Task[] {
    const since = this.opts.now() - TASK_RETENTION_MS;
    return this.tasks.filter((t) => t.createdAt >= since);
  }

  /** Status and progress computed from the elapsed time: linear progress, Pending until it reaches 1%. */
  view(task: Task): TaskView {
    const elapsed = this.opts.now() - task.createdAt;
    const base = {
      TaskId: task.taskId,
      ObjectPath: task.objectPath,
      ObjectType: task.objectType,
      CreationTime: isoSeconds(task.createdAt),
    };
    if (elapsed >= task.durationMs) {
      if (task.failure !== undefined)
        return { ...base, Status: 'Failed', Process: '100%', Description: task.failure };
      return { ...base, Status: 'Complete', Process: '100%' };
    }
    const progress = Math.max(0, Math.min(99, Math.floor((elapsed * 100) / task.durationMs)));
    return { ...base, Status: progress === 0 ? 'Pending' : 'Refreshing', Process: `${progress}%` };
  }

  private taskIdFor(key: string, now: number): string {
    const window = this.opts.mergeWindowMs;
    const bucket = window > 0 ? Math.floor(now / window) : NaN;
    const group = this.mergeGroups.get(key);
    if (window > 0 && group && group.bucket === bucket && group.size < MAX_URLS_PER_TASK_ID) {
      group.size++;
      return group.taskId;
    }
    const taskId = String(this.nextTaskId++);
    this.mergeGroups.set(key, { taskId, bucket, size: 1 });
    return taskId;
  }

  private currentQuotaDay(): number {
    return Math.floor((this.opts.now() + QUOTA_DAY_OFFSET_MS) / DAY_MS);
  }

  private rollQuotaDay(): void {
    const day = this.currentQuotaDay();
    if (day !== this.quotaDay) {
      this.quotaDay = day;
      this.resetQuotas();
    }
  }

  private resetQuotas(): void {
    for (const name of QUOTA_NAMES) this.remain.set(name, this.opts.quotas[name]);
  }
}
