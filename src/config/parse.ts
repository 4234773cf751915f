/**
 * Inputs → Config. A pure function of a name → value reader, the environment and the run's context,
 * so it is table-tested without mocks. Every value is parsed by the input spec (inputs.ts); then the
 * combinations are checked; then the credentials. All the mistakes found are thrown together.
 */
import path from 'node:path';
import os from 'node:os';
import type { Config, ConfigMessage, GitHubContext, AdapterContext } from './config.js';
import type { GitHubRepoAccess } from '../sitemap/git-baseline.js';
import type { SitemapConfig } from '../sitemap/changes.js';
import type { OidcConfig } from '../credentials/sts-oidc.js';
import type { FollowOptions } from '../follow/options.js';
import type { PushOptions } from '../alibaba/operations.js';
import type { Credentials } from '../alibaba/signer.js';
import type { SiteSourceConfig } from '../sources/site.js';
import { ConfigError } from '../base/errors.js';
import { INPUTS, readInputs, type InputReader } from './inputs.js';
import { CheckedInputs } from './problems.js';
import { defaultSessionName, isClearText } from './values.js';

export type { InputReader } from './inputs.js';
export { defaultSessionName } from './values.js';
export type Env = Record<string, string | undefined>;

/** Credentials from inputs, falling back to the variables aliyun/configure-aliyun-credentials-action exports. */
export function readCredentials(input: InputReader, env: Env): Partial<Credentials> {
  const pick = (name: 'access-key-id' | 'access-key-secret' | 'security-token'): string | undefined => {
    const variable = INPUTS[name].env;
    const value = input(name).trim() || (variable ? env[variable]?.trim() : '') || '';
    return value === '' ? undefined : value;
  };
  const accessKeyId = pick('access-key-id');
  const accessKeySecret = pick('access-key-secret');
  const securityToken = pick('security-token');
  return {
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(accessKeySecret ? { accessKeySecret } : {}),
    ...(securityToken ? { securityToken } : {}),
  };
}

