/**
 * The edge's cache and what the CDN's tasks do to it, as /work/shared/docs/edge.md describes: a
 * refresh expires the cached copies it names when its task completes; a prefetch, when its task
 * completes, pulls the origin's copy only if no valid copy is cached (otherwise it fills nothing); a
 * failed task does neither. Tasks are applied in the order they end, on the API's clock, one at a
 * time, before any visitor request is answered and whenever a task's end comes due.
 */
import { createHash } from 'node:crypto';
import type { OriginAnswer } from './origin.js';
import type { Task } from './state.js';

/** One URL's copy at the edge. */
export interface CachedCopy {
  body: Buffer;
  contentType: string;
  /** The API's clock when the copy was stored. */
  storedAt: number;
  sha256: string;
  /** The gzip form, made on first demand. */
  gzip?: Buffer;
}

/** Per URL: what the tasks did to it, and how visitors were answered. */
export interface EdgeCounters {
  /** Refresh tasks that completed and expired the URL (or a folder or pattern containing it). */
  refreshesCompleted: number;
  refreshesFailed: number;
  /** Prefetch tasks that completed and cached the origin's copy. */
  prefetchesFilled: number;
  /** Prefetch tasks that completed but filled nothing: a valid copy was cached, or the origin did not answer 200. */
  prefetchesNotFilled: number;
  /** Prefetch tasks that ended Failed at the CDN. */
  prefetchesFailed: number;
  hits: number;
  misses: number;
}

export type EdgeEventKind =
  'refresh-expired' | 'refresh-failed' | 'prefetch-filled' | 'prefetch-not-filled' | 'prefetch-failed';

/** What one task did when it ended. */
export interface EdgeEvent {
  /** The API's clock when the task ended. */
  at: number;
  kind: EdgeEventKind;
  url: string;
  taskId: string;
  /** Why a prefetch filled nothing, how many copies a refresh expired, a failure's Description. */
  detail: string;
}

/** Where a URL stands at the edge against the current deploy. */
export type Freshness = 'fresh-warm' | 'fresh-cold' | 'stale' | 'absent';

export interface EdgeInspection {
  url: string;
  /**
   * `fresh-warm`: the cached copy is the deploy's file; `fresh-cold`: nothing valid cached, the deploy
   * has the file (the next visitor gets it from the origin); `stale`: the cached copy differs from the
   * deploy's file (or the deploy has none); `absent`: neither cached nor in the deploy.
   */
  freshness: Freshness;
  cached?: { sha256: string; storedAt: number; bytes: number };
  /** The current deploy's answer for the URL (without origin faults). */
  deployed: { status: number; sha256?: string };
  counters: EdgeCounters;
}

export function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The cache key of a URL: host (lower case, no port) + path + query, escapes upper-cased. The scheme
 * is not part of it: a copy fetched over https is served over http too.
 */
export function cacheKey(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const upper = (text: string): string => text.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase());
  return `${parsed.hostname.toLowerCase()}${upper(parsed.pathname)}${upper(parsed.search)}`;
}

function emptyCounters(): EdgeCounters {
  return {
    refreshesCompleted: 0,
    refreshesFailed: 0,
    prefetchesFilled: 0,
    prefetchesNotFilled: 0,
    prefetchesFailed: 0,
    hits: 0,
    misses: 0,
  };
}

interface PendingTask {
  task: Task;
  endsAt: number;
  seq: number;
}

export interface EdgeCacheOptions {
  now: () => number;
  /** How long a stored copy stays valid; undefined: until a refresh expires it. */
  ttlMs: number | undefined;
  /** Pulls a URL from the origin (a real HTTP request). */
  pull: (url: URL) => Promise<OriginAnswer>;
  /** What the current deploy has for a URL path. */
  deployed: (urlPath: string) => OriginAnswer;
}

