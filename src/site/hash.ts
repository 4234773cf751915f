/**
 * A site file's hashes: the whole file (after `content-ignore`), and for an HTML page its own content
 * as well (see html.ts). SHA-256, cut to 96 bits for the state (see state/state.ts for why that is
 * enough).
 */
import { isUtf8 } from 'node:buffer';
import { createHash, hash } from 'node:crypto';
import type { FileHashes } from '../state/state.js';
import { ownContent } from './html.js';
import { removeIgnored, type ContentIgnore } from './ignore.js';

/**
 * Files up to this size are read whole (and can be text or HTML); larger ones are hashed raw, in
 * chunks, by the reader thread (read.ts), with neither `content-ignore` nor an own-content hash.
 */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;

const HTML = /\.(?:html?|xhtml)$/i;

export function isHtmlFile(file: string): boolean {
  return HTML.test(file);
}

/** SHA-256 in the 96-bit base64url form the state keeps (16 characters = 96 bits; read.ts too). */
function short(bytes: Uint8Array): string {
  // From the digest's first 12 bytes: a string of its own (a slice of a longer one would keep it alive).
  return hash('sha256', bytes, 'buffer').toString('base64url', 0, 12);
}

/** Whether `bytes` count as text for `content-ignore`: UTF-8 without NUL bytes. */
export function isText(bytes: Uint8Array): boolean {
  return !bytes.includes(0) && isUtf8(bytes);
}

/**
 * The hashes of a file's bytes; `html` for .html/.htm/.xhtml files. `before` is the file's hashes in the
 * previous state: a page whose content hash is the same keeps its own-content hash (same bytes, same
 * own content), so that only changed pages are parsed — on a large site, most of the CPU time.
 */
export function hashBytes(
  bytes: Buffer,
  html: boolean,
  ignore: ContentIgnore | undefined,
  before?: FileHashes | undefined,
): FileHashes {
  let data = bytes;
  if (ignore !== undefined && ignore.patterns.length > 0 && isText(bytes)) {
    const text = bytes.toString('utf8');
    const kept = removeIgnored(text, ignore);
    if (kept !== text) data = Buffer.from(kept, 'utf8');
  }
  return fileHashes(short(data), data, html, before);
}

/**
 * A file's hashes from its content hash (made by the reader thread, read.ts) and its bytes (after
 * `content-ignore`): for a page, also its own content's, taken from `before` when the content is the
 * same (same bytes, same own content) and parsed otherwise.
 */
export function fileHashes(
  content: string,
  data: Buffer,
  html: boolean,
  before?: FileHashes | undefined,
): FileHashes {
  if (!html) return { content };
  if (before?.own !== undefined && before.content === content) return { content, own: before.own };
  const ranges = ownContent(data.toString('latin1'));
  if (ranges === undefined) return { content };
  if (ranges.length === 1) return { content, own: short(data.subarray(ranges[0]![0], ranges[0]![1])) };
  const own = createHash('sha256');
  for (const [start, end] of ranges) own.update(data.subarray(start, end)).update('\0');
  return { content, own: own.digest().toString('base64url', 0, 12) };
}
