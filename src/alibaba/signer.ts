/**
 * Alibaba Cloud request signing, both algorithms the CDN API accepts. Pure functions of their inputs
 * (time and nonce are passed in), so they can be checked against Alibaba's worked examples and SDK.
 */
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present with STS (temporary) credentials. */
  securityToken?: string;
}

/** A request ready to send: every header and the body are exactly what was signed. */
export interface SignedRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SignInput {
  endpoint: URL;
  action: string;
  version: string;
  /** Parameters sent in the query string (PushObjectCache sends all of its own there, as the SDK does). */
  query: Record<string, string>;
  /** Parameters sent as an application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  credentials: Credentials;
  /** UTC time of signing; Alibaba refuses requests more than 15 minutes off. */
  date: Date;
  /** Unique per request, retries included: Alibaba refuses a nonce it has seen (SignatureNonceUsed). */
  nonce: string;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 percent-encoding, as both signature versions require (space is %20, `*` is %2A). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `yyyy-MM-ddTHH:mm:ssZ`, the only timestamp form Alibaba accepts. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sorted `name=value` pairs, each RFC 3986 encoded, joined by `&`. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
}

function formBody(form: Record<string, string> | undefined): string {
  if (form === undefined || Object.keys(form).length === 0) return '';
  return canonicalQuery(form);
}

function hostOf(endpoint: URL): string {
  return endpoint.host;
}

function withQuery(endpoint: URL, query: string): string {
  return `${endpoint.protocol}//${endpoint.host}/${query === '' ? '' : `?${query}`}`;
}

/** ACS3-HMAC-SHA256 ("V3"), Alibaba's recommended algorithm and the SDK's default. */
export function signV3(input: SignInput): SignedRequest {
  const body = formBody(input.form);
  const headers: Record<string, string> = {
    host: hostOf(input.endpoint),
    'x-acs-action': input.action,
    'x-acs-version': input.version,
    'x-acs-date': isoSeconds(input.date),
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': body === '' ? EMPTY_SHA256 : sha256Hex(body),
  };
  if (body !== '') headers['content-type'] = 'application/x-www-form-urlencoded';
  if (input.credentials.securityToken) headers['x-acs-security-token'] = input.credentials.securityToken;

  const query = canonicalQuery(input.query);
  const signedNames = Object.keys(headers).sort();
  const canonicalRequest = [
    'POST',
    '/',
    query,
    signedNames.map((name) => `${name}:${(headers[name] ?? '').trim()}\n`).join(''),
    signedNames.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', input.credentials.accessKeySecret)
    .update(stringToSign)
    .digest('hex');
  headers['authorization'] =
    `ACS3-HMAC-SHA256 Credential=${input.credentials.accessKeyId},` +
    `SignedHeaders=${signedNames.join(';')},Signature=${signature}`;
  return { method: 'POST', url: withQuery(input.endpoint, query), headers, body };
}

/**
 * HMAC-SHA1 with SignatureVersion 1.0 ("V1" here, "V2" on Alibaba's newer pages). Every parameter
 * travels in the form body, so nothing but the host and path shows in proxy or server access logs.
 */
export function signV1(input: SignInput): SignedRequest {
  const params: Record<string, string> = {
    ...input.query,
    ...input.form,
    Action: input.action,
    Version: input.version,
    Format: 'JSON',
    AccessKeyId: input.credentials.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: input.nonce,
    Timestamp: isoSeconds(input.date),
  };
  if (input.credentials.securityToken) params['SecurityToken'] = input.credentials.securityToken;
  params['Signature'] = rpcSignature('POST', params, input.credentials.accessKeySecret);
  return {
    method: 'POST',
    url: withQuery(input.endpoint, ''),
    headers: { host: hostOf(input.endpoint), 'content-type': 'application/x-www-form-urlencoded' },
    body: canonicalQuery(params),
  };
}

/** The V1 signature of a parameter set (every parameter but `Signature` itself). */
export function rpcSignature(method: string, params: Record<string, string>, secret: string): string {
  const { Signature: _ignored, ...signed } = params;
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(signed))}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
