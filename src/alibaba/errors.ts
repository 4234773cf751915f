/**
 * Every answer Alibaba (or the network) can give, sorted once into classes. Callers act on the class,
 * never on codes or HTTP statuses: the published statuses disagree between Alibaba's own pages.
 */

export type ErrorClass =
  /** Request rate exceeded: retry after a pause. */
  | 'throttled'
  /** 5xx, ServiceUnavailable, ServiceBusy, a dropped connection, an HTML error page: retry. */
  | 'transient'
  /** The account's prefetch queue is full: retry later, with longer pauses. */
  | 'queue-full'
  /** The daily quota is spent: stop sending, re-read the remainder. */
  | 'quota'
  /** The host is not an online accelerated domain of this account: fail that host's URLs. */
  | 'domain'
  /** The request itself is wrong (a URL, a parameter): retrying cannot help. */
  | 'bad-request'
  /** Keys, token, signature or clock: nothing will work until the user fixes them. */
  | 'credentials'
  /** RAM permission or account state: nothing will work until the user fixes them. */
  | 'permission'
  /** An API error code we do not know: treated as a failure of this call only. */
  | 'unknown';

const EXACT: Record<string, ErrorClass> = {
  ServiceUnavailable: 'transient',
  InternalError: 'transient',
  'InternalError.Unknown': 'transient',
  ServiceBusy: 'transient',
  PreloadQueueFull: 'queue-full',
  MissingParameter: 'bad-request',
  InvalidParameter: 'bad-request',
  'SingleRequest.OverLimit': 'bad-request',
  InvalidExtensiveDomain: 'domain',
  SignatureDoesNotMatch: 'credentials',
  IncompleteSignature: 'credentials',
  SignatureNonceUsed: 'credentials',
  Forbidden: 'permission',
  OperationDenied: 'permission',
  IllegalOperation: 'permission',
};

const PREFIXES: [string, ErrorClass][] = [
  ['QuotaExceeded', 'quota'],
  ['InvalidObjectPath', 'bad-request'],
  ['InvalidParameter', 'bad-request'],
  ['InvalidDomain', 'domain'],
  ['InvalidExtensiveDomain', 'domain'],
  ['InvalidAccessKeyId', 'credentials'],
  ['InvalidSecurityToken', 'credentials'],
  ['InvalidTimeStamp', 'credentials'],
  ['Forbidden', 'permission'],
  ['OperationDenied', 'permission'],
];

/** Classifies an API error Code; `httpStatus` only decides for codes we have never seen. */
export function classifyCode(code: string, httpStatus?: number): ErrorClass {
  // The official SDK treats any code containing "Throttling" as throttling; so do we.
  if (code.includes('Throttling')) return 'throttled';
  const exact = EXACT[code];
  if (exact !== undefined) return exact;
  for (const [prefix, errorClass] of PREFIXES) {
    if (code === prefix || code.startsWith(`${prefix}.`)) return errorClass;
  }
  if (httpStatus !== undefined && httpStatus >= 500) return 'transient';
  return 'unknown';
}

/** Whether a call that failed with this class may be sent again. */
export function isRetryable(errorClass: ErrorClass): boolean {
  return errorClass === 'throttled' || errorClass === 'transient' || errorClass === 'queue-full';
}

/** Whether this class means no further call can succeed, so the run must stop. */
export function isFatal(errorClass: ErrorClass): boolean {
  return errorClass === 'credentials' || errorClass === 'permission';
}

export interface AlibabaErrorDetails {
  action: string;
  errorClass: ErrorClass;
  code?: string | undefined;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
  /** From `x-acs-retry-after`, in milliseconds, as the official SDK reads it. */
  retryAfterMs?: number | undefined;
  /**
   * True when the request may have reached Alibaba and been accepted although no answer says so
   * (the connection dropped after sending, a timeout, an unreadable 200).
   */
  outcomeUnknown?: boolean;
  /** What to check, when the thrower knows better than `adviceFor`'s defaults (STS refusals). */
  advice?: string | undefined;
}

/** A failed call: an API error, a network failure, or an answer that is not the API's. */
export class AlibabaError extends Error {
  readonly action: string;
  readonly errorClass: ErrorClass;
  readonly code: string | undefined;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly outcomeUnknown: boolean;
  readonly advice: string | undefined;

  constructor(message: string, details: AlibabaErrorDetails) {
    super(message);
    this.name = 'AlibabaError';
    this.action = details.action;
    this.errorClass = details.errorClass;
    this.code = details.code;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.advice = details.advice;
  }
}

/** What a person should check when a fatal error stops the run. */
export function adviceFor(error: AlibabaError): string {
  if (error.advice !== undefined) return error.advice;
  if (error.errorClass === 'permission') {
    return (
      `The RAM user or role lacks permission for cdn:${error.action} (or the account cannot use it). ` +
      `Grant cdn:${error.action} in its RAM policy; see "RAM policy" in the README.`
    );
  }
  switch (error.code) {
    case 'InvalidTimeStamp.Expired':
      return "The runner's clock is more than 15 minutes off; check its time synchronization.";
    case 'SignatureNonceUsed':
      return 'A request was replayed; this is a bug in cdn-prefetch, please report it.';
    case 'InvalidSecurityToken.Expired':
      return (
        'The STS credentials have expired. Credentials passed in security-token (or ALIBABA_CLOUD_SECURITY_TOKEN) ' +
        'cannot be renewed by cdn-prefetch: obtain them right before this step, or set role-arn so that ' +
        'cdn-prefetch assumes the role itself and renews the credentials during the run.'
      );
    case 'InvalidAccessKeyId.NotFound':
    case 'InvalidAccessKeyId.Inactive':
      return 'Check access-key-id (or ALIBABA_CLOUD_ACCESS_KEY_ID): the key must exist and be enabled.';
    default:
      if (error.code?.startsWith('InvalidSecurityToken')) {
        return 'Check security-token (or ALIBABA_CLOUD_SECURITY_TOKEN): STS credentials need their token, and expire.';
      }
      return (
        'Check access-key-secret (or ALIBABA_CLOUD_ACCESS_KEY_SECRET): it must belong to the access key id, ' +
        'with no extra spaces or line breaks.'
      );
  }
}
