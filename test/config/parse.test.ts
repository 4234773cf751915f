import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputReader } from '../helpers/inputs.js';
import { ConfigError } from '../../src/base/errors.js';
import { parseConfig, readCredentials, type Env } from '../../src/config/parse.js';
import type { Credentials } from '../../src/alibaba/signer.js';
import { fileToUrl, siteBase } from '../../src/site/mapping.js';
import { prepareUrls } from '../../src/urls/prepare.js';

const SECRET = 'Zq9SECRETvalue-7Hd2kP4xWm';
const KEY_ID = 'LTAI5tTESTKEYID';
const CREDS: Partial<Credentials> = { accessKeyId: KEY_ID, accessKeySecret: SECRET };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseConfig: defaults', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(
      inputReader({}),
      { RUNNER_TEMP: '/runner/tmp', GITHUB_WORKSPACE: '/ws' },
      CREDS,
    );
    expect(config).toMatchObject({
      endpoint: 'https://cdn.aliyuncs.com',
      signatureVersion: 'v3',
      batchSize: 100,
      dailyQuota: 'auto',
      requestsPerSecond: 50,
      failOn: 'error',
      dryRun: false,
      domains: [],
      push: {},
      urlsText: '',
      reportDir: '/runner/tmp',
      credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET },
    });
    expect(config.urlsFile).toBeUndefined();
    expect(config.baseUrl).toBeUndefined();
    expect(config.credentials?.securityToken).toBeUndefined();
  });

  it('reportDir falls back to the OS temp folder without RUNNER_TEMP', () => {
    expect(parseConfig(inputReader({}), {}, CREDS).reportDir).toBe(os.tmpdir());
  });
});

describe('parseConfig: valid values', () => {
  it.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['batch-size 1', { 'batch-size': '1' }, { batchSize: 1 }],
    ['batch-size 100', { 'batch-size': ' 100 ' }, { batchSize: 100 }],
    ['requests-per-second 1', { 'requests-per-second': '1' }, { requestsPerSecond: 1 }],
    ['requests-per-second 50', { 'requests-per-second': '50' }, { requestsPerSecond: 50 }],
    ['daily-quota 0', { 'daily-quota': '0' }, { dailyQuota: 0 }],
    ['daily-quota 500', { 'daily-quota': '500' }, { dailyQuota: 500 }],
    ['daily-quota auto', { 'daily-quota': 'auto' }, { dailyQuota: 'auto' }],
    ['fail-on skipped', { 'fail-on': 'skipped' }, { failOn: 'skipped' }],
    ['fail-on never', { 'fail-on': 'never' }, { failOn: 'never' }],
    ['signature-version v1', { 'signature-version': 'v1' }, { signatureVersion: 'v1' }],
    ['dry-run true', { 'dry-run': 'true' }, { dryRun: true }],
    ['dry-run False', { 'dry-run': 'False' }, { dryRun: false }],
    ['area overseas', { area: 'overseas' }, { push: { area: 'overseas' } }],
    ['l2-preload true', { 'l2-preload': 'true' }, { push: { l2Preload: true } }],
    ['query-hashkey false', { 'query-hashkey': 'false' }, { push: { queryHashkey: false } }],
    [
      'with-header',
      { 'with-header': '{"Accept-Encoding": ["gzip", "br"]}' },
      { push: { withHeader: '{"Accept-Encoding":["gzip","br"]}' } },
    ],
    ['base-url', { 'base-url': 'https://www.example.com' }, { baseUrl: 'https://www.example.com' }],
    [
      'base-url with a trailing slash',
      { 'base-url': 'https://www.example.com/' },
      { baseUrl: 'https://www.example.com' },
    ],
    [
      'base-url of a site served under a folder',
      { 'base-url': 'https://user.github.io/project/' },
      { baseUrl: 'https://user.github.io/project' },
    ],
    [
      'endpoint',
      { endpoint: 'https://cdn.ap-southeast-1.aliyuncs.com' },
      { endpoint: 'https://cdn.ap-southeast-1.aliyuncs.com' },
    ],
    [
      'domains',
      { domains: '*.Example.com\n# c\nstatic.example.org' },
      { domains: ['*.example.com', 'static.example.org'] },
    ],
    [
      'urls kept as given',
      { urls: 'https://a.com/1\n  https://a.com/2' },
      { urlsText: 'https://a.com/1\n  https://a.com/2' },
    ],
  ])('%s', (_name, inputs, expected) => {
    expect(parseConfig(inputReader(inputs), {}, CREDS)).toMatchObject(expected);
  });

  it('urls-file is resolved against GITHUB_WORKSPACE', () => {
    const config = parseConfig(
      inputReader({ 'urls-file': 'deploy/urls.txt' }),
      { GITHUB_WORKSPACE: '/home/runner/work/site' },
      CREDS,
    );
    expect(config.urlsFile).toBe(path.resolve('/home/runner/work/site', 'deploy/urls.txt'));
  });

  it('an absolute urls-file stays as it is', () => {
    const config = parseConfig(
      inputReader({ 'urls-file': '/tmp/list.txt' }),
      { GITHUB_WORKSPACE: '/ws' },
      CREDS,
    );
    expect(config.urlsFile).toBe('/tmp/list.txt');
  });
});

