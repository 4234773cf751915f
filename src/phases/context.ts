/**
 * What every phase of a run takes: the run's context, made once by run.ts, and the views of it the
 * features ask for (how documents are read, what the follow-through needs).
 */
import type { AlibabaClient } from '../alibaba/client.js';
import type { Logger } from '../base/logger.js';
import type { Config } from '../config/config.js';
import type { IdentityDeps } from '../credentials/oidc-source.js';
import type { FollowContext } from '../follow/wait.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../runtime/retry.js';
import { RunStop } from '../runtime/stop.js';
import { lookupPolicy } from '../submit/confirm.js';

export interface RunDeps {
  logger: Logger;
  /** The adapter's handle for cancelling the run; the run arms its own deadline on it. */
  stop?: RunStop;
  retryPolicy?: RetryPolicy;
  /** GitHub's ID token and log masking, for `role-arn`; given by the action adapter. */
  identity?: IdentityDeps;
}

/** What every phase needs, travelling as one value. */
export interface RunContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly retryPolicy: RetryPolicy;
  /** The deadline and the cancel: `sendSignal` ends new work at once, `requestSignal` later. */
  readonly stop: RunStop;
  readonly identity: IdentityDeps | undefined;
}

export function runContext(config: Config, deps: RunDeps): RunContext {
  return {
    config,
    logger: deps.logger,
    retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
    stop: deps.stop ?? new RunStop(),
    identity: deps.identity,
  };
}

/** What the follow-through phases need; undefined when nothing is sent. */
export function followContext(run: RunContext, client: AlibabaClient | undefined): FollowContext | undefined {
  const { config, logger, retryPolicy, stop } = run;
  if (!client || config.dryRun) return undefined;
  return {
    client,
    options: config.follow,
    logger,
    retryPolicy,
    lookup: lookupPolicy(config.requestTimeoutMs),
    stop,
    wording: config.wording,
  };
}

/** How the sources read documents: stopped with the run, retried as the API calls are. */
export function reads(run: RunContext): { signal: AbortSignal; retryPolicy: RetryPolicy } {
  return { signal: run.stop.sendSignal, retryPolicy: run.retryPolicy };
}
