/**
 * Parsers of one input value each, named by the input spec (inputs.ts). Each takes the trimmed value
 * (the spec's default when the input is empty) and returns what the config holds, or throws a
 * ConfigError that names the input and says how to fix it. None reads another input.
 */
import { ConfigError } from '../base/errors.js';
import type { RefreshMode } from '../follow/options.js';

/** The YAML 1.2 core schema's spellings, as @actions/core's getBooleanInput accepts them. */
export function parseSwitch(value: string, name: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ConfigError(`${name}: "${value}" must be true or false`, name);
}

/** The words `refresh` takes: `changed`, or a switch's `true` / `false` (in any spelling parseSwitch takes). */
export const REFRESH_WORDS = ['changed', 'true', 'false'] as const;

/** `refresh`: `changed` (what changed in place), `true` (every planned URL) or `false` (none). */
export function parseRefresh(value: string, name: string): RefreshMode {
  if (value.toLowerCase() === REFRESH_WORDS[0]) return 'changed';
  try {
    return parseSwitch(value, name) ? 'all' : 'none';
  } catch {
    throw new ConfigError(
      `${name}: "${value}" must be changed (refresh what changed in place), true (refresh every URL) or false`,
      name,
    );
  }
}

export function parseWhole(value: string, name: string, min: number, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ConfigError(`${name}: "${value}" must be a whole number from ${min} to ${max}`, name);
  }
  return number;
}

export function parseChoice<T extends string>(value: string, name: string, choices: readonly T[]): T {
  const match = choices.find((choice) => choice === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigError(`${name}: "${value}" must be one of ${choices.join(', ')}`, name);
  }
  return match;
}

/** `daily-quota`: auto, or a whole number of URLs that caps this run. */
export function parseDailyQuota(value: string, name: string): 'auto' | number {
  if (value.toLowerCase() === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`${name}: "${value}" must be "auto" or a whole number of URLs, like 500`, name);
  }
  return Number(value);
}

/**
 * `base-url`: the scheme and host, and the folder the site is served under when it is not the root
 * (a GitHub Pages project site: `https://user.github.io/project`). Kept without its trailing slash:
 * `/path` entries and the built site's files are appended to it. A query, a fragment or a user name
 * and password would be silently dropped or sent with every URL, so they are refused; a password is
 * never repeated.
 */
export function parseBaseUrl(value: string, name: string): string | undefined {
  if (value === '') return undefined;
  const shown = value.includes('@') ? 'the value (not repeated: it may hold a password)' : `"${value}"`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `${name}: ${shown} is not a URL; write the scheme and host, like https://www.example.com`,
      name,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `${name}: ${shown} is not an http(s) URL; write it like https://www.example.com`,
      name,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${name}: ${shown} has a user name or password; write only the site's address, like ${url.origin}`,
      name,
    );
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new ConfigError(
      `${name}: ${shown} has a query or fragment; write the site's address, like ${url.origin}${url.pathname.replace(/\/+$/, '')}`,
      name,
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * An API endpoint (`endpoint`, `sts-endpoint`): an http(s) origin, `https://` when no scheme is given.
 * Calls go to the host's root and are signed with the AccessKey, so a path, a query or a user name and
 * password would be dropped without a word: they are refused instead. A value that may hold a password
 * (it has an `@`) is never repeated in a message.
 */
export function parseEndpoint(value: string, name: string, example: string): string {
  const shown = value.includes('@') ? 'the value (not repeated: it may hold a password)' : `"${value}"`;
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw new ConfigError(`${name}: ${shown} is not a URL; write an origin like ${example}`, name);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}: ${shown} must be an http(s) URL, like ${example}`, name);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${name}: a user name or password in the URL is never used (calls are signed with the AccessKey); ` +
        `remove it and write ${url.origin}`,
      name,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      `${name}: ${shown} has a path or query, which the API calls would drop; write only the origin, ${url.origin}`,
      name,
    );
  }
  return url.origin;
}

/** Whether requests to this origin cross a network in clear text: http to a host other than this machine. */
export function isClearText(origin: string): boolean {
  const url = new URL(origin);
  return url.protocol === 'http:' && !isLoopback(url.hostname);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** `with-header`: a JSON object of header name to an array of values; kept as compact JSON. */
export function parseWithHeader(value: string, name: string): string | undefined {
  if (value === '') return undefined;
  const hint = 'write a JSON object whose values are arrays of strings, like {"Accept-Encoding":["gzip"]}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new ConfigError(`${name}: not valid JSON (${(error as Error).message}); ${hint}`, name);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${name}: ${hint}`, name);
  }
  for (const [header, values] of Object.entries(parsed)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw new ConfigError(`${name}: the value of "${header}" must be an array of strings; ${hint}`, name);
    }
  }
  return JSON.stringify(parsed);
}

const ROLE_ARN = /^acs:ram::\d+:role\/[A-Za-z0-9.@_-]+$/i;
const OIDC_PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.@_-]+$/i;
const SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;

export function parseRoleArn(value: string, name: string): string {
  if (value !== '' && !ROLE_ARN.test(value)) {
    throw new ConfigError(
      `${name}: "${value}" is not a RAM role ARN; write it like acs:ram::1234567890123456:role/github-cdn-prefetch`,
      name,
    );
  }
  return value;
}

export function parseOidcProviderArn(value: string, name: string): string {
  if (value !== '' && !OIDC_PROVIDER_ARN.test(value)) {
    throw new ConfigError(
      `${name}: "${value}" is not a RAM OIDC provider ARN; write it like acs:ram::1234567890123456:oidc-provider/github`,
      name,
    );
  }
  return value;
}

export function parseSessionName(value: string, name: string): string {
  if (value !== '' && !SESSION_NAME.test(value)) {
    throw new ConfigError(
      `${name}: "${value}" must be 2 to 64 characters of letters, digits and . @ _ -`,
      name,
    );
  }
  return value;
}

/** `cdn-prefetch-<run id>`, cut down to what RoleSessionName accepts. */
export function defaultSessionName(runId: string | undefined): string {
  const name = `cdn-prefetch-${runId?.trim() ?? ''}`.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 64);
  return name.replace(/-+$/, '') || 'cdn-prefetch';
}

/** Runs a parser of a lower layer that throws plain Errors, so that its mistakes are configuration errors. */
export function asConfigError<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.message, error.input ?? name);
    throw new ConfigError((error as Error).message, name);
  }
}