describe('parseConfig: errors name the input', () => {
  it.each<[string, Record<string, string>]>([
    ['batch-size', { 'batch-size': '0' }],
    ['batch-size', { 'batch-size': '101' }],
    ['batch-size', { 'batch-size': 'abc' }],
    ['batch-size', { 'batch-size': '-5' }],
    ['batch-size', { 'batch-size': '2.5' }],
    ['requests-per-second', { 'requests-per-second': '51' }],
    ['requests-per-second', { 'requests-per-second': '0' }],
    ['daily-quota', { 'daily-quota': '-1' }],
    ['daily-quota', { 'daily-quota': 'x' }],
    ['daily-quota', { 'daily-quota': '1.5' }],
    ['fail-on', { 'fail-on': 'bogus' }],
    ['signature-version', { 'signature-version': 'v2' }],
    ['area', { area: 'bogus' }],
    ['with-header', { 'with-header': '{not json' }],
    ['with-header', { 'with-header': '{"Accept-Encoding":"gzip"}' }],
    ['with-header', { 'with-header': '{"Accept-Encoding":[1]}' }],
    ['with-header', { 'with-header': '["gzip"]' }],
    ['with-header', { 'with-header': '"gzip"' }],
    ['base-url', { 'base-url': 'https://user:hunter2@www.example.com' }],
    ['base-url', { 'base-url': 'https://www.example.com/?x=1' }],
    ['base-url', { 'base-url': 'ftp://www.example.com' }],
    ['base-url', { 'base-url': 'www.example.com' }],
    ['endpoint', { endpoint: 'ftp://cdn.aliyuncs.com' }],
    ['dry-run', { 'dry-run': 'yes' }],
    ['l2-preload', { 'l2-preload': 'on' }],
    ['query-hashkey', { 'query-hashkey': '1' }],
    ['domains', { domains: 'https://www.example.com' }],
  ])('%s: %j', (name, inputs) => {
    const error = configError(() => parseConfig(inputReader(inputs), {}, CREDS));
    expect(error.message.startsWith(`${name}:`) || error.message.includes(`${name}:`)).toBe(true);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('parseConfig: credentials', () => {
  it('missing credentials are an error naming the inputs and variables', () => {
    const error = configError(() => parseConfig(inputReader({}), {}, {}));
    expect(error.message).toContain('access-key-id');
    expect(error.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });

  it('missing credentials are fine in a dry run', () => {
    const config = parseConfig(inputReader({ 'dry-run': 'true' }), {}, {});
    expect(config.dryRun).toBe(true);
    expect(config.credentials).toBeUndefined();
  });

  it.each<[string, Partial<Credentials>, string, string]>([
    ['only the id', { accessKeyId: KEY_ID }, 'access-key-secret', 'access-key-id ('],
    ['only the secret', { accessKeySecret: SECRET }, 'access-key-id', 'access-key-secret ('],
  ])('%s is an error naming the missing one', (_name, credentials, missing, present) => {
    for (const dryRun of ['false', 'true']) {
      const error = configError(() => parseConfig(inputReader({ 'dry-run': dryRun }), {}, credentials));
      expect(error.message).toContain(missing);
      expect(error.message).not.toContain(present);
      expect(error.message).not.toContain(SECRET);
    }
  });

  it('keeps the security token', () => {
    const config = parseConfig(inputReader({}), {}, { ...CREDS, securityToken: 'TOKEN' });
    expect(config.credentials).toEqual({
      accessKeyId: KEY_ID,
      accessKeySecret: SECRET,
      securityToken: 'TOKEN',
    });
  });
});

describe('readCredentials', () => {
  const env: Env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'ENV_ID',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ENV_SECRET',
    ALIBABA_CLOUD_SECURITY_TOKEN: 'ENV_TOKEN',
  };

  it.each<[string, Record<string, string>, Env, Partial<Credentials>]>([
    ['nothing anywhere', {}, {}, {}],
    [
      'environment fallback',
      {},
      env,
      { accessKeyId: 'ENV_ID', accessKeySecret: 'ENV_SECRET', securityToken: 'ENV_TOKEN' },
    ],
    [
      'inputs override the environment',
      { 'access-key-id': 'IN_ID', 'access-key-secret': 'IN_SECRET', 'security-token': 'IN_TOKEN' },
      env,
      { accessKeyId: 'IN_ID', accessKeySecret: 'IN_SECRET', securityToken: 'IN_TOKEN' },
    ],
    [
      'per field: an empty input falls back to its variable',
      { 'access-key-id': 'IN_ID', 'access-key-secret': '  ' },
      env,
      { accessKeyId: 'IN_ID', accessKeySecret: 'ENV_SECRET', securityToken: 'ENV_TOKEN' },
    ],
    [
      'values are trimmed',
      { 'access-key-id': ' IN_ID\n', 'access-key-secret': '\tIN_SECRET ' },
      {},
      { accessKeyId: 'IN_ID', accessKeySecret: 'IN_SECRET' },
    ],
    [
      'empty variables count as unset',
      {},
      { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: ' ' },
      {},
    ],
  ])('%s', (_name, inputs, environment, expected) => {
    expect(readCredentials(inputReader(inputs), environment)).toEqual(expected);
  });

  it('feeds parseConfig: environment credentials are used', () => {
    const config = parseConfig(inputReader({}), env, readCredentials(inputReader({}), env));
    expect(config.credentials).toEqual({
      accessKeyId: 'ENV_ID',
      accessKeySecret: 'ENV_SECRET',
      securityToken: 'ENV_TOKEN',
    });
  });
});

describe('parseConfig: no error message contains the secret', () => {
  const secretEnv: Env = { ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, GITHUB_WORKSPACE: '/ws' };
  it.each<Record<string, string>>([
    {},
    { 'access-key-secret': SECRET },
    { 'access-key-secret': SECRET, 'dry-run': 'true' },
    { 'access-key-id': KEY_ID, 'access-key-secret': SECRET, 'batch-size': 'abc' },
    { 'access-key-id': KEY_ID, 'access-key-secret': SECRET, 'with-header': '{"a":' },
    { 'access-key-id': KEY_ID, 'access-key-secret': SECRET, 'base-url': 'ftp://x' },
    { 'access-key-id': KEY_ID, 'access-key-secret': SECRET, 'dry-run': 'yes' },
    { 'access-key-id': KEY_ID, 'access-key-secret': SECRET, domains: 'bad host' },
  ])('%j', (inputs) => {
    const input = inputReader(inputs);
    const error = configError(() => parseConfig(input, secretEnv, readCredentials(input, secretEnv)));
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET.slice(0, 12));
  });
});

describe('base-url of a site served under a folder (a GitHub Pages project site)', () => {
  const config = parseConfig(
    inputReader({ 'base-url': 'https://user.github.io/project/', 'dry-run': 'true' }),
    {},
    {},
  );

  it('keeps the folder, so that /path entries and the built files land under it', () => {
    expect(config.baseUrl).toBe('https://user.github.io/project');
    const prepared = prepareUrls([{ raw: '/blog/post/', source: 'urls: line 1' }], {
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      domains: [],
    });
    expect(prepared.candidates.map((c) => c.url)).toEqual(['https://user.github.io/project/blog/post/']);
    expect(fileToUrl(siteBase(config.baseUrl ?? ''), 'docs/index.html')).toBe(
      'https://user.github.io/project/docs/',
    );
  });

  it('refuses a user name and password without repeating the password', () => {
    const error = configError(() =>
      parseConfig(
        inputReader({ 'base-url': 'https://me:hunter2-pw@www.example.com', 'dry-run': 'true' }),
        {},
        {},
      ),
    );
    expect(error.message).toContain('base-url');
    expect(error.message).not.toContain('hunter2-pw');
  });
});
