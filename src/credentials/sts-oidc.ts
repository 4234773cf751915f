/**
 * STS AssumeRoleWithOIDC: the job's GitHub ID token in, short-lived credentials out. The call is
 * anonymous (the token is the credential), so it is a plain form POST, not a signed RPC call.
 */
import { parseAnswer, stringField, type ApiFields } from '../alibaba/answer.js';
import { AlibabaError, isRetryable } from '../base/errors.js';
import { canonicalQuery, isoSeconds, type Credentials } from '../alibaba/signer.js';
import { httpFetch, readText } from '../http/fetch.js';
import { callFailure } from '../alibaba/client.js';

/** `role-arn` and its companions: STS AssumeRoleWithOIDC with the job's GitHub ID token. */
export interface OidcConfig {
  /** `acs:ram::<uid>:role/<name>`. */
  roleArn: string;
  /** `acs:ram::<uid>:oidc-provider/<name>`. */
  oidcProviderArn: string;
  /** 2–64 characters of [A-Za-z0-9.@_-]. */
  roleSessionName: string;
  /** The ID token's `aud`; the RAM OIDC provider's client ID list must contain it. */
  audience: string;
  /** Asked-for lifetime of the STS credentials (900 up to the role's maximum). */
  durationSeconds: number;
  /** Origin of the STS API. */
  stsEndpoint: string;
  /**
   * Whether the job may request an ID token: the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and
   * ACTIONS_ID_TOKEN_REQUEST_TOKEN only with `permissions: id-token: write`.
   */
  idTokenRequestAvailable: boolean;
}

export const STS_API_VERSION = '2015-04-01';
const ACTION = 'AssumeRoleWithOIDC';

/** The GitHub Actions issuer, which the RAM OIDC provider and the role's trust policy must name. */
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

export interface AssumedRole {
  credentials: Credentials;
  /** ms since epoch, by STS's clock; undefined when the answer gave no readable Expiration. */
  expiresAt: number | undefined;
  /** As STS wrote it, for messages. */
  expiration: string;
}

export interface AssumeOptions {
  /** Called with each secret of the answer before anything else happens with it. */
  mask: (secret: string) => void;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  now?: () => Date;
}

/**
 * One AssumeRoleWithOIDC call. Throws AlibabaError: retryable classes for throttling, 5xx and network
 * failures; class `credentials` with advice for a refusal (nothing will work until the setup is fixed).
 */
export async function assumeRoleWithOidc(
  config: OidcConfig,
  idToken: string,
  options: AssumeOptions,
): Promise<AssumedRole> {
  const query = canonicalQuery({
    Action: ACTION,
    Version: STS_API_VERSION,
    Format: 'JSON',
    Timestamp: isoSeconds(options.now?.() ?? new Date()),
  });
  const body = canonicalQuery({
    RoleArn: config.roleArn,
    OIDCProviderArn: config.oidcProviderArn,
    OIDCToken: idToken,
    RoleSessionName: config.roleSessionName,
    DurationSeconds: String(config.durationSeconds),
  });
  const fields = parseStsAnswer(
    config,
    idToken,
    await post(`${config.stsEndpoint}/?${query}`, body, options),
  );
  const issued = fields['Credentials'];
  const record = typeof issued === 'object' && issued !== null ? (issued as ApiFields) : {};
  const accessKeyId = stringField(record, 'AccessKeyId') ?? '';
  const accessKeySecret = stringField(record, 'AccessKeySecret') ?? '';
  const securityToken = stringField(record, 'SecurityToken') ?? '';
  // Masked the moment they exist, before any line can be logged.
  for (const secret of [accessKeyId, accessKeySecret, securityToken]) if (secret) options.mask(secret);
  if (!accessKeyId || !accessKeySecret || !securityToken) {
    throw new AlibabaError(`${ACTION}: the answer carries no Credentials`, {
      action: ACTION,
      errorClass: 'transient',
    });
  }
  const expiration = stringField(record, 'Expiration') ?? '';
  const expiresAt = Date.parse(expiration);
  return {
    credentials: { accessKeyId, accessKeySecret, securityToken },
    expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt,
    expiration,
  };
}

async function post(
  url: string,
  body: string,
  options: AssumeOptions,
): Promise<{ status: number; contentType: string; body: string; retryAfterHeader: string | null }> {
  try {
    // httpFetch's timeout covers reading the answer too.
    const response = await httpFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await readText(response),
      retryAfterHeader: response.headers.get('x-acs-retry-after'),
    };
  } catch (error) {
    const failure = callFailure(ACTION, error);
    // Nothing was sent to the CDN: whatever happened, no prefetch outcome is unknown.
    throw new AlibabaError(failure.message, { ...failure, outcomeUnknown: false });
  }
}

