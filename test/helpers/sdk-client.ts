/**
 * Test-only clients for the emulator: the official SDK, and raw HTTP calls signed with the SDK's pure
 * signing helpers (so the emulator's verifier is never checked against itself). Raw calls can be tampered
 * with after signing and report socket failures as rejections.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import CdnDefault from '@alicloud/cdn20180510';
import type * as CdnModule from '@alicloud/cdn20180510';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';

type CdnClientClass = typeof CdnModule.default;
export type CdnClient = InstanceType<CdnClientClass>;
// Node's ESM loader hands us module.exports (the class is `.default`); vitest unwraps __esModule and hands the class.
const CdnClientCtor = ((CdnDefault as unknown as { default?: CdnClientClass }).default ??
  CdnDefault) as unknown as CdnClientClass;

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export const TEST_CREDS: Creds = { accessKeyId: 'test-ak-id', accessKeySecret: 'test-ak-secret' };

/** The official CDN SDK pointed at the emulator; 'v1' selects HMAC-SHA1 (the SDK calls it 'v2'). */
export function sdkClient(url: string, creds: Creds, signature: 'v3' | 'v1'): CdnClient {
  const config = new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken === undefined ? {} : { securityToken: creds.securityToken }),
    endpoint: new URL(url).host,
    protocol: 'http',
    ...(signature === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
    readTimeout: 5000,
    connectTimeout: 5000,
  });
  return new CdnClientCtor(config);
}

/** Alibaba error fields the SDK attaches to the errors it throws. */
export function sdkErrorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The request as it will go on the wire, after signing; tamper with it to test the verifier. */
export interface WireRequest {
  method: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface RawCall {
  action: string;
  /** API parameters sent in the query string. */
  params?: Record<string, string>;
  /** API parameters sent as an application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  signature?: 'v3' | 'v1' | 'none';
  method?: 'POST' | 'GET';
  creds?: Creds;
  version?: string;
  /** V1 Format parameter; JSON by default so answers are easy to read. */
  format?: 'JSON' | 'XML' | null;
  nonce?: string;
  /** Request time (x-acs-date / Timestamp), default now. */
  date?: Date;
  tamper?: (req: WireRequest) => void;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): Record<string, unknown>;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function encodePairs(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type SdkRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

/** Builds and signs a request the way the SDK would (same helpers, same header set). */
export function signRequest(url: string, call: RawCall): WireRequest {
  const method = call.method ?? 'POST';
  const creds = call.creds ?? TEST_CREDS;
  const signature = call.signature ?? 'v3';
  const nonce = call.nonce ?? randomUUID();
  const date = timestamp(call.date ?? new Date());
  const version = call.version ?? (call.action === 'AssumeRoleWithOIDC' ? '2015-04-01' : '2018-05-10');
  const body = call.form ? encodePairs(call.form) : '';
  const headers: Record<string, string> = { host: new URL(url).host };
  if (call.form) headers['content-type'] = 'application/x-www-form-urlencoded';

  if (signature === 'v3') {
    const query = { ...call.params };
    Object.assign(headers, {
      'x-acs-action': call.action,
      'x-acs-version': version,
      'x-acs-date': date,
      'x-acs-signature-nonce': nonce,
      'x-acs-content-sha256': OpenApiUtil.hash(Buffer.from(body), 'ACS3-HMAC-SHA256').toString('hex'),
    });
    if (creds.securityToken !== undefined) {
      headers['x-acs-accesskey-id'] = creds.accessKeyId;
      headers['x-acs-security-token'] = creds.securityToken;
    }
    const sdkRequest = { pathname: '/', method, query, headers } as unknown as SdkRequest;
    headers['authorization'] = OpenApiUtil.getAuthorization(
      sdkRequest,
      'ACS3-HMAC-SHA256',
      headers['x-acs-content-sha256'] ?? '',
      creds.accessKeyId,
      creds.accessKeySecret,
    );
    return { method, query, headers, body };
  }

  const query: Record<string, string> = { Action: call.action, Version: version, ...call.params };
  if (call.format !== null) query['Format'] = call.format ?? 'JSON';
  if (signature === 'v1') {
    Object.assign(query, {
      AccessKeyId: creds.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: nonce,
      Timestamp: date,
    });
    if (creds.securityToken !== undefined) query['SecurityToken'] = creds.securityToken;
    query['Signature'] = OpenApiUtil.getRPCSignature(
      { ...query, ...call.form },
      method,
      creds.accessKeySecret,
    );
  }
  return { method, query, headers, body };
}

/** Sends a wire request; rejects when the socket is reset or the timeout passes. */
export function send(url: string, wire: WireRequest, timeoutMs = 5000): Promise<RawResponse> {
  const target = new URL(url);
  const query = encodePairs(wire.query);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: wire.method,
        path: query ? `/?${query}` : '/',
        headers: { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(wire.body);
  });
}

/** Signs (then optionally tampers with) and sends one call. */
export function rawCall(url: string, call: RawCall): Promise<RawResponse> {
  const wire = signRequest(url, call);
  call.tamper?.(wire);
  return send(url, wire, call.timeoutMs);
}

/** A JWT-shaped token (unsigned) with GitHub-like claims. */
export function fakeJwt(claims: Record<string, unknown> = {}): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/site:ref:refs/heads/main', aud: 'sts.aliyuncs.com', iat: now, exp: now + 300, ...claims })}.c2ln`;
}