export class EdgeCache {
  readonly events: EdgeEvent[] = [];
  private readonly copies = new Map<string, CachedCopy>();
  private readonly counts = new Map<string, EdgeCounters>();
  private pending: PendingTask[] = [];
  private seq = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: EdgeCacheOptions) {}

  /**
   * Takes note of tasks the API accepted. A task that had already ended when it was recorded (an
   * earlier run's, from seedTasks) is history: not applied.
   */
  notice(tasks: readonly Task[]): void {
    const now = this.opts.now();
    for (const task of tasks) {
      const endsAt = task.createdAt + task.durationMs;
      if (task.seeded && endsAt <= now) continue;
      this.pending.push({ task, endsAt, seq: this.seq++ });
    }
    this.pending.sort((a, b) => a.endsAt - b.endsAt || a.seq - b.seq);
  }

  /** Tasks recorded but not yet applied: when the next one ends (API clock), or undefined. */
  nextEnd(): number | undefined {
    return this.pending[0]?.endsAt;
  }

  /** Applies every task that has ended, in the order they ended; one settling at a time. */
  settle(): Promise<void> {
    const settled = this.queue.then(() => this.applyDue());
    // A bug in one settling fails its callers loudly, without wedging every later one.
    this.queue = settled.catch(() => undefined);
    return settled;
  }

  valid(key: string): CachedCopy | undefined {
    const copy = this.copies.get(key);
    if (copy === undefined) return undefined;
    const ttl = this.opts.ttlMs;
    return ttl === undefined || this.opts.now() - copy.storedAt < ttl ? copy : undefined;
  }

  store(key: string, answer: OriginAnswer): CachedCopy {
    const copy = {
      body: answer.body,
      contentType: answer.contentType,
      storedAt: this.opts.now(),
      sha256: sha256(answer.body),
    };
    this.copies.set(key, copy);
    return copy;
  }

  clear(): void {
    this.copies.clear();
  }

  counters(key: string): EdgeCounters {
    let counters = this.counts.get(key);
    if (counters === undefined) {
      counters = emptyCounters();
      this.counts.set(key, counters);
    }
    return counters;
  }

  totals(): EdgeCounters {
    const sum = emptyCounters();
    for (const counters of this.counts.values()) {
      for (const name of Object.keys(sum) as (keyof EdgeCounters)[]) sum[name] += counters[name];
    }
    return sum;
  }

  async inspect(url: string): Promise<EdgeInspection> {
    await this.settle();
    const parsed = new URL(url);
    const key = cacheKey(parsed);
    const copy = this.valid(key);
    const answer = this.opts.deployed(parsed.pathname);
    const deployedHash = answer.status === 200 ? sha256(answer.body) : undefined;
    let freshness: Freshness;
    if (copy !== undefined) freshness = copy.sha256 === deployedHash ? 'fresh-warm' : 'stale';
    else freshness = deployedHash !== undefined ? 'fresh-cold' : 'absent';
    return {
      url,
      freshness,
      ...(copy ? { cached: { sha256: copy.sha256, storedAt: copy.storedAt, bytes: copy.body.length } } : {}),
      deployed: { status: answer.status, ...(deployedHash ? { sha256: deployedHash } : {}) },
      counters: { ...this.counters(key) },
    };
  }

  private async applyDue(): Promise<void> {
    for (let next = this.pending[0]; next && next.endsAt <= this.opts.now(); next = this.pending[0]) {
      this.pending.shift();
      await this.apply(next);
    }
  }

  private async apply({ task, endsAt }: PendingTask): Promise<void> {
    const event = (kind: EdgeEventKind, detail: string): void => {
      this.events.push({ at: endsAt, kind, url: task.objectPath, taskId: task.taskId, detail });
    };
    let key: string;
    try {
      key = cacheKey(task.objectPath);
    } catch {
      return; // a regex the URL parser cannot read names no single URL's counters
    }
    const counters = this.counters(key);
    if (task.objectType === 'preload') {
      if (task.failure !== undefined) {
        counters.prefetchesFailed++;
        return event('prefetch-failed', task.failure);
      }
      const reason = await this.prefetch(key, new URL(task.objectPath));
      if (reason === undefined) counters.prefetchesFilled++;
      else counters.prefetchesNotFilled++;
      return event(reason === undefined ? 'prefetch-filled' : 'prefetch-not-filled', reason ?? '');
    }
    if (task.failure !== undefined) {
      counters.refreshesFailed++;
      return event('refresh-failed', task.failure);
    }
    const expired = this.expire(task);
    counters.refreshesCompleted++;
    event('refresh-expired', `${expired} cached ${expired === 1 ? 'copy' : 'copies'} expired`);
  }

  /** Fills the cache from the origin unless a valid copy is there; returns why nothing was filled. */
  private async prefetch(key: string, url: URL): Promise<string | undefined> {
    if (this.valid(key) !== undefined) return 'a valid copy was cached: a prefetch does not replace it';
    try {
      const answer = await this.opts.pull(url);
      if (answer.status !== 200) return `the origin answered ${answer.status}`;
      this.store(key, answer);
      return undefined;
    } catch (error) {
      return `the origin could not be reached: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Deletes the copies a refresh task names; returns how many. */
  private expire(task: Task): number {
    const matches = refreshMatcher(task);
    let expired = 0;
    for (const key of [...this.copies.keys()]) {
      if (matches(key)) {
        this.copies.delete(key);
        expired++;
      }
    }
    return expired;
  }
}

/** Which cache keys a refresh task covers: a file, a folder and everything under it, a pattern, a path with any query. */
function refreshMatcher(task: Task): (key: string) => boolean {
  switch (task.objectType) {
    case 'directory': {
      const prefix = cacheKey(task.objectPath);
      return (key) => key.startsWith(prefix);
    }
    case 'regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^${task.objectPath.replace(/^https?:\/\//i, '')}$`);
      } catch {
        return () => false;
      }
      return (key) => pattern.test(key);
    }
    case 'ignoreParams': {
      const bare = cacheKey(task.objectPath).replace(/\?.*$/s, '');
      return (key) => key.replace(/\?.*$/s, '') === bare;
    }
    default: {
      const exact = cacheKey(task.objectPath);
      return (key) => key === exact;
    }
  }
}
