/**
 * Alibaba Cloud request signatures, written from the published algorithm (not shared with src/) so the
 * emulator checks our client's signer independently. Pure functions, tested on Alibaba's worked examples.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type Pair = readonly [name: string, value: string];

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay literal, space is %20. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Decodes one query/form component the way a servlet container does: '+' is a space, then %XY sequences.
 * Throws URIError on malformed percent-encoding.
 */
export function decodeComponent(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/** Splits a raw query string or form body (without '?') into decoded name/value pairs, in wire order. */
export function parsePairs(raw: string): Pair[] {
  const pairs: Pair[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([decodeComponent(name), decodeComponent(value)]);
  }
  return pairs;
}

function byNameThenValue(a: Pair, b: Pair): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/** name=value pairs, both RFC 3986 encoded, sorted by name, joined by '&' (V3 query string and V1 canonicalized string). */
export function canonicalQuery(pairs: readonly Pair[]): string {
  return [...pairs]
    .sort(byNameThenValue)
    .map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`)
    .join('&');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of an empty body, which every bodiless V3 request must declare in x-acs-content-sha256. */
export const EMPTY_SHA256 = sha256Hex('');

export interface V3Authorization {
  algorithm: string;
  accessKeyId: string;
  /** As sent (the canonical request uses this exact string). */
  signedHeaders: string;
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`; undefined when a part is missing. */
export function parseV3Authorization(header: string): V3Authorization | undefined {
  const m = /^(\S+)\s+(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const part of (m[2] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { algorithm: m[1] ?? '', accessKeyId, signedHeaders, signature };
}

export interface V3CanonicalInput {
  method: string;
  /** Path as sent, already encoded ('/' for RPC). */
  path: string;
  query: readonly Pair[];
  /** Lower-case header name -> every value received for it. */
  headers: Readonly<Record<string, readonly string[]>>;
  /** The SignedHeaders string from the Authorization header. */
  signedHeaders: string;
  hashedPayload: string;
}

/** CanonicalRequest of ACS3-HMAC-SHA256: METHOD, URI, query, headers, signed header names, payload hash. */
export function v3CanonicalRequest(input: V3CanonicalInput): string {
  const names = input.signedHeaders.split(';').map((n) => n.trim().toLowerCase());
  const headerLines = [...names]
    .sort()
    .map((name) => {
      const values = (input.headers[name] ?? []).map((v) => v.trim()).sort();
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
  return [
    input.method.toUpperCase(),
    input.path,
    canonicalQuery(input.query),
    headerLines,
    input.signedHeaders,
    input.hashedPayload,
  ].join('\n');
}

export function v3StringToSign(canonicalRequest: string): string {
  return `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
}

export function v3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** V1 (HMAC-SHA1) StringToSign over every parameter except Signature. */
export function v1StringToSign(method: string, params: readonly Pair[]): string {
  const canonical = canonicalQuery(params.filter(([n]) => n !== 'Signature'));
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** Constant-time string comparison, so the verifier does not leak how much of a signature matched. */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
