/** Turning a received HTTP request into what the verifier and the actions need. */
import type { IncomingMessage } from 'node:http';
import type { ReceivedRequest } from './auth.js';
import { parsePairs, type Pair } from './signature.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface Parsed extends ReceivedRequest {
  action: string;
  format: 'json' | 'xml';
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    (headers[name] ??= []).push(req.rawHeaders[i + 1] ?? '');
  }
  return headers;
}

/** Parses query, form body and headers; throws URIError on malformed percent-encoding. */
export function parse(req: IncomingMessage, body: Buffer): Parsed {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers = headersOf(req);
  const queryPairs: Pair[] = parsePairs(q < 0 ? '' : url.slice(q + 1));
  const isForm = /^application\/x-www-form-urlencoded/i.test(headers['content-type']?.[0] ?? '');
  const bodyPairs: Pair[] = isForm ? parsePairs(body.toString('utf8')) : [];
  const params: Record<string, string> = Object.fromEntries([...queryPairs, ...bodyPairs]);
  // V3 carries the action and version in headers; record them as params too.
  const headerAction = headers['x-acs-action']?.[0];
  const headerVersion = headers['x-acs-version']?.[0];
  if (headerAction !== undefined) params['Action'] ??= headerAction;
  if (headerVersion !== undefined) params['Version'] ??= headerVersion;
  const requested = params['Format']?.toUpperCase();
  const v3Style = headerAction !== undefined;
  // RPC answers XML unless JSON is asked for; V3 callers get JSON unless they ask for XML.
  const format = requested === 'JSON' || (v3Style && requested !== 'XML') ? 'json' : 'xml';
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    queryPairs,
    bodyPairs,
    body,
    headers,
    params,
    action: headerAction ?? params['Action'] ?? '',
    format,
  };
}
