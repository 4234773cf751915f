// The verifier's building blocks against Alibaba's published worked examples and the SDK's own helpers.
import { OpenApiUtil } from '@alicloud/openapi-core';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SHA256,
  canonicalQuery,
  parsePairs,
  parseV3Authorization,
  percentEncode,
  sha256Hex,
  v1Signature,
  v1StringToSign,
  v3CanonicalRequest,
  v3Signature,
  v3StringToSign,
} from '../../emulator/signature.js';

describe('V3 (ACS3-HMAC-SHA256) on the RunInstances worked example', () => {
  const signedHeaders =
    'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version';
  const canonical = v3CanonicalRequest({
    method: 'POST',
    path: '/',
    query: parsePairs('ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai'),
    headers: {
      host: ['ecs.cn-shanghai.aliyuncs.com'],
      'x-acs-action': ['RunInstances'],
      'x-acs-version': ['2014-05-26'],
      'x-acs-date': ['2023-10-26T10:22:32Z'],
      'x-acs-signature-nonce': ['3156853299f313e23d1673dc12e1703d'],
      'x-acs-content-sha256': [EMPTY_SHA256],
    },
    signedHeaders,
    hashedPayload: EMPTY_SHA256,
  });

  it('hashes the canonical request to the documented value', () => {
    expect(sha256Hex(canonical)).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
  });

  it('produces the documented signature', () => {
    expect(v3Signature('YourAccessKeySecret', v3StringToSign(canonical))).toBe(
      '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('parses the documented Authorization header', () => {
    const auth = parseV3Authorization(
      `ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=${signedHeaders},Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0`,
    );
    expect(auth).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'YourAccessKeyId',
      signedHeaders,
      signature: '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    });
    expect(parseV3Authorization('ACS3-HMAC-SHA256 Credential=x,Signature=y')).toBeUndefined();
  });
});

describe('V1 (HMAC-SHA1) on the DescribeRegions worked example', () => {
  const params = parsePairs(
    'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1' +
      '&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0' +
      '&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26',
  );

  it('builds the documented GET StringToSign and signature', () => {
    const stringToSign = v1StringToSign('GET', params);
    expect(stringToSign).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1' +
        '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0' +
        '%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(v1Signature('testsecret', stringToSign)).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('produces the documented POST signature', () => {
    expect(v1Signature('testsecret', v1StringToSign('POST', params))).toBe('MxbnVAM4w6sft9xjVpe/GCKueuk=');
  });

  it('leaves a Signature parameter out of the StringToSign', () => {
    expect(v1StringToSign('GET', [...params, ['Signature', 'abc']])).toBe(v1StringToSign('GET', params));
  });
});

describe('encoding', () => {
  it('percent-encodes as RFC 3986', () => {
    expect(percentEncode("a b!'()*~-_.ü/\n+")).toBe('a%20b%21%27%28%29%2A~-_.%C3%BC%2F%0A%2B');
  });

  it('decodes + as a space and sorts by name', () => {
    expect(parsePairs('b=2&a=x+y%2Bz&c')).toEqual([
      ['b', '2'],
      ['a', 'x y+z'],
      ['c', ''],
    ]);
    expect(canonicalQuery(parsePairs('b=2&a=x+y%2Bz'))).toBe('a=x%20y%2Bz&b=2');
  });

  it('rejects malformed percent-encoding', () => {
    expect(() => parsePairs('a=%zz')).toThrow(URIError);
  });

  it('agrees with the SDK helper on awkward values (newlines, unicode, reserved characters)', () => {
    const params = {
      ObjectPath: "https://www.example.com/a b/ü?x=1&y=*\nhttps://www.example.com/(c)!'",
      Timestamp: '2026-01-01T00:00:00Z',
      SecurityToken: 'CAIS+abc/def==',
    };
    const ours = v1Signature('s3cret', v1StringToSign('POST', Object.entries(params)));
    expect(ours).toBe(OpenApiUtil.getRPCSignature(params, 'POST', 's3cret'));
  });
});
