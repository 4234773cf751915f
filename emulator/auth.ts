/** Request authentication as Alibaba's gateway does it: V3 (ACS3-HMAC-SHA256) or V1 (HMAC-SHA1), STS tokens, replay checks. */
import type { CredentialStore, NonceStore } from './credentials.js';
import { ApiError, missingParameter } from './errors.js';
import {
  type Pair,
  parseV3Authorization,
  safeEqual,
  sha256Hex,
  v1Signature,
  v1StringToSign,
  v3CanonicalRequest,
  v3Signature,
  v3StringToSign,
} from './signature.js';

/** What the verifier needs of a received request. */
export interface ReceivedRequest {
  method: string;
  path: string;
  queryPairs: readonly Pair[];
  /** Form body pairs (empty unless the body is application/x-www-form-urlencoded). */
  bodyPairs: readonly Pair[];
  body: Buffer;
  /** Lower-case header name -> every value received. */
  headers: Readonly<Record<string, readonly string[]>>;
  params: Readonly<Record<string, string>>;
}

export interface AuthContext {
  credentials: CredentialStore;
  nonces: NonceStore;
  now: number;
}

/** Alibaba accepts request timestamps within 15 minutes of its own clock. */
export const TIMESTAMP_TOLERANCE_MS = 15 * 60_000;

/** Headers the SDK adds for information only; Alibaba does not require them to be signed. */
const UNSIGNED_OK = new Set(['x-acs-credentials-provider']);

export function signatureVersionOf(req: ReceivedRequest): 'v1' | 'v3' | 'none' {
  if (req.headers['authorization'] !== undefined) return 'v3';
  if (req.params['Signature'] !== undefined) return 'v1';
  return 'none';
}

function header(req: ReceivedRequest, name: string): string | undefined {
  const values = req.headers[name];
  return values === undefined ? undefined : values.join(',');
}

function secretFor(ctx: AuthContext, accessKeyId: string): string {
  const secret = ctx.credentials.secretOf(accessKeyId);
  if (secret === undefined) {
    throw new ApiError(
      404,
      'InvalidAccessKeyId.NotFound',
      `Specified access key is not found: ${accessKeyId}`,
    );
  }
  return secret;
}

/** STS AccessKeyIds need their own, unexpired token; a permanent key must not come with one. */
function checkSecurityToken(ctx: AuthContext, accessKeyId: string, token: string | undefined): void {
  const sts = ctx.credentials.sts(accessKeyId);
  if (sts === undefined) {
    if (token !== undefined && token !== '') {
      throw new ApiError(
        400,
        'InvalidSecurityToken.MismatchWithAccessKey',
        'The security token does not match the AccessKeyId (a permanent AccessKey needs no token).',
      );
    }
    return;
  }
  if (token === undefined || token === '') {
    throw new ApiError(
      400,
      'InvalidSecurityToken.Malformed',
      'An STS AccessKeyId requires its security token.',
    );
  }
  const owner = ctx.credentials.ownerOfToken(token);
  if (owner === undefined)
    throw new ApiError(400, 'InvalidSecurityToken.Malformed', 'The security token is malformed.');
  if (owner !== accessKeyId) {
    throw new ApiError(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'The security token does not match the AccessKeyId.',
    );
  }
  if (ctx.now >= sts.expiresAt) {
    throw new ApiError(
      400,
      'InvalidSecurityToken.Expired',
      `The security token expired at ${sts.expiration}.`,
    );
  }
}

