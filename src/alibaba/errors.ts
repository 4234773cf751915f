/**
 * Every answer Alibaba (or the network) can give, sorted once into classes. Callers act on the class,
 * never on codes or HTTP statuses: the published statuses disagree between Alibaba's own pages.
 * The error types themselves live in base/errors.ts.
 */
import type { AlibabaError, ErrorClass } from '../base/errors.js';
import { sentences } from '../base/text.js';
import { ACTION_WORDING, type Wording } from '../base/wording.js';
import { PROXY_TUNNEL_FAILED } from '../http/proxy.js';

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

/**
 * Network failures that provably sent nothing: the connection was refused, or the host name never
 * resolved, so no byte of the request left the runner. Every other failure once a connection was
 * attempted (a reset, a timeout, an abort, a TLS or protocol error) may have delivered the request.
 */
const NOTHING_SENT: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  // A proxy that closed before answering CONNECT: the tunnel never opened, so nothing reached the CDN.
  PROXY_TUNNEL_FAILED,
]);

/** Whether a network failure with this system error code (NetworkError.code) proves that nothing was sent. */
export function sentNothing(systemCode: string | undefined): boolean {
  return systemCode !== undefined && NOTHING_SENT.has(systemCode);
}

/**
 * Host names that do not resolve, and will not on a retry: the name does not exist (ENOTFOUND, which
 * Node also reports for EAI_NONAME), or resolving failed for good (EAI_FAIL). A wrong endpoint or a
 * runner without DNS; 40 s of retries would only hide it. EAI_AGAIN ("try again") stays transient.
 */
const UNRESOLVED: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_FAIL']);

/** Whether a network failure with this system error code means the host name cannot be resolved. */
export function hostUnresolved(systemCode: string | undefined): boolean {
  return systemCode !== undefined && UNRESOLVED.has(systemCode);
}

/** A refusal that stops the run, with what to check: "<what the API said>. <advice>", never "..". */
export function fatalText(error: AlibabaError, wording: Wording = ACTION_WORDING): string {
  return sentences(error.message, adviceFor(error, wording));
}

/** What a person should check when a fatal error stops the run, named as `wording`'s reader sets it. */
export function adviceFor(error: AlibabaError, wording: Wording = ACTION_WORDING): string {
  if (error.advice !== undefined) return error.advice;
  if (error.errorClass === 'unreachable') {
    const sts = error.action === 'AssumeRoleWithOIDC';
    return (
      `The host name does not resolve: check ${wording.input(sts ? 'sts-endpoint' : 'endpoint')} ` +
      `(the API's host, ${sts ? 'sts.aliyuncs.com' : 'cdn.aliyuncs.com'} by default) and ${wording.machine}'s ` +
      'network and DNS, or a proxy (HTTPS_PROXY) that reaches it. Nothing was sent.'
    );
  }
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
        `The STS credentials have expired. Credentials passed in ${wording.secret('security-token', 'ALIBABA_CLOUD_SECURITY_TOKEN')} ` +
        (wording.surface === 'cli'
          ? 'cannot be renewed by cdn-prefetch: obtain them right before running it.'
          : 'cannot be renewed by cdn-prefetch: obtain them right before this step, or set role-arn so that ' +
            'cdn-prefetch assumes the role itself and renews the credentials during the run.')
      );
    case 'InvalidAccessKeyId.NotFound':
    case 'InvalidAccessKeyId.Inactive':
      return `Check ${wording.secret('access-key-id', 'ALIBABA_CLOUD_ACCESS_KEY_ID')}: the key must exist and be enabled.`;
    default:
      if (error.code?.startsWith('InvalidSecurityToken')) {
        return `Check ${wording.secret('security-token', 'ALIBABA_CLOUD_SECURITY_TOKEN')}: STS credentials need their token, and expire.`;
      }
      return (
        `Check ${wording.secret('access-key-secret', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET')}: it must belong to the access key id, ` +
        'with no extra spaces or line breaks.'
      );
  }
}
