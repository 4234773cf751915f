// Cross-check with the official SDK: what Alibaba's own client signs, the emulator accepts; what it must
// refuse (wrong secret, tampered requests, replays), it refuses.
import {
  DescribeRefreshQuotaRequest,
  PushObjectCacheRequest,
  RefreshObjectCachesRequest,
} from '@alicloud/cdn20180510';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { rawCall, sdkClient, sdkErrorCode, signRequest, send, TEST_CREDS } from '../helpers/sdk-client.js';

const emulators = emulatorPerTest();
let emu: Emulator;
beforeEach(async () => {
  emu = await emulators.start();
});

async function sdkCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return sdkErrorCode(error);
  }
  throw new Error('expected the SDK call to fail');
}

describe.each(['v3', 'v1'] as const)('official SDK signing %s', (mode) => {
  it('PushObjectCache succeeds and is recorded', async () => {
    const before = emu.acceptedPrefetches().length;
    const client = sdkClient(emu.url, TEST_CREDS, mode);
    const res = await client.pushObjectCache(
      new PushObjectCacheRequest({
        objectPath: `https://www.example.com/${mode}/a.js\nhttps://cdn.example.com/${mode}/b.css`,
        area: 'overseas',
        l2Preload: true,
        withHeader: '{"Accept-Encoding":["gzip"]}',
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body?.pushTaskId).toMatch(/^\d+,\d+$/);
    const call = emu.calls.at(-1);
    expect(call).toMatchObject({
      action: 'PushObjectCache',
      signatureVersion: mode,
      status: 200,
      accepted: true,
    });
    expect(call?.urls).toEqual([
      `https://www.example.com/${mode}/a.js`,
      `https://cdn.example.com/${mode}/b.css`,
    ]);
    expect(
      emu
        .acceptedPrefetches()
        .slice(before)
        .map((p) => p.url),
    ).toEqual(call?.urls);
  });

  it('DescribeRefreshQuota succeeds with string values', async () => {
    const res = await sdkClient(emu.url, TEST_CREDS, mode).describeRefreshQuota(
      new DescribeRefreshQuotaRequest({}),
    );
    expect(res.body?.preloadQuota).toBe('1000');
    expect(res.body?.preloadRemain).toMatch(/^\d+$/);
    expect(res.body?.urlQuota).toBe('10000');
  });

  it('RefreshObjectCaches (form body) succeeds', async () => {
    const res = await sdkClient(emu.url, TEST_CREDS, mode).refreshObjectCaches(
      new RefreshObjectCachesRequest({
        objectPath: `https://static.example.com/${mode}/x.png`,
        objectType: 'File',
        force: true,
      }),
    );
    expect(res.body?.refreshTaskId).toMatch(/^\d+$/);
    expect(emu.acceptedRefreshes().at(-1)?.url).toBe(`https://static.example.com/${mode}/x.png`);
  });

  it('works with STS credentials and a security token', async () => {
    const sts = emu.issueStsCredentials();
    const client = sdkClient(emu.url, sts, mode);
    await client.describeRefreshQuota(new DescribeRefreshQuotaRequest({}));
    const res = await client.pushObjectCache(
      new PushObjectCacheRequest({ objectPath: `https://example.com/${mode}/sts.js` }),
    );
    expect(res.body?.pushTaskId).toMatch(/^\d+$/);
    expect(emu.calls.at(-1)).toMatchObject({ signatureVersion: mode, accepted: true });
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const client = sdkClient(emu.url, { accessKeyId: 'test-ak-id', accessKeySecret: 'wrong' }, mode);
    expect(await sdkCode(client.describeRefreshQuota(new DescribeRefreshQuotaRequest({})))).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('refuses an unknown AccessKeyId', async () => {
    const client = sdkClient(emu.url, { accessKeyId: 'nobody', accessKeySecret: 'x' }, mode);
    expect(await sdkCode(client.describeRefreshQuota(new DescribeRefreshQuotaRequest({})))).toBe(
      'InvalidAccessKeyId.NotFound',
    );
  });

  it('refuses STS keys without their token, or with another one', async () => {
    const a = emu.issueStsCredentials();
    const b = emu.issueStsCredentials();
    const bare = sdkClient(emu.url, { accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret }, mode);
    expect(await sdkCode(bare.describeRefreshQuota(new DescribeRefreshQuotaRequest({})))).toBe(
      'InvalidSecurityToken.Malformed',
    );
    const crossed = sdkClient(emu.url, { ...a, securityToken: b.securityToken }, mode);
    expect(await sdkCode(crossed.describeRefreshQuota(new DescribeRefreshQuotaRequest({})))).toBe(
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
  });
});

describe.each(['v3', 'v1'] as const)('tampered %s requests', (signature) => {
  const push = {
    action: 'PushObjectCache',
    signature,
    params: { ObjectPath: 'https://www.example.com/t.js' },
  };

  it('accepts the untampered request (the test signer is sound)', async () => {
    const res = await rawCall(emu.url, push);
    expect(res.status).toBe(200);
    expect(res.json()['PushTaskId']).toMatch(/^\d+$/);
  });

  it('refuses a changed parameter under the old signature, accepting nothing', async () => {
    const before = emu.acceptedPrefetches().length;
    const res = await rawCall(emu.url, {
      ...push,
      tamper: (wire) => {
        wire.query['ObjectPath'] = 'https://www.example.com/evil.js';
      },
    });
    expect(res.status).toBe(400);
    expect(res.json()['Code']).toBe('SignatureDoesNotMatch');
    // Alibaba shows its StringToSign to help debugging, never the secret.
    expect(res.json()['Message']).toContain('server string to sign is:');
    expect(res.text).not.toContain('test-ak-secret');
    expect(emu.acceptedPrefetches().length).toBe(before);
  });

  it('refuses a replayed nonce', async () => {
    const wire = signRequest(emu.url, {
      ...push,
      params: { ObjectPath: 'https://www.example.com/replay.js' },
    });
    expect((await send(emu.url, wire)).status).toBe(200);
    const again = await send(emu.url, wire);
    expect(again.json()['Code']).toBe('SignatureNonceUsed');
  });

  it('refuses a changed form body', async () => {
    const res = await rawCall(emu.url, {
      action: 'RefreshObjectCaches',
      signature,
      form: { ObjectPath: 'https://www.example.com/r.js', ObjectType: 'File' },
      tamper: (wire) => {
        wire.body = wire.body.replace('r.js', 's.js');
      },
    });
    expect(res.json()['Code']).toBe('SignatureDoesNotMatch');
  });
});

describe('V3-only header rules', () => {
  const quota = { action: 'DescribeRefreshQuota' };

  it('refuses a changed signed header', async () => {
    const res = await rawCall(emu.url, {
      ...quota,
      tamper: (wire) => {
        wire.headers['x-acs-date'] = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      },
    });
    expect(res.json()['Code']).toBe('SignatureDoesNotMatch');
  });

  it('refuses an x-acs-* header that is not signed', async () => {
    const res = await rawCall(emu.url, {
      ...quota,
      tamper: (wire) => {
        wire.headers['x-acs-extra'] = '1';
      },
    });
    expect(res.json()['Code']).toBe('IncompleteSignature');
  });

  it('accepts an unsigned informational x-acs-credentials-provider', async () => {
    const res = await rawCall(emu.url, {
      ...quota,
      tamper: (wire) => {
        wire.headers['x-acs-credentials-provider'] = 'static_sts';
      },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a body whose hash differs from x-acs-content-sha256', async () => {
    const res = await rawCall(emu.url, {
      action: 'RefreshObjectCaches',
      form: { ObjectPath: 'https://www.example.com/h.js' },
      tamper: (wire) => {
        wire.headers['x-acs-content-sha256'] =
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
      },
    });
    expect(res.json()['Code']).toBe('SignatureDoesNotMatch');
  });

  it('refuses a request without a signature (in XML, the RPC default format)', async () => {
    const res = await rawCall(emu.url, { ...quota, signature: 'none', format: null });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>IncompleteSignature</Code>');
  });
});