function checkTimestamp(name: string, value: string, now: number): void {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/.test(value);
  const at = ok ? Date.parse(value) : NaN;
  if (Number.isNaN(at))
    throw new ApiError(400, 'InvalidTimeStamp.Format', `Specified ${name} is not valid: ${value}`);
  if (Math.abs(now - at) > TIMESTAMP_TOLERANCE_MS) {
    throw new ApiError(
      400,
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: ${value}`,
    );
  }
}

function checkNonce(ctx: AuthContext, accessKeyId: string, nonce: string): void {
  if (!ctx.nonces.register(accessKeyId, nonce, ctx.now)) {
    throw new ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
}

function mismatch(stringToSign: string): ApiError {
  // Alibaba shows its StringToSign (never the secret) so a client author can diff it against their own.
  return new ApiError(
    400,
    'SignatureDoesNotMatch',
    `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
  );
}

const V3_REQUIRED = [
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
];

/** ACS3-HMAC-SHA256; returns the AccessKeyId. */
export function verifyV3(req: ReceivedRequest, ctx: AuthContext): string {
  const auth = parseV3Authorization(header(req, 'authorization') ?? '');
  if (!auth)
    throw new ApiError(
      400,
      'IncompleteSignature',
      'The Authorization header must carry Credential, SignedHeaders and Signature.',
    );
  if (auth.algorithm !== 'ACS3-HMAC-SHA256') {
    throw new ApiError(400, 'IncompleteSignature', `Unsupported signature algorithm: ${auth.algorithm}`);
  }
  for (const name of V3_REQUIRED) if (header(req, name) === undefined) throw missingParameter(name);
  const secret = secretFor(ctx, auth.accessKeyId);
  const keyHeader = header(req, 'x-acs-accesskey-id');
  if (keyHeader !== undefined && keyHeader !== auth.accessKeyId) {
    throw new ApiError(
      400,
      'InvalidSecurityToken.MismatchWithAccessKey',
      'x-acs-accesskey-id differs from the Credential of the Authorization header.',
    );
  }
  checkSecurityToken(ctx, auth.accessKeyId, header(req, 'x-acs-security-token'));
  checkTimestamp('x-acs-date', header(req, 'x-acs-date') ?? '', ctx.now);

  const signed = new Set(auth.signedHeaders.split(';').map((n) => n.trim().toLowerCase()));
  const mustSign = Object.keys(req.headers).filter(
    (n) => n === 'host' || n === 'content-type' || (n.startsWith('x-acs-') && !UNSIGNED_OK.has(n)),
  );
  const unsigned = [...new Set(['host', ...mustSign])].filter((n) => !signed.has(n));
  if (unsigned.length > 0)
    throw new ApiError(400, 'IncompleteSignature', `These headers must be signed: ${unsigned.join(', ')}`);
  const absent = [...signed].filter((n) => req.headers[n] === undefined);
  if (absent.length > 0)
    throw new ApiError(400, 'IncompleteSignature', `Signed headers not sent: ${absent.join(', ')}`);

  const declared = header(req, 'x-acs-content-sha256') ?? '';
  if (declared.toLowerCase() !== sha256Hex(req.body)) {
    throw new ApiError(
      400,
      'SignatureDoesNotMatch',
      'x-acs-content-sha256 is not the SHA-256 of the request body.',
    );
  }
  const stringToSign = v3StringToSign(
    v3CanonicalRequest({
      method: req.method,
      path: req.path,
      query: req.queryPairs,
      headers: req.headers,
      signedHeaders: auth.signedHeaders,
      hashedPayload: declared,
    }),
  );
  if (!safeEqual(auth.signature.toLowerCase(), v3Signature(secret, stringToSign)))
    throw mismatch(stringToSign);
  checkNonce(ctx, auth.accessKeyId, header(req, 'x-acs-signature-nonce') ?? '');
  return auth.accessKeyId;
}

const V1_REQUIRED = [
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
];

/** HMAC-SHA1 over every query and form parameter; returns the AccessKeyId. */
export function verifyV1(req: ReceivedRequest, ctx: AuthContext): string {
  const p = req.params;
  for (const name of V1_REQUIRED) if (p[name] === undefined || p[name] === '') throw missingParameter(name);
  if (p['SignatureMethod'] !== 'HMAC-SHA1' || p['SignatureVersion'] !== '1.0') {
    throw new ApiError(
      400,
      'IncompleteSignature',
      `Unsupported SignatureMethod ${p['SignatureMethod']} / SignatureVersion ${p['SignatureVersion']}`,
    );
  }
  const accessKeyId = p['AccessKeyId'] ?? '';
  const secret = secretFor(ctx, accessKeyId);
  checkSecurityToken(ctx, accessKeyId, p['SecurityToken']);
  checkTimestamp('Timestamp', p['Timestamp'] ?? '', ctx.now);
  const stringToSign = v1StringToSign(req.method, [...req.queryPairs, ...req.bodyPairs]);
  if (!safeEqual(p['Signature'] ?? '', v1Signature(secret, stringToSign))) throw mismatch(stringToSign);
  checkNonce(ctx, accessKeyId, p['SignatureNonce'] ?? '');
  return accessKeyId;
}
