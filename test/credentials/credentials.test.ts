// Credential sources against the emulator: the STS exchange, renewal ahead of expiry, renewal after an
// InvalidSecurityToken.Expired refusal (once, never in a loop), and fixed keys that cannot be renewed.
import { describe, expect, it } from 'vitest';
import { configFrom } from '../helpers/inputs.js';
import { adviceFor } from '../../src/alibaba/errors.js';
import { AlibabaError } from '../../src/base/errors.js';
import type { OidcConfig } from '../../src/credentials/sts-oidc.js';
import { OidcCredentialSource, RENEW_BEFORE_MS } from '../../src/credentials/oidc-source.js';
import { MISSING_ID_TOKEN, openCredentials } from '../../src/credentials/open.js';
import { RenewingClient } from '../../src/credentials/renewing-client.js';
import { StaticCredentials, type CredentialProvider } from '../../src/credentials/provider.js';
import { assumeRoleWithOidc, stsRefusalAdvice, tokenClaims } from '../../src/credentials/sts-oidc.js';
import { DEFAULT_RETRY_POLICY } from '../../src/runtime/retry.js';
import { MemoryLogger } from '../helpers/logger.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { fakeJwt } from '../helpers/sdk-client.js';

const FAST_RETRIES = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 };

let emu: Emulator;
let clock = Date.now();
const emulator = emulatorPerTest(() => ({ credentials: {}, now: () => clock }));

async function start(options: EmulatorOptions = {}): Promise<void> {
  clock = Date.now();
  emu = await emulator.start(options);
}

function oidcConfig(overrides: Partial<OidcConfig> = {}): OidcConfig {
  return {
    roleArn: 'acs:ram::1234567890123456:role/github-cdn-prefetch',
    oidcProviderArn: 'acs:ram::1234567890123456:oidc-provider/github',
    roleSessionName: 'cdn-prefetch-42',
    audience: 'sts.aliyuncs.com',
    durationSeconds: 900,
    stsEndpoint: emu.url,
    idTokenRequestAvailable: true,
    ...overrides,
  };
}

/** A stand-in for GitHub's ID-token service and the log's mask, recording what they were asked. */
function identity() {
  const audiences: string[] = [];
  const masked: string[] = [];
  const tokens: string[] = [];
  return {
    audiences,
    masked,
    tokens,
    getIdToken: async (audience: string) => {
      audiences.push(audience);
      const token = fakeJwt({ aud: audience, jti: String(tokens.length) });
      tokens.push(token);
      return token;
    },
    mask: (secret: string) => void masked.push(secret),
  };
}

function source(id = identity(), logger = new MemoryLogger(), config = oidcConfig()) {
  return new OidcCredentialSource(config, id, {
    logger,
    retryPolicy: FAST_RETRIES,
    timeoutMs: 5000,
    now: () => clock,
  });
}

const stsCalls = () => emu.calls.filter((c) => c.action === 'AssumeRoleWithOIDC');

async function rejection(promise: Promise<unknown>): Promise<AlibabaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AlibabaError)) throw new Error(`expected an AlibabaError, got ${String(error)}`);
  return error;
}

