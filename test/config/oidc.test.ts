// role-arn and its companions: defaults, validation, and what they do to the AccessKey requirement.
import { describe, expect, it } from 'vitest';
import { inputReader } from '../helpers/inputs.js';
import { ConfigError } from '../../src/base/errors.js';
import { defaultSessionName, parseConfig, type Env, type InputReader } from '../../src/config/parse.js';

const ROLE = 'acs:ram::1234567890123456:role/github-cdn-prefetch';
const PROVIDER = 'acs:ram::1234567890123456:oidc-provider/github';
const ID_TOKEN_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/idtoken?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
};

/** The config's `oidc`, with an AccessKey at hand for when role-arn is empty. */
function parseOidcConfig(input: InputReader, env: Env) {
  return parseConfig(input, env, { accessKeyId: 'LTAI5t', accessKeySecret: 's' }).oidc;
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseOidcConfig', () => {
  it('is undefined without role-arn', () => {
    expect(parseOidcConfig(inputReader({}), ID_TOKEN_ENV)).toBeUndefined();
  });

  it('applies the documented defaults', () => {
    const oidc = parseOidcConfig(inputReader({ 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER }), {
      ...ID_TOKEN_ENV,
      GITHUB_RUN_ID: '9876543210',
    });
    expect(oidc).toEqual({
      roleArn: ROLE,
      oidcProviderArn: PROVIDER,
      roleSessionName: 'cdn-prefetch-9876543210',
      audience: 'sts.aliyuncs.com',
      durationSeconds: 900,
      stsEndpoint: 'https://sts.aliyuncs.com',
      idTokenRequestAvailable: true,
    });
  });

  it('takes the inputs as given', () => {
    const oidc = parseOidcConfig(
      inputReader({
        'role-arn': ` ${ROLE} `,
        'oidc-provider-arn': PROVIDER,
        'role-session-name': 'deploy@site.v2',
        audience: 'my-audience',
        'role-duration-seconds': '3600',
        'sts-endpoint': 'sts.ap-southeast-1.aliyuncs.com',
      }),
      {},
    );
    expect(oidc).toMatchObject({
      roleArn: ROLE,
      roleSessionName: 'deploy@site.v2',
      audience: 'my-audience',
      durationSeconds: 3600,
      stsEndpoint: 'https://sts.ap-southeast-1.aliyuncs.com',
      idTokenRequestAvailable: false,
    });
  });

  it.each([
    [{ ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x' }, false],
    [{ ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' }, false],
    [{ ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' }, false],
    [ID_TOKEN_ENV, true],
  ])('an ID token can be requested only with both variables: %j → %s', (env, expected) => {
    const oidc = parseOidcConfig(inputReader({ 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER }), env);
    expect(oidc?.idTokenRequestAvailable).toBe(expected);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a role ARN of another form',
      { 'role-arn': 'arn:aws:iam::1:role/x' },
      'role-arn: "arn:aws:iam::1:role/x" is not a RAM role ARN',
    ],
    ['no provider', { 'role-arn': ROLE }, 'oidc-provider-arn: required with role-arn'],
    [
      'a provider ARN that names a role',
      { 'role-arn': ROLE, 'oidc-provider-arn': ROLE },
      'is not a RAM OIDC provider ARN',
    ],
    [
      'a provider without a role',
      { 'oidc-provider-arn': PROVIDER },
      'oidc-provider-arn is set but role-arn is empty',
    ],
    [
      'a session name with a space',
      { 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER, 'role-session-name': 'my session' },
      'role-session-name: "my session" must be 2 to 64 characters',
    ],
    [
      'a one-character session name',
      { 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER, 'role-session-name': 'a' },
      'role-session-name: "a" must be 2 to 64 characters',
    ],
    [
      'a duration under 900',
      { 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER, 'role-duration-seconds': '899' },
      'role-duration-seconds: "899" must be a whole number from 900 to 43200',
    ],
    [
      'an STS endpoint that is not http(s)',
      { 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER, 'sts-endpoint': 'ftp://sts' },
      'sts-endpoint: "ftp://sts" must be an http(s) URL',
    ],
  ])('%s is a configuration error naming the input', (_name, inputs, expected) => {
    expect(message(() => parseOidcConfig(inputReader(inputs), {}))).toContain(expected);
  });
});

describe('defaultSessionName', () => {
  it.each([
    ['123456', 'cdn-prefetch-123456'],
    [undefined, 'cdn-prefetch'],
    ['', 'cdn-prefetch'],
    ['12 34/56', 'cdn-prefetch-12-34-56'],
    ['run:ü!', 'cdn-prefetch-run'],
    ['9'.repeat(80), `cdn-prefetch-${'9'.repeat(51)}`],
  ])('%j → %s', (runId, expected) => {
    const name = defaultSessionName(runId);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[A-Za-z0-9.@_-]{2,64}$/);
  });
});

describe('parseConfig with role-arn', () => {
  const inputs = { 'role-arn': ROLE, 'oidc-provider-arn': PROVIDER };

  it('needs no AccessKey, and uses none even when one is given', () => {
    const config = parseConfig(inputReader(inputs), ID_TOKEN_ENV, {
      accessKeyId: 'LTAI5t',
      accessKeySecret: 's',
    });
    expect(config.oidc?.roleArn).toBe(ROLE);
    expect(config.credentials).toBeUndefined();
  });

  it('without it, the missing-credentials error mentions role-arn as the keyless way', () => {
    expect(message(() => parseConfig(inputReader({}), {}, {}))).toContain(
      'Set role-arn and oidc-provider-arn',
    );
  });
});
