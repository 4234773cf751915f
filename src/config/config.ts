/**
 * The one typed, validated configuration of a run. Both adapters (the action and the CLI) build it
 * from their own inputs with `parseConfig`; the core reads nothing else.
 */
import type { Credentials } from '../alibaba/signer.js';
import type { ChangeSelection, GitHubRepoAccess } from '../sitemap/index.js';
import type { ExcludeMatcher } from '../urls/exclude.js';
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

/** Follow-through (`refresh`, `wait`): what happens around the prefetch itself. */
export interface FollowOptions {
  /** Refresh the URLs about to be prefetched (RefreshObjectCaches), wait for it, then prefetch. */
  refresh: boolean;
  /** After submission, poll the prefetch tasks until every URL is Complete or Failed. */
  wait: boolean;
  /** Bound of each wait (the refresh wait, the prefetch wait), from its own start. */
  waitTimeoutMs: number;
  /** The shortest pause between two polls; it grows ×1.5 while nothing changes, up to 6×. */
  pollIntervalMs: number;
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
  /** AccessKey credentials; undefined with `oidc`, and in a dry run without credentials. */
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
  follow: FollowOptions;
  /** Role assumption with GitHub's OIDC token; set when `role-arn` is, and then `credentials` is not. */
  oidc?: OidcConfig;
  /** Set by the command line only (src/cli/). */
  cli?: CliSources;
  /** `exclude`: glob patterns on the URL path, applied to every source. */
  exclude: ExcludeMatcher;
  /** The sitemap source, when `sitemap` is set. */
  sitemap?: SitemapConfig;
  /** Where relative paths point: GITHUB_WORKSPACE, or the current folder. */
  workspace: string;
}

/** `sitemap` and its companions. */
export interface SitemapConfig {
  /** Workspace path or http(s) URL of the deployed sitemap or sitemap index. */
  sitemap: string;
  previousSitemap?: string;
  previousRef?: string;
  /** Repository access for `previous-ref`. */
  github?: GitHubRepoAccess;
  changes: ChangeSelection;
  includeImages: boolean;
  /** When set, the run only saves the sitemap as a flat baseline here and sends nothing. */
  saveSitemap?: string;
}

/** `role-arn` and its companions: STS AssumeRoleWithOIDC with the job's GitHub ID token. */
export interface OidcConfig {
  /** `acs:ram::<uid>:role/<name>`. */
  roleArn: string;
  /** `acs:ram::<uid>:oidc-provider/<name>`. */
  oidcProviderArn: string;
  /** 2–64 characters of [A-Za-z0-9.@_-]. */
  roleSessionName: string;
  /** The ID token's `aud`; the RAM OIDC provider's client ID list must contain it. */
  audience: string;
  /** Asked-for lifetime of the STS credentials (900 up to the role's maximum). */
  durationSeconds: number;
  /** Origin of the STS API. */
  stsEndpoint: string;
  /**
   * Whether the job may request an ID token: the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and
   * ACTIONS_ID_TOKEN_REQUEST_TOKEN only with `permissions: id-token: write`.
   */
  idTokenRequestAvailable: boolean;
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
