/**
 * Inputs → Config. A pure function of a name → value reader and the environment, so it is
 * table-tested without mocks. Every error names the input and says how to fix it.
 */
import path from 'node:path';
import os from 'node:os';
import { type Config } from './config.js';
import { type SitemapConfig, parseChanges } from '../sitemap/index.js';
import { type FailOn } from '../report/verdict.js';
import { type OidcConfig } from '../credentials/sts-oidc.js';
import { type FollowOptions } from '../follow/options.js';
import { type PushOptions } from '../alibaba/operations.js';
import { LIMITS } from '../base/limits.js';
import { ConfigError } from '../base/errors.js';
import { compileExcludes, type ExcludeMatcher } from '../urls/exclude.js';
import type { Credentials } from '../alibaba/signer.js';
import { parseDomainPatterns } from '../urls/domains.js';

/** Reads one input by its action.yml name; returns '' when unset. */
export type InputReader = (name: string) => string;
export type Env = Record<string, string | undefined>;

/** Credentials from inputs, falling back to the variables aliyun/configure-aliyun-credentials-action exports. */
export function readCredentials(input: InputReader, env: Env): Partial<Credentials> {
  const pick = (name: string, variable: string): string | undefined => {
    const value = input(name).trim() || env[variable]?.trim() || '';
    return value === '' ? undefined : value;
  };
  const accessKeyId = pick('access-key-id', 'ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = pick('access-key-secret', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const securityToken = pick('security-token', 'ALIBABA_CLOUD_SECURITY_TOKEN');
  return {
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(accessKeySecret ? { accessKeySecret } : {}),
    ...(securityToken ? { securityToken } : {}),
  };
}

export function parseConfig(input: InputReader, env: Env, credentials: Partial<Credentials>): Config {
  const dryRun = parseBoolean(input, 'dry-run', false);
  const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
  const urlsFile = input('urls-file').trim();
  const baseUrl = input('base-url').trim();
  const withHeader = input('with-header').trim();
  const follow = parseFollowOptions(input);
  const sitemap = parseSitemapConfig(input, env);
  // Saving a baseline sends nothing, so like a dry run it needs no credentials.
  const needsNoCredentials = dryRun || sitemap?.saveSitemap !== undefined;
  const oidc = parseOidcConfig(input, env);
  return {
    urlsText: input('urls'),
    ...(urlsFile ? { urlsFile: path.resolve(workspace, urlsFile) } : {}),
    ...(baseUrl ? { baseUrl: parseBaseUrl(baseUrl) } : {}),
    domains: parseDomainPatterns(input('domains')),
    // With role-arn, the role's short-lived credentials replace any AccessKey.
    ...(oidc ? { oidc } : resolveCredentials(credentials, needsNoCredentials)),
    endpoint: parseEndpoint(input('endpoint').trim() || 'https://cdn.aliyuncs.com'),
    signatureVersion: parseChoice(input, 'signature-version', ['v3', 'v1'] as const, 'v3'),
    push: parsePushOptions(input, withHeader),
    batchSize: parseWholeNumber(input, 'batch-size', 100, 1, LIMITS.maxBatchSize),
    dailyQuota: parseDailyQuota(input('daily-quota').trim()),
    requestsPerSecond: parseWholeNumber(input, 'requests-per-second', 50, 1, LIMITS.maxRequestsPerSecond),
    failOn: parseChoice<FailOn>(input, 'fail-on', ['error', 'skipped', 'never'], 'error'),
    dryRun,
    reportDir: env['RUNNER_TEMP'] || os.tmpdir(),
    requestTimeoutMs: parseWholeNumber(input, 'request-timeout', 30, 1, 600) * 1000,
    timeoutMs: parseWholeNumber(input, 'timeout', defaultTimeoutSeconds(follow), 1, 6 * 3600) * 1000,
    follow,
    exclude: parseExclude(input('exclude')),
    ...(sitemap ? { sitemap } : {}),
    workspace,
  };
}

function parseExclude(text: string): ExcludeMatcher {
  try {
    return compileExcludes(text);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** `sitemap`, `previous-sitemap`, `previous-ref`, `github-token`, `changes`, `include-images`, `save-sitemap`. */
export function parseSitemapConfig(input: InputReader, env: Env): SitemapConfig | undefined {
  const sitemap = input('sitemap').trim();
  const previousSitemap = input('previous-sitemap').trim();
  const previousRef = input('previous-ref').trim();
  const saveSitemap = input('save-sitemap').trim();
  if (sitemap === '') {
    for (const [name, value] of [
      ['previous-sitemap', previousSitemap],
      ['previous-ref', previousRef],
      ['save-sitemap', saveSitemap],
    ]) {
      if (value)
        throw new ConfigError(
          `${name} is set but sitemap is empty; set sitemap to the deployed sitemap's path or URL.`,
        );
    }
    return undefined;
  }
  if (previousSitemap && previousRef) {
    throw new ConfigError('previous-sitemap and previous-ref are both set: set one of them.');
  }
  if (previousRef && /^https?:\/\//i.test(sitemap)) {
    throw new ConfigError(
      'previous-ref reads the baseline from this repository, so sitemap must be a workspace path, not a URL; ' +
        'use previous-sitemap for a baseline elsewhere.',
    );
  }
  let changes;
  try {
    changes = parseChanges(input('changes'));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  const token = input('github-token').trim();
  if (previousRef && (!owner || !repo)) {
    throw new ConfigError(
      'previous-ref: GITHUB_REPOSITORY is not set, so the repository to read from is unknown.',
    );
  }
  return {
    sitemap,
    ...(previousSitemap ? { previousSitemap } : {}),
    ...(previousRef ? { previousRef } : {}),
    ...(previousRef
      ? { github: { token, apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com', owner, repo } }
      : {}),
    changes,
    includeImages: parseBoolean(input, 'include-images', false),
    ...(saveSitemap ? { saveSitemap } : {}),
  };
}

function resolveCredentials(credentials: Partial<Credentials>, dryRun: boolean): Pick<Config, 'credentials'> {
  const { accessKeyId, accessKeySecret, securityToken } = credentials;
  if (accessKeyId && accessKeySecret) {
    return { credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) } };
  }
  if (accessKeyId || accessKeySecret) {
    const missing = accessKeyId
      ? 'access-key-secret (or ALIBABA_CLOUD_ACCESS_KEY_SECRET)'
      : 'access-key-id (or ALIBABA_CLOUD_ACCESS_KEY_ID)';
    throw new ConfigError(`credentials: ${missing} is not set; both the key id and its secret are needed.`);
  }
  if (dryRun) return {};
  throw new ConfigError(
    'credentials: no AccessKey found. Set role-arn and oidc-provider-arn to assume a RAM role with the ' +
      "job's GitHub OIDC token (no long-lived key), or the inputs access-key-id and access-key-secret, or the " +
      'environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (for example with ' +
      'aliyun/configure-aliyun-credentials-action), or use dry-run: true to plan without sending.',
  );
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `base-url: "${value}" is not a URL; write the scheme and host, like https://www.example.com`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `base-url: "${value}" is not an http(s) URL; write it like https://www.example.com`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      `base-url: "${value}" has a path; give only the scheme and host (${url.origin}) and write the path in each entry`,
    );
  }
  return url.origin;
}

function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw new ConfigError(`endpoint: "${value}" is not a URL; the default is https://cdn.aliyuncs.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`endpoint: "${value}" must be an http(s) URL, like https://cdn.aliyuncs.com`);
  }
  return url.origin;
}

function parsePushOptions(input: InputReader, withHeader: string): PushOptions {
  const area = input('area').trim();
  const push: PushOptions = {};
  if (area !== '') push.area = parseChoice(input, 'area', ['domestic', 'overseas'] as const, 'domestic');
  const l2 = input('l2-preload').trim();
  if (l2 !== '') push.l2Preload = parseBoolean(input, 'l2-preload', false);
  const hashkey = input('query-hashkey').trim();
  if (hashkey !== '') push.queryHashkey = parseBoolean(input, 'query-hashkey', false);
  if (withHeader !== '') push.withHeader = parseWithHeader(withHeader);
  return push;
}

function parseWithHeader(value: string): string {
  const hint = 'write a JSON object whose values are arrays of strings, like {"Accept-Encoding":["gzip"]}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new ConfigError(`with-header: not valid JSON (${(error as Error).message}); ${hint}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`with-header: ${hint}`);
  }
  for (const [name, values] of Object.entries(parsed)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw new ConfigError(`with-header: the value of "${name}" must be an array of strings; ${hint}`);
    }
  }
  return JSON.stringify(parsed);
}

