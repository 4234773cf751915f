/**
 * Turns whatever came back over HTTP into either the API's answer or a classified AlibabaError.
 * Alibaba answers JSON or XML; proxies and load balancers answer HTML; broken connections answer
 * nothing at all. Each has one defined outcome here.
 *
 * Only an API error `Code` proves that a call was refused. Any other failed answer — a gateway's HTML
 * page, a 5xx without a Code, an empty or unreadable body — may stand in front of a call the CDN went
 * on to accept, so it is marked `outcomeUnknown`, and a caller that spends quota looks the call up
 * before sending it again.
 */
import { SaxesParser } from 'saxes';
import { classifyCode } from './errors.js';
import { AlibabaError } from '../base/errors.js';

export type ApiFields = Record<string, unknown>;

export interface RawAnswer {
  action: string;
  status: number;
  contentType: string;
  body: string;
  retryAfterHeader: string | null;
}

/** Parses an answer; throws AlibabaError for API errors and for anything that is not an API answer. */
export function parseAnswer(raw: RawAnswer): ApiFields {
  const text = raw.body.replace(/^\uFEFF/, '').trim();
  const accepted2xx = raw.status >= 200 && raw.status < 300;
  const fields = text.startsWith('{') ? parseJson(text) : text.startsWith('<') ? parseXml(text) : undefined;

  if (fields === undefined) {
    const what = text === '' ? 'an empty answer' : `an answer that is not the API's (${describeBody(raw)})`;
    throw new AlibabaError(`${raw.action}: HTTP ${raw.status} with ${what}`, {
      action: raw.action,
      errorClass: 'transient',
      httpStatus: raw.status,
      // Not the API's answer, so not a refusal: a gateway may answer this after the CDN accepted the call.
      outcomeUnknown: mayHideAcceptance(raw.status),
    });
  }

  const code = stringField(fields, 'Code');
  if (code !== undefined && code !== '' && code !== '200') {
    const message = withoutStringToSign(stringField(fields, 'Message') ?? '');
    const requestId = stringField(fields, 'RequestId');
    const retryAfterMs = parseRetryAfter(raw.retryAfterHeader);
    throw new AlibabaError(`${raw.action}: ${code}${message ? `: ${message}` : ''}`, {
      action: raw.action,
      errorClass: classifyCode(code, raw.status),
      code,
      httpStatus: raw.status,
      requestId,
      retryAfterMs,
    });
  }
  if (accepted2xx && stringField(fields, 'RequestId') === undefined) {
    // Every answer of the API carries a RequestId; a 2xx without one came from something else
    // (a captive portal, a misconfigured proxy) and says nothing about whether the call was accepted.
    throw new AlibabaError(
      `${raw.action}: HTTP ${raw.status} with an answer that is not the API's (no RequestId: ${describeBody(raw)})`,
      {
        action: raw.action,
        errorClass: 'transient',
        httpStatus: raw.status,
        outcomeUnknown: true,
      },
    );
  }
  if (!accepted2xx) {
    throw new AlibabaError(`${raw.action}: HTTP ${raw.status} without an error code`, {
      action: raw.action,
      errorClass: raw.status >= 500 || raw.status === 429 ? 'transient' : 'unknown',
      httpStatus: raw.status,
      // Without a Code nothing says the call was refused (a JSON 500 from a gateway, say).
      outcomeUnknown: mayHideAcceptance(raw.status),
    });
  }
  return fields;
}

/**
 * Whether an answer without an API error Code may stand in front of a call the CDN accepted: always,
 * but for a proxy's 407, which says the proxy forwarded nothing until it is given its credentials.
 */
function mayHideAcceptance(status: number): boolean {
  return status !== 407;
}

/** A string field of an answer; Alibaba sends numbers as strings in some answers and not in others. */
export function stringField(fields: ApiFields, name: string): string | undefined {
  const value = fields[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const ms = Number(header.trim());
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function parseJson(text: string): ApiFields | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as ApiFields)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The API's XML answers are one root with flat children (`<Error><Code>…</Code>…</Error>`); only
 * those direct children are read. An HTML page, or any XML that is not well formed, is not an answer.
 */
function parseXml(text: string): ApiFields | undefined {
  if (/^<(!doctype\s+)?html/i.test(text)) return undefined;
  const fields: ApiFields = {};
  const parser = new SaxesParser({ xmlns: false });
  let depth = 0;
  let current: string | undefined;
  let buffer = '';
  let isHtml = false;
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1 && tag.name.toLowerCase() === 'html') isHtml = true;
    if (depth === 2) {
      current = tag.name;
      buffer = '';
    }
  });
  parser.on('text', (value) => {
    if (depth === 2) buffer += value;
  });
  parser.on('cdata', (value) => {
    if (depth === 2) buffer += value;
  });
  parser.on('closetag', () => {
    if (depth === 2 && current !== undefined) fields[current] = buffer.trim();
    depth--;
  });
  try {
    parser.write(text).close();
  } catch {
    return undefined;
  }
  return isHtml ? undefined : fields;
}

/**
 * A signature refusal quotes the server's string to sign (`… server string to sign is:POST&%2F&…`),
 * which repeats every parameter of the request, the STS token included (percent-encoded twice). The
 * quote is cut off: the code says what went wrong, and the request is ours to know already.
 */
export function withoutStringToSign(message: string): string {
  const at = message.search(/(server\s*)?string\s*to\s*sign/i);
  if (at === -1) return message;
  const kept = message.slice(0, at).trimEnd();
  return `${kept}${kept === '' ? '' : ' '}(the server's string to sign is left out: it repeats the request)`;
}

function describeBody(raw: RawAnswer): string {
  const type = raw.contentType.split(';')[0]?.trim() || 'no content type';
  const snippet = raw.body.replace(/\s+/g, ' ').trim().slice(0, 60);
  return `${type}: "${snippet}${raw.body.length > 60 ? '…' : ''}"`;
}