describe('assumeRoleWithOidc', () => {
  it('sends an unsigned form POST and masks every issued secret before returning', async () => {
    await start();
    const masked: string[] = [];
    const token = fakeJwt();
    const assumed = await assumeRoleWithOidc(oidcConfig({ durationSeconds: 3600 }), token, {
      mask: (s) => masked.push(s),
      timeoutMs: 5000,
    });
    const [call] = stsCalls();
    expect(call).toMatchObject({ signatureVersion: 'none', status: 200 });
    expect(call?.params).toMatchObject({
      Action: 'AssumeRoleWithOIDC',
      Version: '2015-04-01',
      Format: 'JSON',
      RoleArn: 'acs:ram::1234567890123456:role/github-cdn-prefetch',
      OIDCProviderArn: 'acs:ram::1234567890123456:oidc-provider/github',
      OIDCToken: token,
      RoleSessionName: 'cdn-prefetch-42',
      DurationSeconds: '3600',
    });
    expect(call?.params['Timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const issued = emu.issuedStsCredentials[0];
    expect(assumed.credentials).toEqual({
      accessKeyId: issued?.accessKeyId,
      accessKeySecret: issued?.accessKeySecret,
      securityToken: issued?.securityToken,
    });
    expect(assumed.expiresAt).toBe(Date.parse(issued?.expiration ?? ''));
    expect(masked).toEqual([issued?.accessKeyId, issued?.accessKeySecret, issued?.securityToken]);
  });

  it.each([
    ['an HTML 502 page', 'html-502'],
    ['a 200 that is not an answer', 'garbage-200'],
    ['throttling', 'throttling'],
  ] as const)('classes %s as retryable, with no unknown outcome', async (_name, kind) => {
    await start();
    emu.injectFaults({ kind, action: 'AssumeRoleWithOIDC' });
    const error = await rejection(
      assumeRoleWithOidc(oidcConfig(), fakeJwt(), { mask: () => {}, timeoutMs: 5000 }),
    );
    expect(['transient', 'throttled']).toContain(error.errorClass);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('a refusal is a credentials error naming the STS code, with its usual cause', async () => {
    await start({ sts: { acceptOidcToken: () => 'AuthenticationFail.OIDCToken.AudienceNotMatch' } });
    const error = await rejection(
      assumeRoleWithOidc(oidcConfig({ audience: 'my-aud' }), fakeJwt(), { mask: () => {}, timeoutMs: 5000 }),
    );
    expect(error.errorClass).toBe('credentials');
    expect(error.code).toBe('AuthenticationFail.OIDCToken.AudienceNotMatch');
    expect(error.message).toMatch(/^AssumeRoleWithOIDC: AuthenticationFail\.OIDCToken\.AudienceNotMatch: /);
    expect(adviceFor(error)).toContain(`client ID list must contain the audience "my-aud"`);
  });
});

describe('stsRefusalAdvice', () => {
  const config = { audience: 'sts.aliyuncs.com', oidcProviderArn: 'acs:ram::1:oidc-provider/github' };
  it.each([
    [
      'AuthenticationFail.OIDCToken.AudienceNotMatch',
      /client ID list must contain the audience "sts\.aliyuncs\.com"/,
    ],
    [
      'AuthenticationFail.NoPermission',
      /trust policy must allow the principal acs:ram::1:oidc-provider\/github/,
    ],
    ['AuthenticationFail.OIDCToken.HttpsUrlInvalid', /fingerprint must match/],
    ['AuthenticationFail.OIDCToken.InvalidSignature', /fingerprint must match/],
    ['AuthenticationFail.OIDCToken.Expired', /runner's clock/],
    ['EntityNotExist.Role', /Check role-arn/],
    ['InvalidParameter.OIDCProviderArn', /Check oidc-provider-arn/],
    ['InvalidParameter.DurationSeconds', /role-duration-seconds/],
  ])('%s → %s', (code, expected) => {
    expect(stsRefusalAdvice(code, config)).toMatch(expected);
  });

  it("adds the token's iss, aud and sub claims, which the trust policy's conditions test", () => {
    const claims = tokenClaims(fakeJwt({ aud: ['a', 'b'], sub: 'repo:acme/site:environment:prod' }));
    expect(claims).toEqual({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'a,b',
      sub: 'repo:acme/site:environment:prod',
    });
    expect(stsRefusalAdvice('AuthenticationFail.NoPermission', config, claims)).toMatch(
      /This job's token has oidc:iss "https:\/\/token\.actions\.githubusercontent\.com", oidc:aud "a,b", oidc:sub "repo:acme\/site:environment:prod"\.$/,
    );
    expect(tokenClaims('not-a-jwt')).toEqual({ iss: undefined, aud: undefined, sub: undefined });
  });

  it('an unknown code names all three usual causes', () => {
    const advice = stsRefusalAdvice('AuthenticationFail.Something', config);
    expect(advice).toMatch(/trust policy/);
    expect(advice).toMatch(/client ID list/);
    expect(advice).toMatch(/fingerprint/);
  });
});

describe('OidcCredentialSource', () => {
  it('assumes the role with a fresh ID token for the audience, and masks the token and the credentials', async () => {
    await start();
    const id = identity();
    const logger = new MemoryLogger();
    const creds = source(id, logger, oidcConfig({ audience: 'custom-aud' }));
    await creds.start();
    const issued = emu.issuedStsCredentials[0];
    expect(id.audiences).toEqual(['custom-aud']);
    expect(stsCalls()[0]?.params['OIDCToken']).toBe(id.tokens[0]);
    expect(id.masked).toEqual([
      id.tokens[0],
      issued?.accessKeyId,
      issued?.accessKeySecret,
      issued?.securityToken,
    ]);
    expect(await creds.get()).toMatchObject({ accessKeyId: issued?.accessKeyId });
    expect(logger.messages('info').join('\n')).toContain(
      'Assumed acs:ram::1234567890123456:role/github-cdn-prefetch as cdn-prefetch-42',
    );
  });

  it(`renews ${RENEW_BEFORE_MS / 60_000} minutes before Expiration, once for calls that ask together`, async () => {
    await start();
    const id = identity();
    const creds = source(id);
    await creds.start();
    const first = await creds.get();
    const expiresAt = emu.issuedStsCredentials[0]?.expiresAt ?? 0;
    clock = expiresAt - RENEW_BEFORE_MS - 1000;
    expect(await creds.get()).toBe(first);
    expect(stsCalls()).toHaveLength(1);
    clock = expiresAt - RENEW_BEFORE_MS + 1000;
    const together = await Promise.all(Array.from({ length: 5 }, () => creds.get()));
    expect(stsCalls()).toHaveLength(2);
    expect(id.tokens).toHaveLength(2);
    const second = emu.issuedStsCredentials[1];
    expect(new Set(together.map((c) => c.accessKeyId))).toEqual(new Set([second?.accessKeyId]));
    expect(creds.generation).toBe(2);
  });

  it('renews short-lived credentials halfway through their life', async () => {
    await start({ sts: { acceptOidcToken: () => true, durationSeconds: 60 } });
    const creds = source();
    await creds.start();
    clock += 29_000;
    await creds.get();
    expect(stsCalls()).toHaveLength(1);
    clock += 2_000;
    await creds.get();
    expect(stsCalls()).toHaveLength(2);
  });

  it('keeps still-valid credentials when an early renewal fails, warns once, and tries again later', async () => {
    let refuse = false;
    await start({ sts: { acceptOidcToken: () => (refuse ? 'ServiceUnavailable' : true) } });
    const logger = new MemoryLogger();
    const creds = source(identity(), logger);
    await creds.start();
    const first = await creds.get();
    refuse = true;
    clock = (emu.issuedStsCredentials[0]?.expiresAt ?? 0) - 60_000;
    const results = await Promise.all([creds.get(), creds.get(), creds.get()]);
    expect(results.every((c) => c === first)).toBe(true);
    expect(stsCalls()).toHaveLength(2);
    expect(logger.messages('warning')).toHaveLength(1);
    expect(logger.messages('warning')[0]).toMatch(
      /Could not renew the role's credentials ahead of their expiry/,
    );
    clock += 10_000;
    await creds.get();
    expect(stsCalls()).toHaveLength(2); // not before 30 s
    clock += 25_000;
    refuse = false;
    expect((await creds.get()).accessKeyId).toBe(emu.issuedStsCredentials[1]?.accessKeyId);
  });

  it('throws once the credentials have expired and renewal fails', async () => {
    let verdict: boolean | string = true;
    await start({ sts: { acceptOidcToken: () => verdict } });
    const creds = source();
    await creds.start();
    verdict = 'AuthenticationFail.NoPermission';
    clock = (emu.issuedStsCredentials[0]?.expiresAt ?? 0) + 1;
    const error = await rejection(creds.get());
    expect(error.errorClass).toBe('credentials');
    expect(adviceFor(error)).toMatch(/trust policy/);
  });

  it('after an expiry refusal, renews unless someone already did since the call began', async () => {
    await start();
    const creds = source();
    await creds.start();
    const began = creds.generation;
    expect(await Promise.all([creds.renewAfterExpiry(began), creds.renewAfterExpiry(began)])).toEqual([
      true,
      true,
    ]);
    expect(stsCalls()).toHaveLength(2);
    expect(await creds.renewAfterExpiry(began)).toBe(true);
    expect(stsCalls()).toHaveLength(2);
  });

  it('does not loop on credentials that look expired on arrival (a wrong clock): it warns instead', async () => {
    await start({ sts: { acceptOidcToken: () => true, durationSeconds: 0 } });
    const logger = new MemoryLogger();
    const creds = source(identity(), logger);
    await creds.start();
    for (let i = 0; i < 5; i++) await creds.get();
    expect(stsCalls()).toHaveLength(1);
    expect(logger.messages('warning')[0]).toMatch(/already past by this runner's clock/);
  });

  it('retries a transient STS failure at the start', async () => {
    await start();
    emu.injectFaults({ kind: 'internal-error', action: 'AssumeRoleWithOIDC', times: 2 });
    const creds = source();
    await creds.start();
    expect(stsCalls().map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('an ID token that cannot be had stops with advice, without retrying', async () => {
    await start();
    const creds = new OidcCredentialSource(
      oidcConfig(),
      {
        getIdToken: () => Promise.reject(new Error('Failed to get ID Token.\n Error Code : 500')),
        mask: () => {},
      },
      { logger: new MemoryLogger(), retryPolicy: FAST_RETRIES, timeoutMs: 5000 },
    );
    const error = await rejection(creds.start());
    expect(error.message).toBe('GitHub ID token: Failed to get ID Token. Error Code : 500');
    expect(error.errorClass).toBe('credentials');
    expect(adviceFor(error)).toMatch(/ACTIONS_ID_TOKEN_REQUEST_URL/);
    expect(stsCalls()).toHaveLength(0);
  });
});

describe('openCredentials', () => {
  const inputs = {
    'role-arn': 'acs:ram::1234567890123456:role/r',
    'oidc-provider-arn': 'acs:ram::1234567890123456:oidc-provider/github',
  };
  const config = (extra: Record<string, string> = {}) => configFrom({ ...inputs, ...extra }, {}, {});

  it('without the ID-token variables, names the workflow lines to add', async () => {
    const open = openCredentials(config(), {
      logger: new MemoryLogger(),
      retryPolicy: FAST_RETRIES,
      identity: identity(),
    });
    await expect(open).rejects.toThrow('permissions:\n  id-token: write\n  contents: read');
  });

  it('in a dry run without them, warns and goes on without credentials', async () => {
    const logger = new MemoryLogger();
    const opened = await openCredentials(config({ 'dry-run': 'true' }), {
      logger,
      retryPolicy: FAST_RETRIES,
      identity: identity(),
    });
    expect(opened).toBeUndefined();
    expect(logger.messages('warning')).toEqual([
      `${MISSING_ID_TOKEN}\nThis dry run goes on without credentials.`,
    ]);
  });
});

describe('RenewingClient', () => {
  const quotaCalls = () => emu.calls.filter((c) => c.action === 'DescribeRefreshQuota');
  const clientOver = (credentials: CredentialProvider) =>
    new RenewingClient(
      { endpoint: emu.url, signatureVersion: 'v3', timeoutMs: 5000 },
      credentials,
      new MemoryLogger(),
    );

  /** The emulator on the real clock (the client signs with it), and the role assumed once. */
  async function assumed(): Promise<RenewingClient> {
    await start({ now: Date.now });
    const oidc = new OidcCredentialSource(oidcConfig(), identity(), {
      logger: new MemoryLogger(),
      retryPolicy: FAST_RETRIES,
      timeoutMs: 5000,
    });
    await oidc.start();
    return clientOver(oidc);
  }

  it('re-assumes once after InvalidSecurityToken.Expired and sends the call again with the new credentials', async () => {
    const client = await assumed();
    emu.injectFaults({ kind: 'sts-token-expired', action: 'DescribeRefreshQuota' });
    await client.call('DescribeRefreshQuota', {});
    const [first, second] = emu.issuedStsCredentials;
    expect(quotaCalls().map((c) => [c.code, c.accessKeyId])).toEqual([
      ['InvalidSecurityToken.Expired', undefined],
      [undefined, second?.accessKeyId],
    ]);
    expect(second?.accessKeyId).not.toBe(first?.accessKeyId);
    expect(stsCalls()).toHaveLength(2);
  });

  it('never loops: a second expiry refusal stops with advice about the clock', async () => {
    const client = await assumed();
    emu.injectFaults({ kind: 'sts-token-expired', action: 'DescribeRefreshQuota', times: 10 });
    const error = await rejection(client.call('DescribeRefreshQuota', {}));
    expect(error.code).toBe('InvalidSecurityToken.Expired');
    expect(error.message).toContain('(again, with credentials renewed just now)');
    expect(adviceFor(error)).toMatch(/runner's clock/);
    expect(quotaCalls()).toHaveLength(2);
    expect(stsCalls()).toHaveLength(2);
  });

  it('fixed STS credentials that expired stop at once, pointing to role-arn', async () => {
    await start({ now: Date.now });
    const sts = emu.issueStsCredentials({ expiresInMs: -1000 });
    const error = await rejection(clientOver(new StaticCredentials(sts)).call('DescribeRefreshQuota', {}));
    expect(error.code).toBe('InvalidSecurityToken.Expired');
    expect(error.errorClass).toBe('credentials');
    expect(adviceFor(error)).toMatch(/cannot be renewed by cdn-prefetch.*set role-arn/);
    expect(quotaCalls()).toHaveLength(1);
  });

  it('other errors are not retried and renew nothing', async () => {
    await start({ now: Date.now });
    const renewals: number[] = [];
    const client = clientOver({
      get: () => Promise.resolve({ accessKeyId: 'nope', accessKeySecret: 'x' }),
      generation: 0,
      renewAfterExpiry: (generation) => {
        renewals.push(generation);
        return Promise.resolve(true);
      },
    });
    const error = await rejection(client.call('DescribeRefreshQuota', {}));
    expect(error.code).toBe('InvalidAccessKeyId.NotFound');
    expect(renewals).toEqual([]);
    expect(quotaCalls()).toHaveLength(1);
  });
});