export function parseConfig(
  input: InputReader,
  env: Env,
  credentials: Partial<Credentials>,
  context: AdapterContext = {},
): Config {
  const inputs = new CheckedInputs(readInputs(input));
  const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
  const follow = inputs.check(() => followOptions(inputs));
  const sitemap = inputs.check(() => sitemapConfig(inputs, workspace, context.github));
  // Two checks: one that needs content-ignore or carry-days must not hide base-url's.
  inputs.check(() => {
    const siteDir = inputs.get('site-dir');
    if (siteDir !== '') checkSiteDir(inputs, siteDir, inputs.get('state'), workspace);
  });
  const site = inputs.check(() => siteConfig(inputs));
  inputs.check(() => checkSaveSitemapAlone(inputs, context));
  const oidc = inputs.check(() => oidcConfig(inputs, env));
  // Credentials last: a wrong value is worth knowing before "no AccessKey found".
  const access = inputs.check(() => accessKeys(inputs, credentials));
  inputs.throwIfAny();
  const urlsFile = context.urlsFromStdin ? '' : inputs.get('urls-file');
  const baseUrl = inputs.get('base-url');
  const timeout = inputs.get('timeout');
  return {
    urlsText: inputs.get('urls'),
    ...(urlsFile ? { urlsFile: path.resolve(workspace, urlsFile) } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    domains: inputs.get('domains'),
    // With role-arn, the role's short-lived credentials replace any AccessKey.
    ...(oidc ? { oidc } : access),
    endpoint: inputs.get('endpoint'),
    signatureVersion: inputs.get('signature-version'),
    push: pushOptions(inputs),
    batchSize: inputs.get('batch-size'),
    dailyQuota: inputs.get('daily-quota'),
    requestsPerSecond: inputs.get('requests-per-second'),
    failOn: inputs.get('fail-on'),
    dryRun: inputs.get('dry-run'),
    reportDir: env['RUNNER_TEMP'] || os.tmpdir(),
    requestTimeoutMs: inputs.get('request-timeout') * 1000,
    timeoutMs: (timeout ?? defaultTimeoutSeconds(follow, refreshMayWait(inputs))) * 1000,
    follow,
    ...(inputs.get('verify') ? { verify: { limit: inputs.get('verify-limit') } } : {}),
    exclude: inputs.get('exclude'),
    ...(sitemap ? { sitemap } : {}),
    ...(site ? { site } : {}),
    workspace,
    messages: configMessages(inputs, oidc, context.github),
  };
}

function pushOptions(inputs: CheckedInputs): PushOptions {
  const push: PushOptions = {};
  const area = inputs.get('area');
  const l2Preload = inputs.get('l2-preload');
  const queryHashkey = inputs.get('query-hashkey');
  const withHeader = inputs.get('with-header');
  if (area !== undefined) push.area = area;
  if (l2Preload !== undefined) push.l2Preload = l2Preload;
  if (queryHashkey !== undefined) push.queryHashkey = queryHashkey;
  if (withHeader !== undefined) push.withHeader = withHeader;
  return push;
}

/**
 * `refresh`, `wait`, `wait-timeout` and `poll-interval`. `verify` waits for the prefetch tasks as `wait`
 * does: a check sent while a URL's prefetch is still running would be the first request to fill the
 * cache, and the prefetch would then fill nothing there (see verify/select.ts).
 */
function followOptions(inputs: CheckedInputs): FollowOptions {
  return {
    refresh: inputs.get('refresh'),
    wait: inputs.get('wait') || inputs.get('verify'),
    waitTimeoutMs: inputs.get('wait-timeout') * 1000,
    pollIntervalMs: inputs.get('poll-interval') * 1000,
  };
}

/**
 * The run's own deadline when `timeout` is not set: 10 minutes for sending, plus `wait-timeout` for each
 * wait that may happen, so that the default deadline never cuts a wait short of its own bound.
 */
function defaultTimeoutSeconds(follow: FollowOptions, refreshMayWait: boolean): number {
  const waits = (refreshMayWait ? 1 : 0) + (follow.wait ? 1 : 0);
  return 600 + (waits * follow.waitTimeoutMs) / 1000;
}

/**
 * Whether the run may wait for refresh tasks: with `refresh: true`, or with `refresh: changed` when a
 * source can say what changed in place (site-dir, state, a sitemap diff); a list alone never does.
 */
function refreshMayWait(inputs: CheckedInputs): boolean {
  const mode = inputs.get('refresh');
  if (mode === 'none' || mode === 'all') return mode === 'all';
  return inputs.get('site-dir') !== '' || inputs.get('state') !== '' || inputs.get('sitemap') !== '';
}

const SITEMAP_COMPANIONS = ['previous-sitemap', 'previous-ref', 'save-sitemap'] as const;

/** `sitemap`, `previous-sitemap`, `previous-ref`, `github-token`, `changes`, `include-images`, `save-sitemap`. */
function sitemapConfig(
  inputs: CheckedInputs,
  workspace: string,
  github: GitHubContext | undefined,
): SitemapConfig | undefined {
  const sitemap = inputs.get('sitemap');
  if (sitemap === '') {
    const set = SITEMAP_COMPANIONS.filter((name) => inputs.get(name) !== '');
    if (set.length > 0) {
      throw new ConfigError(
        `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but sitemap is empty; ` +
          "set sitemap to the deployed sitemap's path or URL.",
        set[0],
      );
    }
    return undefined;
  }
  const previousSitemap = inputs.get('previous-sitemap');
  const previousRef = inputs.get('previous-ref');
  const saveSitemap = inputs.get('save-sitemap');
  checkBaselineInputs(sitemap, previousSitemap, previousRef);
  checkSaveTarget(sitemap, saveSitemap, workspace);
  return {
    sitemap,
    ...(previousSitemap ? { previousSitemap } : {}),
    ...(previousRef ? { previousRef, github: repoAccess(inputs, github) } : {}),
    changes: inputs.get('changes'),
    includeImages: inputs.get('include-images'),
    ...(saveSitemap ? { saveSitemap } : {}),
  };
}

function checkBaselineInputs(sitemap: string, previousSitemap: string, previousRef: string): void {
  if (previousSitemap && previousRef) {
    throw new ConfigError('previous-sitemap and previous-ref are both set: set one of them.', 'previous-ref');
  }
  if (previousRef && isUrl(sitemap)) {
    throw new ConfigError(
      'previous-ref reads the baseline from this repository, so sitemap must be a workspace path, not a URL; ' +
        'use previous-sitemap for a baseline elsewhere.',
      'previous-ref',
    );
  }
}

/** save-sitemap must not overwrite the sitemap it reads. */
function checkSaveTarget(sitemap: string, saveSitemap: string, workspace: string): void {
  if (saveSitemap === '' || isUrl(sitemap)) return;
  if (path.resolve(workspace, saveSitemap) === path.resolve(workspace, sitemap)) {
    throw new ConfigError(
      `save-sitemap: "${saveSitemap}" is the sitemap itself, which saving would overwrite; ` +
        'write the baseline to another path, like sitemap-baseline.xml.',
      'save-sitemap',
    );
  }
}

/**
 * `site-dir`, `state`, `content-ignore`, `carry-days` (and `changes`); undefined when neither site-dir
 * nor state is set. What site-dir needs beside it is checked apart (checkSiteDir).
 */
function siteConfig(inputs: CheckedInputs): SiteSourceConfig | undefined {
  const siteDir = inputs.get('site-dir');
  const state = inputs.get('state');
  if (siteDir === '') {
    if (inputs.get('content-ignore').patterns.length > 0) {
      throw new ConfigError(
        'content-ignore is set but site-dir is empty; content-ignore applies to the files of site-dir: set site-dir ' +
          'to the folder your build writes.',
        'content-ignore',
      );
    }
    return state === '' ? undefined : { state, ...siteValues(inputs) };
  }
  return { siteDir, ...(state !== '' ? { state } : {}), ...siteValues(inputs) };
}

/**
 * What site-dir needs beside it (base-url), and what it leaves no use for: with site-dir the sitemap
 * gives priorities only, so the inputs that exist for the sitemap diff alone would be dropped without
 * a word; they are refused.
 */
function checkSiteDir(inputs: CheckedInputs, siteDir: string, state: string, workspace: string): void {
  if (inputs.get('base-url') === undefined) {
    throw new ConfigError(
      `site-dir needs base-url: the URL the site is served at (like https://www.example.com), under which each ` +
        `file of ${siteDir} is warmed. Set base-url.`,
      'base-url',
    );
  }
  const sitemapOnly = (['previous-sitemap', 'previous-ref', 'include-images'] as const).filter((name) =>
    name === 'include-images' ? inputs.get(name) : inputs.get(name) !== '',
  );
  if (sitemapOnly.length > 0) {
    throw new ConfigError(
      `${sitemapOnly.join(' and ')} ${sitemapOnly.length > 1 ? 'are' : 'is'} set with site-dir, which decides what ` +
        'changed by content (images included), so the sitemap only gives priorities and is never diffed: remove ' +
        `${sitemapOnly.length > 1 ? 'them' : 'it'}, or remove site-dir to use the sitemap diff.`,
      sitemapOnly[0],
    );
  }
  if (state !== '' && path.resolve(workspace, state) === path.resolve(workspace, siteDir)) {
    throw new ConfigError(
      `state: "${state}" is site-dir itself; name a file, like .cdn-prefetch/state.json.`,
      'state',
    );
  }
}

function siteValues(inputs: CheckedInputs): Omit<SiteSourceConfig, 'siteDir' | 'state'> {
  return {
    contentIgnore: inputs.get('content-ignore'),
    carryDays: inputs.get('carry-days'),
    changes: inputs.get('changes'),
  };
}

/** save-sitemap sends nothing, so a URL list (or a site) beside it would be dropped without a word. */
function checkSaveSitemapAlone(inputs: CheckedInputs, context: AdapterContext): void {
  if (inputs.get('save-sitemap') === '') return;
  const lists = [
    inputs.get('urls').trim() !== '' ? 'urls' : '',
    inputs.get('urls-file') !== '' || context.urlsFromStdin ? 'urls-file' : '',
    inputs.get('site-dir') !== '' ? 'site-dir' : '',
    inputs.get('state') !== '' ? 'state' : '',
  ].filter(Boolean);
  if (lists.length === 0) return;
  throw new ConfigError(
    `save-sitemap only saves the sitemap and sends nothing, so ${lists.join(' and ')} would never be sent; ` +
      `run save-sitemap in a step of its own, and prefetch ${lists.join(' and ')} in another.`,
    'save-sitemap',
  );
}

function repoAccess(inputs: CheckedInputs, github: GitHubContext | undefined): GitHubRepoAccess {
  if (github?.repository === undefined) {
    throw new ConfigError(
      'previous-ref: the repository to read from is unknown (no GitHub Actions context: GITHUB_REPOSITORY is ' +
        'not set); previous-ref works inside GitHub Actions, use previous-sitemap elsewhere.',
      'previous-ref',
    );
  }
  const { owner, repo } = github.repository;
  return { token: inputs.get('github-token') ?? '', apiUrl: github.apiUrl, owner, repo };
}

function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** `role-arn` and its companions; undefined when role-arn is empty (AccessKeys are used then). */
function oidcConfig(inputs: CheckedInputs, env: Env): OidcConfig | undefined {
  const roleArn = inputs.get('role-arn');
  const providerArn = inputs.get('oidc-provider-arn');
  if (roleArn === '') {
    if (providerArn === '') return undefined;
    throw new ConfigError(
      'oidc-provider-arn is set but role-arn is empty; set role-arn to the RAM role to assume.',
      'role-arn',
    );
  }
  if (providerArn === '') {
    throw new ConfigError(
      'oidc-provider-arn: required with role-arn; write the ARN of the RAM OIDC provider for GitHub, like ' +
        'acs:ram::1234567890123456:oidc-provider/github',
      'oidc-provider-arn',
    );
  }
  return {
    roleArn,
    oidcProviderArn: providerArn,
    roleSessionName: inputs.get('role-session-name') || defaultSessionName(env['GITHUB_RUN_ID']),
    audience: inputs.get('audience'),
    durationSeconds: inputs.get('role-duration-seconds'),
    stsEndpoint: inputs.get('sts-endpoint'),
    idTokenRequestAvailable: Boolean(
      env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
    ),
  };
}

/** The AccessKey, unless role-arn replaces it; a dry run and save-sitemap send nothing and need none. */
function accessKeys(inputs: CheckedInputs, credentials: Partial<Credentials>): Pick<Config, 'credentials'> {
  if (inputs.get('role-arn') !== '') return {};
  const { accessKeyId, accessKeySecret, securityToken } = credentials;
  if (accessKeyId && accessKeySecret) {
    return { credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) } };
  }
  if (accessKeyId || accessKeySecret) {
    const missing = accessKeyId ? 'access-key-secret' : 'access-key-id';
    throw new ConfigError(
      `credentials: ${missing} (or ${INPUTS[missing].env}) is not set; both the key id and its secret are needed.`,
      missing,
    );
  }
  if (inputs.get('dry-run') || inputs.get('save-sitemap') !== '') return {};
  throw new ConfigError(
    'credentials: no AccessKey found. Set role-arn and oidc-provider-arn to assume a RAM role with the ' +
      "job's GitHub OIDC token (no long-lived key), or the inputs access-key-id and access-key-secret, or the " +
      'environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (for example with ' +
      'aliyun/configure-aliyun-credentials-action), or use dry-run: true to plan without sending.',
    'access-key-id',
  );
}

