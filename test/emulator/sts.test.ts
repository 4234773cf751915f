// STS AssumeRoleWithOIDC: validation, issued credentials that the CDN API then accepts, and expiry.
import { DescribeRefreshQuotaRequest, PushObjectCacheRequest } from '@alicloud/cdn20180510';
import { describe, expect, it } from 'vitest';
import { emulatorPerTest } from '../helpers/emulator.js';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { fakeJwt, rawCall, sdkClient, sdkErrorCode } from '../helpers/sdk-client.js';

let emu: Emulator;
let clock = Date.now();
const emulator = emulatorPerTest(() => ({ now: () => clock }));

async function start(options: EmulatorOptions = {}): Promise<void> {
  clock = Date.now();
  emu = await emulator.start(options);
}

const VALID = {
  RoleArn: 'acs:ram::1234567890123456:role/github-cdn-prefetch',
  OIDCProviderArn: 'acs:ram::1234567890123456:oidc-provider/github',
  RoleSessionName: 'cdn-prefetch-42',
  DurationSeconds: '3600',
};

async function assume(form: Record<string, string>, format: 'JSON' | null = 'JSON') {
  const res = await rawCall(emu.url, { action: 'AssumeRoleWithOIDC', signature: 'none', format, form });
  return { status: res.status, text: res.text, body: format === 'JSON' ? res.json() : {} };
}

interface StsBody {
  Credentials: { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string };
}

