/** STS AssumeRoleWithOIDC (Version 2015-04-01): exchanges a GitHub OIDC token for short-lived credentials. */
import { randomInt } from 'node:crypto';
import type { CredentialStore } from './credentials.js';
import { ApiError, missingParameter } from './errors.js';
import type { EmulatorOptions } from './types.js';

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.@\-_]+)$/i;
const PROVIDER_ARN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9.\-_]+$/i;
const SESSION_NAME = /^[A-Za-z0-9.@\-_]{2,64}$/;
const JWT = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/;
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 43_200;
const DEFAULT_DURATION_S = 3600;

function invalid(name: string, value: string): ApiError {
  return new ApiError(
    400,
    `InvalidParameter.${name}`,
    `The parameter ${name} is invalid: ${value.slice(0, 100)}`,
  );
}

/** STS errors are 400 except the server-side ones a test may ask acceptOidcToken to return. */
function statusOf(code: string): number {
  if (code === 'InternalError') return 500;
  if (code === 'ServiceUnavailable') return 503;
  return 400;
}

function jwtClaims(jwt: string): Record<string, unknown> {
  const payload = JWT.exec(jwt)?.[1] ?? '';
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function claimTime(value: unknown): string | undefined {
  return typeof value === 'number'
    ? new Date(value * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    : undefined;
}

/** Validates the call, asks options.sts whether to trust the token, and issues registered credentials. */
export function assumeRoleWithOidc(
  params: Readonly<Record<string, string>>,
  credentials: CredentialStore,
  sts: EmulatorOptions['sts'],
  now: number,
): Record<string, unknown> {
  const roleArn = params['RoleArn'];
  const providerArn = params['OIDCProviderArn'];
  const token = params['OIDCToken'];
  if (!roleArn) throw missingParameter('RoleArn');
  if (!providerArn) throw missingParameter('OIDCProviderArn');
  if (!token) throw missingParameter('OIDCToken');
  const role = ROLE_ARN.exec(roleArn);
  if (!role) throw invalid('RoleArn', roleArn);
  if (!PROVIDER_ARN.test(providerArn)) throw invalid('OIDCProviderArn', providerArn);
  const sessionName = params['RoleSessionName'] ?? `oidc-session-${now}`;
  if (!SESSION_NAME.test(sessionName)) throw invalid('RoleSessionName', sessionName);
  const durationText = params['DurationSeconds'] ?? String(DEFAULT_DURATION_S);
  const duration = /^\d+$/.test(durationText) ? Number(durationText) : NaN;
  if (!(duration >= MIN_DURATION_S && duration <= MAX_DURATION_S))
    throw invalid('DurationSeconds', durationText);
  if (!JWT.test(token)) throw invalid('OIDCToken', 'not a JWT');

  const verdict = sts ? sts.acceptOidcToken(token) : true;
  if (verdict === false)
    throw new ApiError(400, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDC token is invalid.');
  if (typeof verdict === 'string')
    throw new ApiError(statusOf(verdict), verdict, `The OIDC token was refused: ${verdict}`);

  const lifetimeS = sts?.durationSeconds ?? duration;
  const issued = credentials.issue(now + lifetimeS * 1000);
  const claims = jwtClaims(token);
  const roleId = String(randomInt(100_000_000, 999_999_999));
  return {
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      AccessKeySecret: issued.accessKeySecret,
      SecurityToken: issued.securityToken,
      Expiration: issued.expiration,
    },
    AssumedRoleUser: {
      Arn: `acs:ram::${role[1]}:assumed-role/${role[2]}/${sessionName}`,
      AssumedRoleId: `3${roleId}:${sessionName}`,
    },
    OIDCTokenInfo: {
      Subject: typeof claims['sub'] === 'string' ? claims['sub'] : '',
      Issuer: typeof claims['iss'] === 'string' ? claims['iss'] : '',
      ClientIds: Array.isArray(claims['aud']) ? claims['aud'].join(',') : String(claims['aud'] ?? ''),
      ExpirationTime: claimTime(claims['exp']),
      IssuanceTime: claimTime(claims['iat']),
      VerificationInfo: 'Success',
    },
  };
}
