/**
 * One gate for every call the run makes: the account-wide rate (requests-per-second, at most 50),
 * plus the lower per-API rates Alibaba publishes for the read-only calls.
 */
import { RateLimiter } from './rate-limiter.js';

/** Admits a call to the network; `release` is called when its answer (or failure) arrives. */
export interface CallGate {
  acquire(action: string, signal?: AbortSignal): Promise<{ release(): void }>;
}

const PER_ACTION_LIMITS: Record<string, number> = {
  DescribeRefreshQuota: 20,
  DescribeRefreshTaskById: 30,
  DescribeRefreshTasks: 5,
};

export function createCallGate(requestsPerSecond: number, now?: () => number): CallGate {
  const overall = new RateLimiter(requestsPerSecond, 1000, now);
  const perAction = new Map(
    Object.entries(PER_ACTION_LIMITS).map(([action, limit]) => [action, new RateLimiter(limit, 1000, now)]),
  );
  return {
    async acquire(action, signal) {
      const own = await perAction.get(action)?.acquire(signal);
      try {
        const shared = await overall.acquire(signal);
        return {
          release() {
            shared.release();
            own?.release();
          },
        };
      } catch (error) {
        own?.release();
        throw error;
      }
    },
  };
}