describe('AssumeRoleWithOIDC', () => {
  it('issues STS credentials the CDN API accepts, in both signature modes', async () => {
    await start();
    const { status, body } = await assume({ ...VALID, OIDCToken: fakeJwt() });
    expect(status).toBe(200);
    const { Credentials: c } = body as unknown as StsBody;
    expect(c.AccessKeyId).toMatch(/^STS\./);
    expect(c.Expiration).toBe(new Date(clock + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(body).toMatchObject({
      RequestId: expect.any(String),
      AssumedRoleUser: { Arn: 'acs:ram::1234567890123456:assumed-role/github-cdn-prefetch/cdn-prefetch-42' },
      OIDCTokenInfo: { Subject: 'repo:acme/site:ref:refs/heads/main', ClientIds: 'sts.aliyuncs.com' },
    });
    expect(emu.calls.at(-1)).toMatchObject({
      action: 'AssumeRoleWithOIDC',
      signatureVersion: 'none',
      status: 200,
    });
    expect(emu.issuedStsCredentials.map((i) => i.accessKeyId)).toEqual([c.AccessKeyId]);

    const creds = {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
    };
    for (const mode of ['v3', 'v1'] as const) {
      const res = await sdkClient(emu.url, creds, mode).pushObjectCache(
        new PushObjectCacheRequest({ objectPath: `https://www.example.com/oidc-${mode}.js` }),
      );
      expect(res.body?.pushTaskId).toMatch(/^\d+$/);
    }
  });

  it('lets the credentials expire per the emulator clock', async () => {
    await start({ sts: { acceptOidcToken: () => true, durationSeconds: 900 } });
    const { body } = await assume({ ...VALID, OIDCToken: fakeJwt() });
    const { Credentials: c } = body as unknown as StsBody;
    const client = sdkClient(
      emu.url,
      { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken },
      'v3',
    );
    await client.describeRefreshQuota(new DescribeRefreshQuotaRequest({}));
    clock += 900_000;
    const code = await client.describeRefreshQuota(new DescribeRefreshQuotaRequest({})).then(
      () => 'ok',
      (e: unknown) => sdkErrorCode(e),
    );
    expect(code).toBe('InvalidSecurityToken.Expired');
  });

  it('answers what acceptOidcToken decides', async () => {
    await start({
      sts: {
        acceptOidcToken: (jwt) => (jwt.endsWith('.c2ln') ? false : 'AuthenticationFail.OIDCToken.Expired'),
      },
    });
    const refused = await assume({ ...VALID, OIDCToken: fakeJwt() });
    expect(refused.body).toMatchObject({
      Code: 'AuthenticationFail.OIDCToken.Invalid',
      HostId: 'sts.aliyuncs.com',
    });
    const custom = await assume({ ...VALID, OIDCToken: `${fakeJwt()}x` });
    expect(custom.body['Code']).toBe('AuthenticationFail.OIDCToken.Expired');
    expect(emu.issuedStsCredentials).toHaveLength(0);
  });

  it.each([
    ['RoleArn', 'arn:aws:iam::1:role/x', 'InvalidParameter.RoleArn'],
    ['OIDCProviderArn', 'acs:ram::123:role/github', 'InvalidParameter.OIDCProviderArn'],
    ['RoleSessionName', 'a', 'InvalidParameter.RoleSessionName'],
    ['RoleSessionName', 'has space', 'InvalidParameter.RoleSessionName'],
    ['DurationSeconds', '899', 'InvalidParameter.DurationSeconds'],
    ['OIDCToken', 'not-a-jwt', 'InvalidParameter.OIDCToken'],
    ['OIDCToken', '', 'MissingParameter'],
  ])('refuses %s=%s with %s', async (name, value, code) => {
    await start();
    const { status, body } = await assume({ ...VALID, OIDCToken: fakeJwt(), [name]: value });
    expect([status, body['Code']]).toEqual([400, code]);
  });

  it('answers XML when Format is omitted', async () => {
    await start();
    const { text } = await assume({ ...VALID, OIDCToken: fakeJwt() }, null);
    expect(text).toMatch(/<AssumeRoleWithOIDCResponse>.*<Credentials><AccessKeyId>STS\./s);
  });
});

describe('issueStsCredentials', () => {
  it('registers credentials that expire after expiresInMs', async () => {
    await start();
    const creds = emu.issueStsCredentials({ expiresInMs: 60_000 });
    const quota = (mode: 'v3' | 'v1') =>
      rawCall(emu.url, { action: 'DescribeRefreshQuota', signature: mode, creds, date: new Date(clock) });
    expect((await quota('v1')).status).toBe(200);
    clock += 60_000;
    expect((await quota('v1')).json()['Code']).toBe('InvalidSecurityToken.Expired');
    expect((await quota('v3')).json()['Code']).toBe('InvalidSecurityToken.Expired');
  });

  it('the sts-token-expired fault expires the credentials the call is signed with, for good', async () => {
    await start();
    const creds = emu.issueStsCredentials();
    const other = emu.issueStsCredentials();
    const quota = (c: typeof creds) => rawCall(emu.url, { action: 'DescribeRefreshQuota', creds: c });
    expect((await quota(creds)).status).toBe(200);
    expect(emu.calls.at(-1)?.accessKeyId).toBe(creds.accessKeyId);
    emu.injectFaults({ kind: 'sts-token-expired', action: 'DescribeRefreshQuota' });
    expect((await quota(creds)).json()['Code']).toBe('InvalidSecurityToken.Expired');
    expect(emu.calls.at(-1)?.fault).toBe('sts-token-expired');
    expect(emu.calls.at(-1)?.accessKeyId).toBeUndefined();
    expect((await quota(creds)).json()['Code']).toBe('InvalidSecurityToken.Expired');
    expect(emu.issuedStsCredentials[0]?.expiresAt).toBeLessThanOrEqual(clock);
    // Other credentials are untouched.
    expect((await quota(other)).status).toBe(200);
  });

  it('refuses a security token sent with a permanent key', async () => {
    await start();
    const { securityToken } = emu.issueStsCredentials();
    const res = await rawCall(emu.url, {
      action: 'DescribeRefreshQuota',
      creds: { accessKeyId: 'test-ak-id', accessKeySecret: 'test-ak-secret', securityToken },
    });
    expect(res.json()['Code']).toBe('InvalidSecurityToken.MismatchWithAccessKey');
  });
});
