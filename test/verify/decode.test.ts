// Bodies as a browser reads them: every Content-Encoding a browser accepts, in the order applied, within a limit.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeBody } from '../../src/verify/decode.js';

const TEXT = Buffer.from('<!doctype html><p>Fresh from the build.</p>\n'.repeat(50));
const LIMIT = 1024 * 1024;

describe('decodeBody', () => {
  it.each([
    ['no header', TEXT, null],
    ['identity', TEXT, 'identity'],
    ['gzip', gzipSync(TEXT), 'gzip'],
    ['x-gzip, any case', gzipSync(TEXT), 'X-GZip'],
    ['br', brotliCompressSync(TEXT), 'br'],
    ['deflate, zlib-wrapped as RFC 9110 says', deflateSync(TEXT), 'deflate'],
    ['deflate, raw as some servers send it', deflateRawSync(TEXT), 'deflate'],
    ['gzip then br, undone in reverse order', brotliCompressSync(gzipSync(TEXT)), 'gzip, br'],
  ])('reads %s', (_name, body, encoding) => {
    expect(decodeBody(body, encoding, LIMIT).equals(TEXT)).toBe(true);
  });

  it('refuses a coding a browser does not read, naming it', () => {
    expect(() => decodeBody(TEXT, 'zstd', LIMIT)).toThrow(DecodeError);
    expect(() => decodeBody(TEXT, 'zstd', LIMIT)).toThrow('"zstd"');
  });

  it('refuses a broken stream', () => {
    const broken = gzipSync(TEXT).subarray(0, 40);
    expect(() => decodeBody(broken, 'gzip', LIMIT)).toThrow(/gzip body could not be decoded/);
    expect(() => decodeBody(TEXT, 'br', LIMIT)).toThrow(DecodeError);
  });

  it('stops a body that inflates past the limit, compressed or not', () => {
    const bomb = gzipSync(Buffer.alloc(4 * LIMIT));
    expect(bomb.length).toBeLessThan(LIMIT / 64);
    expect(() => decodeBody(bomb, 'gzip', LIMIT)).toThrow('the decoded body is over 1 MiB');
    expect(() => decodeBody(brotliCompressSync(Buffer.alloc(4 * LIMIT)), 'br', LIMIT)).toThrow(/over 1 MiB/);
    expect(() => decodeBody(Buffer.alloc(LIMIT + 1), null, LIMIT)).toThrow(/over 1 MiB/);
    expect(decodeBody(gzipSync(Buffer.alloc(LIMIT)), 'gzip', LIMIT)).toHaveLength(LIMIT);
  });
});
