/** Alibaba's own ceilings: the API refuses more, so the inputs may not ask for more. */
export const LIMITS = {
  maxBatchSize: 100,
  maxRequestsPerSecond: 50,
} as const;
