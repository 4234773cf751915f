import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, percentEncode, rpcSignature, signV1, signV3 } from '../../src/alibaba/signer.js';

// The official SDK's pure helpers, used as the reference: never imported by src/.
const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-core/dist/utils.js').default as {
  getAuthorization(request: unknown, algorithm: string, payload: string, id: string, secret: string): string;
  getRPCSignature(params: Record<string, string>, method: string, secret: string): string;
};

describe('percentEncode', () => {
  it.each([
    ['a b', 'a%20b'],
    ['*', '%2A'],
    ["!'()", '%21%27%28%29'],
    ['~-_.', '~-_.'],
    ['https://x.com/ü\n', 'https%3A%2F%2Fx.com%2F%C3%BC%0A'],
  ])('%j -> %s', (input, expected) => {
    expect(percentEncode(input)).toBe(expected);
  });
});

describe('signV3 (ACS3-HMAC-SHA256)', () => {
  it("reproduces Alibaba's worked RunInstances example", () => {
    const signed = signV3({
      endpoint: new URL('https://ecs.cn-shanghai.aliyuncs.com'),
      action: 'RunInstances',
      version: '2014-05-26',
      query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
      credentials: { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' },
      date: new Date('2023-10-26T10:22:32Z'),
      nonce: '3156853299f313e23d1673dc12e1703d',
    });
    expect(signed.headers['authorization']).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,' +
        'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
        'Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
    expect(signed.url).toBe(
      'https://ecs.cn-shanghai.aliyuncs.com/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
    );
    expect(signed.body).toBe('');
  });

  it.each([
    ['without a token, query only', undefined, undefined],
    ['with an STS token', 'sts-token/+=', undefined],
    [
      'with a form body',
      undefined,
      { ObjectPath: 'https://www.example.com/a\nhttps://www.example.com/ü b', ObjectType: 'File' },
    ],
  ])('agrees with the official SDK %s', (_name, securityToken, form) => {
    const credentials = {
      accessKeyId: 'LTAI-test',
      accessKeySecret: 's3cr3t!',
      ...(securityToken ? { securityToken } : {}),
    };
    const query = {
      ObjectPath: 'https://www.example.com/a b/ü?x=1*2\nhttps://www.example.com/',
      Area: 'domestic',
    };
    const signed = signV3({
      endpoint: new URL('http://127.0.0.1:8123'),
      action: 'PushObjectCache',
      version: '2018-05-10',
      query,
      ...(form ? { form } : {}),
      credentials,
      date: new Date('2026-11-24T01:02:03Z'),
      nonce: 'nonce-1',
    });
    const { authorization, ...sentHeaders } = signed.headers;
    const payload = createHash('sha256').update(signed.body).digest('hex');
    const expected = OpenApiUtil.getAuthorization(
      { pathname: '/', method: 'POST', query, headers: sentHeaders },
      'ACS3-HMAC-SHA256',
      payload,
      credentials.accessKeyId,
      credentials.accessKeySecret,
    );
    expect(authorization).toBe(expected);
    expect(sentHeaders['host']).toBe('127.0.0.1:8123');
    expect(sentHeaders['x-acs-content-sha256']).toBe(payload);
    if (securityToken) expect(sentHeaders['x-acs-security-token']).toBe(securityToken);
  });
});

describe('signV1 (HMAC-SHA1)', () => {
  const example = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };

  it("reproduces Alibaba's worked DescribeRegions example for GET and POST", () => {
    expect(rpcSignature('GET', example, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(rpcSignature('POST', example, 'testsecret')).toBe('MxbnVAM4w6sft9xjVpe/GCKueuk=');
  });

  it('signs every parameter it sends, and agrees with the official SDK', () => {
    const signed = signV1({
      endpoint: new URL('https://cdn.aliyuncs.com'),
      action: 'PushObjectCache',
      version: '2018-05-10',
      query: { ObjectPath: 'https://www.example.com/ü\nhttps://www.example.com/*', Area: 'overseas' },
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret', securityToken: 'tok' },
      date: new Date('2026-11-24T01:02:03Z'),
      nonce: 'n-2',
    });
    const sent = Object.fromEntries(new URLSearchParams(signed.body));
    expect(sent).toMatchObject({
      Action: 'PushObjectCache',
      Format: 'JSON',
      SignatureVersion: '1.0',
      SecurityToken: 'tok',
      Timestamp: '2026-11-24T01:02:03Z',
    });
    const { Signature, ...rest } = sent;
    expect(Signature).toBe(OpenApiUtil.getRPCSignature(rest, 'POST', 'secret'));
    expect(signed.body).toBe(canonicalQuery(sent));
  });
});
