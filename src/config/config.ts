/**
 * The one typed, validated configuration of a run. Both adapters (the action and the CLI) build it
 * from their own inputs with `parseConfig`; the core reads nothing else.
 */
import type { Credentials } from '../alibaba/signer.js';
import type { SitemapConfig } from '../sitemap/changes.js';
import type { ExcludeMatcher } from '../urls/exclude.js';
import type { SignatureVersion } from '../alibaba/client.js';
import type { PushOptions } from '../alibaba/operations.js';
import type { OidcConfig } from '../credentials/sts-oidc.js';
import type { FollowOptions } from '../follow/options.js';
import type { FailOn } from '../report/verdict.js';
import type { SiteSourceConfig } from '../sources/site.js';
import type { VerifyOptions } from '../verify/options.js';
import type { Wording } from '../base/wording.js';
import type { PrefetchLimit } from '../submit/quota.js';

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
  /** `prefetch-limit`: this run's part of the day's quota, a number of URLs or a share; unset: all of it. */
  prefetchLimit?: PrefetchLimit;
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
  /** `verify`: the site asked for each changed URL once the prefetch tasks have finished; undefined when off. */
  verify?: VerifyOptions;
  /** Role assumption with GitHub's OIDC token; set when `role-arn` is, and then `credentials` is not. */
  oidc?: OidcConfig;
  /** Set by the command line only (src/cli/). */
  cli?: CliSources;
  /** `exclude`: glob patterns on the URL path, applied to every source. */
  exclude: ExcludeMatcher;
  /** The sitemap source, when `sitemap` is set (with `site-dir`: only the files' priorities). */
  sitemap?: SitemapConfig;
  /** `site-dir` and `state` with their companions, when either is set. */
  site?: SiteSourceConfig;
  /** Where relative paths point: GITHUB_WORKSPACE, or the current folder. */
  workspace: string;
  /** Warnings and notices about the configuration, for the adapter to show before the run. */
  messages: ConfigMessage[];
  /** Who reads the messages: what to change is named as an input (the action) or a flag (the CLI). */
  wording: Wording;
}

/** Something about the configuration a person should read, though nothing is wrong enough to stop. */
export interface ConfigMessage {
  level: 'warning' | 'notice';
  text: string;
}

/** What the adapter knows about where the run happens, beside the inputs. */
export interface AdapterContext {
  /** Inside GitHub Actions: the workflow run's context (src/main.ts reads it with @actions/github). */
  github?: GitHubContext;
  /** The CLI's `--urls-file -`: the list comes from standard input. */
  urlsFromStdin?: boolean;
  /** The command line: messages name flags, not inputs (base/wording.ts). The action by default. */
  wording?: Wording;
}

export interface GitHubContext {
  /** The workflow's repository; undefined when the runner names none. */
  repository?: { owner: string; repo: string } | undefined;
  /** GitHub's REST API, e.g. https://api.github.com (GHES has its own). */
  apiUrl: string;
  /** From the event's payload: a push's previous commit and whether the push was forced. */
  event?: { before?: string | undefined; forced?: boolean | undefined } | undefined;
}

/** What the command line gives the run that a workflow cannot. */
export interface CliSources {
  /** `--urls-file -`: the list read from standard input, in urls-file's format. */
  urlsFileStdin?: string;
}