/** What a person should know about the configuration before the run starts: nothing wrong, but risky. */
function configMessages(
  inputs: CheckedInputs,
  oidc: OidcConfig | undefined,
  github: GitHubContext | undefined,
): ConfigMessage[] {
  const messages: ConfigMessage[] = [];
  const endpoint = inputs.get('endpoint');
  if (isClearText(endpoint)) {
    messages.push(clearTextWarning('endpoint', endpoint, 'signed API calls (and any STS security token)'));
  }
  if (oidc && isClearText(oidc.stsEndpoint)) {
    messages.push(
      clearTextWarning('sts-endpoint', oidc.stsEndpoint, "GitHub's ID token and the role's credentials"),
    );
  }
  const previousRef = inputs.get('previous-ref');
  if (previousRef !== '' && previousRef === github?.event?.before && github.event?.forced === true) {
    messages.push({
      level: 'notice',
      text:
        `previous-ref ${previousRef} is the commit before this forced push: if the push rewrote history, ` +
        'the repository may no longer have it, and then there is no baseline.',
    });
  }
  return messages;
}

function clearTextWarning(name: string, origin: string, what: string): ConfigMessage {
  return {
    level: 'warning',
    text:
      `${name}: ${origin} is plain http, so ${what} cross the network unencrypted; ` +
      `use https:// (plain http is meant for a local emulator).`,
  };
}
