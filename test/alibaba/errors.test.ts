import { describe, expect, it } from 'vitest';
import { classifyCode, fatalText } from '../../src/alibaba/errors.js';
import { AlibabaError, isFatal, isRetryable, type ErrorClass } from '../../src/base/errors.js';
import { CLI_WORDING } from '../../src/base/wording.js';

/** Every code of the errors table in docs/alibaba-cdn-api.md, with the class its treatment implies. */
const DOC_TABLE: [string, ErrorClass][] = [
  // request rate exceeded: retry with backoff
  ['Throttling', 'throttled'],
  ['Throttling.User', 'throttled'],
  ['Throttling.Api', 'throttled'],
  // transient: retry with backoff
  ['ServiceUnavailable', 'transient'],
  ['InternalError', 'transient'],
  ['ServiceBusy', 'transient'],
  // prefetch queue full: retry later, bounded
  ['PreloadQueueFull', 'queue-full'],
  // daily quota used up: stop
  ['QuotaExceeded.Preload', 'quota'],
  ['QuotaExceeded.Refresh', 'quota'],
  // bad request: do not retry
  ['InvalidObjectPath.Malformed', 'bad-request'],
  ['InvalidObjectPath.ExceedsMaximum', 'bad-request'],
  ['InvalidObjectPath.Size.Malformed', 'bad-request'],
  ['SingleRequest.OverLimit', 'bad-request'],
  ['MissingParameter', 'bad-request'],
  ['InvalidParameter', 'bad-request'],
  // the domain is not an online accelerated domain of this account
  ['InvalidDomain.NotFound', 'domain'],
  ['InvalidDomain.Offline', 'domain'],
  ['InvalidExtensiveDomain.ValueNotSupported', 'domain'],
  // credentials or signing
  ['SignatureDoesNotMatch', 'credentials'],
  ['IncompleteSignature', 'credentials'],
  ['InvalidAccessKeyId.NotFound', 'credentials'],
  ['InvalidAccessKeyId.Inactive', 'credentials'],
  ['InvalidSecurityToken.Expired', 'credentials'],
  ['InvalidSecurityToken.Malformed', 'credentials'],
  ['InvalidSecurityToken.MismatchWithAccessKey', 'credentials'],
  ['InvalidTimeStamp.Expired', 'credentials'],
  ['SignatureNonceUsed', 'credentials'],
  // permission or account state
  ['Forbidden.RAM', 'permission'],
  ['Forbidden', 'permission'],
  ['OperationDenied', 'permission'],
  ['IllegalOperation', 'permission'],
];

describe('classifyCode: the API doc errors table', () => {
  // The published statuses disagree between pages, so the class must not depend on them.
  it.each(DOC_TABLE)('%s -> %s (whatever the HTTP status)', (code, expected) => {
    for (const status of [undefined, 200, 400, 403, 404, 500, 503]) {
      expect(classifyCode(code, status), `status ${status}`).toBe(expected);
    }
  });

  it.each<[string, ErrorClass]>([
    ['Throttling.Other', 'throttled'],
    ['Account.Throttling', 'throttled'],
    ['InvalidParameter.ObjectPath', 'bad-request'],
    ['QuotaExceeded', 'quota'],
  ])('related spelling %s -> %s', (code, expected) => {
    expect(classifyCode(code, 400)).toBe(expected);
  });
});

describe('classifyCode: unknown codes', () => {
  it.each<[string, number | undefined, ErrorClass]>([
    ['SomethingNew', 500, 'transient'],
    ['SomethingNew', 502, 'transient'],
    ['SomethingNew', 503, 'transient'],
    ['SomethingNew', 504, 'transient'],
    ['SomethingNew', 400, 'unknown'],
    ['SomethingNew', 403, 'unknown'],
    ['SomethingNew', 404, 'unknown'],
    ['SomethingNew', undefined, 'unknown'],
    // Prefixes match whole dotted segments only.
    ['QuotaExceededX', 400, 'unknown'],
    ['ForbiddenFruit', 400, 'unknown'],
    ['InvalidDomainName', 400, 'unknown'],
  ])('%s with HTTP %s -> %s', (code, status, expected) => {
    expect(classifyCode(code, status)).toBe(expected);
  });
});

describe('class treatment', () => {
  it.each<[ErrorClass, boolean, boolean]>([
    ['throttled', true, false],
    ['transient', true, false],
    ['queue-full', true, false],
    ['quota', false, false],
    ['domain', false, false],
    ['bad-request', false, false],
    ['credentials', false, true],
    ['permission', false, true],
    ['unknown', false, false],
  ])('%s: retryable %s, fatal %s', (errorClass, retryable, fatal) => {
    expect(isRetryable(errorClass)).toBe(retryable);
    expect(isFatal(errorClass)).toBe(fatal);
  });
});

describe('fatalText: what the API said, then what to check, one full stop between', () => {
  it.each([
    ['Specified signature is not matched with our calculation.'],
    ['Specified signature is not matched with our calculation'],
    ['Specified signature is not matched with our calculation. '],
  ])('%j', (said) => {
    const error = new AlibabaError(`PushObjectCache: SignatureDoesNotMatch: ${said}`, {
      action: 'PushObjectCache',
      errorClass: 'credentials',
      code: 'SignatureDoesNotMatch',
    });
    expect(fatalText(error)).toBe(
      'PushObjectCache: SignatureDoesNotMatch: Specified signature is not matched with our calculation. ' +
        'Check access-key-secret (or ALIBABA_CLOUD_ACCESS_KEY_SECRET): it must belong to the access key id, ' +
        'with no extra spaces or line breaks.',
    );
    expect(fatalText(error, CLI_WORDING)).toContain(
      'calculation. Check ALIBABA_CLOUD_ACCESS_KEY_SECRET: it must',
    );
  });
});
