import { describe, expect, it } from 'vitest';
import { parseAnswer, type RawAnswer } from '../../src/alibaba/answer.js';
import { AlibabaError, type ErrorClass } from '../../src/base/errors.js';

function answer(status: number, body: string, extra: Partial<RawAnswer> = {}): RawAnswer {
  const contentType = body.trimStart().startsWith('{')
    ? 'application/json;charset=utf-8'
    : body.trimStart().startsWith('<')
      ? 'text/xml;charset=utf-8'
      : 'text/plain';
  return { action: 'PushObjectCache', status, contentType, body, retryAfterHeader: null, ...extra };
}

function thrown(raw: RawAnswer): AlibabaError {
  try {
    parseAnswer(raw);
  } catch (error) {
    if (error instanceof AlibabaError) return error;
    throw new Error(`expected an AlibabaError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an AlibabaError, the answer was accepted');
}

const JSON_OK = '{"PushTaskId":"95248880","RequestId":"E5BD4B50-1111"}';
const XML_OK =
  '<?xml version="1.0" encoding="UTF-8"?>\n<PushObjectCacheResponse><RequestId>E5BD4B50-2222</RequestId><PushTaskId>95248880,95248881</PushTaskId></PushObjectCacheResponse>';
const XML_THROTTLED =
  '<?xml version="1.0" encoding="UTF-8"?><Error><RequestId>7A3B-XML</RequestId><HostId>cdn.aliyuncs.com</HostId><Code>Throttling.User</Code><Message>Request was denied due to user flow control.</Message></Error>';
const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';

describe('parseAnswer: success', () => {
  it.each<[string, RawAnswer, Record<string, unknown>]>([
    ['JSON', answer(200, JSON_OK), { PushTaskId: '95248880', RequestId: 'E5BD4B50-1111' }],
    [
      'JSON with a BOM',
      answer(200, `\uFEFF${JSON_OK}`),
      { PushTaskId: '95248880', RequestId: 'E5BD4B50-1111' },
    ],
    ['JSON with whitespace around', answer(200, `\n  ${JSON_OK}\n`), { PushTaskId: '95248880' }],
    ['XML', answer(200, XML_OK), { PushTaskId: '95248880,95248881', RequestId: 'E5BD4B50-2222' }],
    ['XML with a BOM', answer(200, `\uFEFF${XML_OK}`), { PushTaskId: '95248880,95248881' }],
    [
      'JSON with an empty Code',
      answer(200, '{"Code":"","PushTaskId":"1","RequestId":"r"}'),
      { PushTaskId: '1' },
    ],
  ])('%s', (_name, raw, expected) => {
    expect(parseAnswer(raw)).toMatchObject(expected);
  });
});

describe('parseAnswer: API errors', () => {
  it('JSON error: class, code, requestId, status and retry-after header', () => {
    const error = thrown(
      answer(
        503,
        '{"RequestId":"REQ-123","HostId":"cdn.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot"}',
        { retryAfterHeader: '1500' },
      ),
    );
    expect(error.errorClass).toBe('throttled');
    expect(error.code).toBe('Throttling.User');
    expect(error.requestId).toBe('REQ-123');
    expect(error.httpStatus).toBe(503);
    expect(error.retryAfterMs).toBe(1500);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.action).toBe('PushObjectCache');
    expect(error.message).toContain('Throttling.User');
  });

  it('no retry-after header leaves retryAfterMs undefined', () => {
    expect(thrown(answer(400, '{"Code":"Throttling","RequestId":"r"}')).retryAfterMs).toBeUndefined();
  });

  it.each<[string, number, string, ErrorClass]>([
    ['QuotaExceeded.Preload', 400, '{"Code":"QuotaExceeded.Preload","RequestId":"r1"}', 'quota'],
    ['PreloadQueueFull', 403, '{"Code":"PreloadQueueFull","RequestId":"r2"}', 'queue-full'],
    ['InvalidDomain.NotFound', 404, '{"Code":"InvalidDomain.NotFound","RequestId":"r3"}', 'domain'],
    ['SignatureDoesNotMatch', 400, '{"Code":"SignatureDoesNotMatch","RequestId":"r4"}', 'credentials'],
    ['Forbidden.RAM', 403, '{"Code":"Forbidden.RAM","RequestId":"r5"}', 'permission'],
    [
      'InvalidObjectPath.Malformed',
      400,
      '{"Code":"InvalidObjectPath.Malformed","RequestId":"r6"}',
      'bad-request',
    ],
    ['ServiceUnavailable', 503, '{"Code":"ServiceUnavailable","RequestId":"r7"}', 'transient'],
    ['an unknown code with 500', 500, '{"Code":"Brand.New","RequestId":"r8"}', 'transient'],
    ['an unknown code with 400', 400, '{"Code":"Brand.New","RequestId":"r9"}', 'unknown'],
  ])('JSON %s', (_name, status, body, errorClass) => {
    const error = thrown(answer(status, body));
    expect(error.errorClass).toBe(errorClass);
    expect(error.requestId).toMatch(/^r\d$/);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('XML error body is classified, with its RequestId and Code', () => {
    const error = thrown(answer(400, XML_THROTTLED, { retryAfterHeader: '2000' }));
    expect(error.errorClass).toBe('throttled');
    expect(error.code).toBe('Throttling.User');
    expect(error.requestId).toBe('7A3B-XML');
    expect(error.retryAfterMs).toBe(2000);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('XML error body with a BOM is classified', () => {
    expect(thrown(answer(503, `\uFEFF${XML_THROTTLED}`)).errorClass).toBe('throttled');
  });

  it('200 with an error Code is an error, not a success', () => {
    const error = thrown(
      answer(200, '{"Code":"InvalidObjectPath.Malformed","Message":"bad","RequestId":"r"}'),
    );
    expect(error.errorClass).toBe('bad-request');
    expect(error.code).toBe('InvalidObjectPath.Malformed');
  });

  it('200 with an XML error Code is an error', () => {
    expect(thrown(answer(200, XML_THROTTLED)).errorClass).toBe('throttled');
  });

  it('non-2xx JSON without a Code is an error', () => {
    expect(thrown(answer(503, '{"RequestId":"r"}')).errorClass).toBe('transient');
    expect(thrown(answer(400, '{"RequestId":"r"}')).errorClass).toBe('unknown');
  });

  it('only an API error Code proves a refusal: without one, the call may have been accepted', () => {
    // A gateway's JSON 500 after the CDN accepted the call (issue 13, item 8).
    expect(thrown(answer(500, '{"message":"Internal server error"}')).outcomeUnknown).toBe(true);
    expect(thrown(answer(503, '{"RequestId":"r"}')).outcomeUnknown).toBe(true);
    expect(thrown(answer(400, '{"RequestId":"r"}')).outcomeUnknown).toBe(true);
    // A proxy that wants its credentials forwarded nothing.
    expect(thrown(answer(407, '')).outcomeUnknown).toBe(false);
    expect(
      thrown(answer(407, '<html><body>Proxy Authentication Required</body></html>')).outcomeUnknown,
    ).toBe(false);
    // With a Code, whatever the status, the call was refused.
    expect(thrown(answer(503, '{"Code":"ServiceUnavailable","RequestId":"r"}')).outcomeUnknown).toBe(false);
    expect(thrown(answer(500, '{"Code":"InternalError","RequestId":"r"}')).outcomeUnknown).toBe(false);
  });
});

describe('parseAnswer: answers that are not the API', () => {
  it.each<[string, RawAnswer]>([
    // [name, answer]: not one of these proves the call was refused, so each may hide an accepted call.
    ['HTML 502 page', answer(502, HTML_502, { contentType: 'text/html' })],
    [
      'HTML 504 doctype page',
      answer(504, '<!DOCTYPE html><html><body>Gateway Timeout</body></html>', { contentType: 'text/html' }),
    ],
    ['empty 502', answer(502, '')],
    ['empty 200', answer(200, '')],
    ['whitespace-only 200', answer(200, '  \r\n ')],
    ['BOM-only 200', answer(200, '\uFEFF')],
    ['truncated JSON 200', answer(200, '{"PushTask')],
    ['truncated XML 200', answer(200, '<?xml version="1.0"?><PushObjectCacheResponse><RequestId>x')],
    ['plain text 200', answer(200, 'OK')],
    [
      'HTML 200 (a captive portal or proxy page)',
      answer(200, '<html><body>hello</body></html>', { contentType: 'text/html' }),
    ],
    ['JSON array 200', answer(200, '[1,2]')],
    // Still HTML pages, which the module's own contract says are never an API answer.
    [
      'HTML 502 page with a leading comment',
      answer(502, `<!-- lb -->\n${HTML_502}`, { contentType: 'text/html' }),
    ],
    [
      'HTML 200 page with a leading comment',
      answer(200, '<!-- proxy -->\n<html><body>Please log in</body></html>', { contentType: 'text/html' }),
    ],
    [
      'XHTML 200 page with an XML prolog',
      answer(
        200,
        '<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>',
        {
          contentType: 'application/xhtml+xml',
        },
      ),
    ],
  ])('%s -> transient, outcome unknown', (_name, raw) => {
    const error = thrown(raw);
    expect(error.errorClass).toBe('transient');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.code).toBeUndefined();
    expect(error.httpStatus).toBe(raw.status);
  });
});