function parseStsAnswer(
  config: OidcConfig,
  idToken: string,
  raw: { status: number; contentType: string; body: string; retryAfterHeader: string | null },
): ApiFields {
  try {
    return parseAnswer({ action: ACTION, ...raw });
  } catch (error) {
    if (!(error instanceof AlibabaError)) throw error;
    if (isRetryable(error.errorClass)) {
      // Nothing was sent to the CDN: whatever happened, no prefetch outcome is unknown.
      throw new AlibabaError(error.message, { ...error, outcomeUnknown: false });
    }
    throw new AlibabaError(`${error.message} (assuming ${config.roleArn})`, {
      action: ACTION,
      errorClass: 'credentials',
      code: error.code,
      httpStatus: error.httpStatus,
      requestId: error.requestId,
      advice:
        error.code === undefined
          ? `Check sts-endpoint (${config.stsEndpoint}): the answer was not one of STS's.`
          : stsRefusalAdvice(error.code, config, tokenClaims(idToken)),
    });
  }
}

/** The claims a trust policy's conditions test (not secret, unlike the token), as far as readable. */
export function tokenClaims(idToken: string): Record<'iss' | 'aud' | 'sub', string | undefined> {
  let payload: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    if (typeof parsed === 'object' && parsed !== null) payload = parsed as Record<string, unknown>;
  } catch {
    // Not a JWT we can read: the advice goes without the claims.
  }
  const claim = (name: string): string | undefined => {
    const value = payload[name];
    if (typeof value === 'string') return value;
    return Array.isArray(value) ? value.join(',') : undefined;
  };
  return { iss: claim('iss'), aud: claim('aud'), sub: claim('sub') };
}

/** The usual cause of an STS refusal, in terms of what to change in RAM or in the inputs. */
export function stsRefusalAdvice(
  code: string,
  config: Pick<OidcConfig, 'audience' | 'oidcProviderArn'>,
  claims: Partial<Record<'iss' | 'aud' | 'sub', string | undefined>> = {},
): string {
  const trust =
    `the RAM role's trust policy must allow the principal ${config.oidcProviderArn} (Federated) to ` +
    `sts:AssumeRole with conditions this job's token meets: oidc:iss "${GITHUB_OIDC_ISSUER}", ` +
    `oidc:aud "${config.audience}", oidc:sub "repo:<owner>/<repo>:…" (see "OIDC" in the README)`;
  const clientId =
    `the OIDC provider's client ID list must contain the audience "${config.audience}" ` +
    '(the audience input; the token is issued for it)';
  const fingerprint =
    `the OIDC provider's issuer URL must be exactly ${GITHUB_OIDC_ISSUER} and its fingerprint must match ` +
    "that site's current certificate (update it in the RAM console)";
  const token = (['iss', 'aud', 'sub'] as const)
    .filter((name) => claims[name] !== undefined)
    .map((name) => `oidc:${name} "${claims[name]}"`)
    .join(', ');
  const tokenSays = token === '' ? '' : ` This job's token has ${token}.`;
  if (/AudienceNotMatch|ClientId/i.test(code)) return `Check that ${clientId}.${tokenSays}`;
  if (/Fingerprint|HttpsUrlInvalid|InvalidSignature|Issuer/i.test(code)) return `Check that ${fingerprint}.`;
  if (/NoPermission/i.test(code)) {
    return `Check that ${trust}, and that oidc-provider-arn names a provider that exists.${tokenSays}`;
  }
  if (/OIDCToken\.Expired/i.test(code)) {
    return "The GitHub ID token had expired when STS checked it: check the runner's clock.";
  }
  if (/EntityNotExist\.Role|InvalidParameter\.RoleArn/i.test(code)) {
    return 'Check role-arn: the account ID and role name must name an existing RAM role.';
  }
  if (/OIDCProvider/i.test(code)) {
    return 'Check oidc-provider-arn: it must name an OIDC provider of the same account.';
  }
  if (/RoleSessionName/i.test(code))
    return 'Check role-session-name: 2 to 64 characters of letters, digits, . @ _ -.';
  if (/DurationSeconds/i.test(code)) {
    return "Lower role-duration-seconds, or raise the role's maximum session duration in the RAM console.";
  }
  return `Usually: ${trust}; ${clientId}; ${fingerprint}.${tokenSays}`;
}