function parseDailyQuota(value: string): 'auto' | number {
  if (value === '' || value.toLowerCase() === 'auto') return 'auto';
  if (!/^\d+$/.test(value)) {
    throw new ConfigError(`daily-quota: "${value}" must be "auto" or a whole number of URLs, like 500`);
  }
  return Number(value);
}

export function parseBoolean(input: InputReader, name: string, fallback: boolean): boolean {
  const value = input(name).trim();
  if (value === '') return fallback;
  // The YAML 1.2 core schema's spellings, as @actions/core's getBooleanInput accepts them.
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ConfigError(`${name}: "${value}" must be true or false`);
}

export function parseChoice<T extends string>(
  input: InputReader,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = input(name).trim();
  if (value === '') return fallback;
  const match = choices.find((choice) => choice === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigError(`${name}: "${value}" must be one of ${choices.join(', ')}`);
  }
  return match;
}

export function parseWholeNumber(
  input: InputReader,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = input(name).trim();
  if (value === '') return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(`${name}: "${value}" must be a whole number from ${min} to ${max}`);
  }
  return number;
}

/** `refresh`, `wait`, `wait-timeout` and `poll-interval`. */
export function parseFollowOptions(input: InputReader): FollowOptions {
  return {
    refresh: parseBoolean(input, 'refresh', false),
    wait: parseBoolean(input, 'wait', false),
    waitTimeoutMs: parseWholeNumber(input, 'wait-timeout', 900, 1, 6 * 3600) * 1000,
    pollIntervalMs: parseWholeNumber(input, 'poll-interval', 10, 1, 3600) * 1000,
  };
}

