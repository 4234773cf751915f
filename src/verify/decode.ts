/**
 * A body as a browser reads it: the `Content-Encoding` undone (gzip, deflate, br, in the reverse order
 * they were applied), within a size limit, so that an answer that inflates without end cannot take the
 * runner's memory.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** The Accept-Encoding a browser sends: the answer may come in any of these. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br';

/** Why a body could not be decoded: an unknown coding, a corrupt stream, or more than the limit. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/**
 * Undoes `contentEncoding` (the header's value; absent or `identity` leaves the body as it is). Throws
 * DecodeError when a coding is unknown or broken, or the decoded body exceeds `maxBytes`.
 */
export function decodeBody(
  body: Buffer,
  contentEncoding: string | null | undefined,
  maxBytes: number,
): Buffer {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  let data = body;
  for (const coding of codings.reverse()) data = decodeOnce(data, coding, maxBytes);
  if (data.length > maxBytes) throw tooLarge(maxBytes);
  return data;
}

function decodeOnce(data: Buffer, coding: string, maxBytes: number): Buffer {
  // One byte over the limit is enough to know it is over.
  const options = { maxOutputLength: maxBytes + 1 };
  try {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(data, options);
      case 'br':
        return brotliDecompressSync(data, options);
      case 'deflate':
        // Meant as zlib-wrapped (RFC 9110), but some servers send raw deflate; browsers read both.
        return hasZlibHeader(data) ? inflateSync(data, options) : inflateRawSync(data, options);
    }
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(maxBytes);
    const why = error instanceof Error ? error.message : String(error);
    throw new DecodeError(`the ${coding} body could not be decoded (${why})`);
  }
  throw new DecodeError(`the body is encoded as "${coding}", which a browser does not read`);
}

/** A zlib stream's first two bytes: CM 8 (deflate) and a header checksum divisible by 31. */
function hasZlibHeader(data: Buffer): boolean {
  const [cmf = 0, flg = 0] = data;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

function tooLarge(maxBytes: number): DecodeError {
  return new DecodeError(`the decoded body is over ${Math.round(maxBytes / (1024 * 1024))} MiB`);
}
