/**
 * The one typed, validated configuration of a run. Both adapters (the action and the CLI) build it
 * from their own inputs with `parseConfig`; the core reads nothing else.
 */
import type { Credentials } from '../alibaba/signer.js';
import type { SignatureVersion } from '../alibaba/client.js';

export type FailOn = 'error' | 'skipped' | 'never';

/** PushObjectCache's optional parameters; undefined means "not sent". */
export interface PushOptions {
  area?: 'domestic' | 'overseas';
  l2Preload?: boolean;
  /** JSON text of an object whose values are arrays of strings, validated. */
  withHeader?: string;
  queryHashkey?: boolean;
}

export interface Config {
  /** The `urls` input, as given. */
  urlsText: string;
  /** Absolute path of `urls-file`, if set. */
  urlsFile?: string;
  /** Origin (scheme and host) that `/path` entries resolve against. */
  baseUrl?: string;
  /** Allow-listed hosts; empty means every host. */
  domains: string[];
  /** Undefined only in a dry run without credentials. */
  credentials?: Credentials;
  endpoint: string;
  signatureVersion: SignatureVersion;
  push: PushOptions;
  batchSize: number;
  /** 'auto' reads PreloadRemain; a number caps this run. */
  dailyQuota: 'auto' | number;
  requestsPerSecond: number;
  failOn: FailOn;
  dryRun: boolean;
  /** Where the JSON report goes. */
  reportDir: string;
  /** Per HTTP request, connect included (`request-timeout`). */
  requestTimeoutMs: number;
  /** For the whole run (`timeout`): then sending stops and the report is written. */
  timeoutMs: number;
  /** Set by the command line only (src/cli/). */
  cli?: CliSources;
}

/** What the command line gives the run that a workflow cannot. */
export interface CliSources {
  /** `--urls-file -`: the list read from standard input, in urls-file's format. */
  urlsFileStdin?: string;
}

/** Alibaba's own ceilings: the API refuses more, so the inputs may not ask for more. */
export const LIMITS = {
  maxBatchSize: 100,
  maxRequestsPerSecond: 50,
} as const;

/** A mistake in the inputs: always fails the step, whatever `fail-on` says. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