/**
 * The run's own deadline when `timeout` is not set: 10 minutes for sending, plus `wait-timeout` for each
 * wait asked for, so that the default deadline never cuts a wait short of its own bound.
 */
function defaultTimeoutSeconds(follow: FollowOptions): number {
  const waits = (follow.refresh ? 1 : 0) + (follow.wait ? 1 : 0);
  return 600 + (waits * follow.waitTimeoutMs) / 1000;
}

const ROLE_ARN = /^acs:ram::\d+:role\/[A-Za-z0-9.@_-]+$/i;
const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.@_-]+$/i;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;

/** `role-arn` and its companions; undefined when role-arn is empty (AccessKeys are used then). */
export function parseOidcConfig(input: InputReader, env: Env): OidcConfig | undefined {
  const roleArn = input('role-arn').trim();
  const providerArn = input('oidc-provider-arn').trim();
  if (roleArn === '') {
    if (providerArn !== '') {
      throw new ConfigError(
        'oidc-provider-arn is set but role-arn is empty; set role-arn to the RAM role to assume.',
      );
    }
    return undefined;
  }
  if (!ROLE_ARN.test(roleArn)) {
    throw new ConfigError(
      `role-arn: "${roleArn}" is not a RAM role ARN; write it like acs:ram::1234567890123456:role/github-cdn-prefetch`,
    );
  }
  if (providerArn === '') {
    throw new ConfigError(
      'oidc-provider-arn: required with role-arn; write the ARN of the RAM OIDC provider for GitHub, like ' +
        'acs:ram::1234567890123456:oidc-provider/github',
    );
  }
  if (!OIDC_PROVIDER_ARN.test(providerArn)) {
    throw new ConfigError(
      `oidc-provider-arn: "${providerArn}" is not a RAM OIDC provider ARN; write it like ` +
        'acs:ram::1234567890123456:oidc-provider/github',
    );
  }
  const sessionName = input('role-session-name').trim();
  if (sessionName !== '' && !SESSION_NAME.test(sessionName)) {
    throw new ConfigError(
      `role-session-name: "${sessionName}" must be 2 to 64 characters of letters, digits and . @ _ -`,
    );
  }
  return {
    roleArn,
    oidcProviderArn: providerArn,
    roleSessionName: sessionName || defaultSessionName(env['GITHUB_RUN_ID']),
    audience: input('audience').trim() || 'sts.aliyuncs.com',
    durationSeconds: parseWholeNumber(input, 'role-duration-seconds', 900, 900, 43_200),
    stsEndpoint: parseStsEndpoint(input('sts-endpoint').trim() || 'https://sts.aliyuncs.com'),
    idTokenRequestAvailable: Boolean(
      env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
    ),
  };
}

/** `cdn-prefetch-<run id>`, cut down to what RoleSessionName accepts. */
export function defaultSessionName(runId: string | undefined): string {
  const name = `cdn-prefetch-${runId?.trim() ?? ''}`.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 64);
  return name.replace(/-+$/, '') || 'cdn-prefetch';
}

function parseStsEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw new ConfigError(`sts-endpoint: "${value}" is not a URL; the default is https://sts.aliyuncs.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`sts-endpoint: "${value}" must be an http(s) URL, like https://sts.aliyuncs.com`);
  }
  return url.origin;
}
