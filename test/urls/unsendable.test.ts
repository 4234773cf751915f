/**
 * Entries the URL parser would quietly turn into another URL, or that the CDN cannot fetch: refused
 * with their line and a reason, never merged with another entry, never planned.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeUrl, visible } from '../../src/urls/normalize.js';
import { prepareUrls } from '../../src/urls/prepare.js';
import { parseUrlList } from '../../src/sources/list.js';

describe('normalizeUrl refuses', () => {
  it.each<[string, string, string]>([
    [
      'a tab inside',
      'https://www.example.com/a\tb',
      'contains a tab at character 26; a URL cannot hold control characters',
    ],
    ['a tab in a path entry', '/a\tb', 'contains a tab at character 3; a URL cannot hold control characters'],
    [
      'NUL',
      'https://www.example.com/a\u0000b',
      'contains the control character \\0 at character 26; a URL cannot hold control characters',
    ],
    [
      'ESC',
      'https://www.example.com/\u001b[1m',
      'contains the control character \\u001b at character 25; a URL cannot hold control characters',
    ],
    [
      'DEL',
      'https://www.example.com/\u007f',
      'contains the control character \\u007f at character 25; a URL cannot hold control characters',
    ],
    ['port 0', 'https://www.example.com:0/x', 'has port 0, which no server listens on'],
    ['port 00', 'http://www.example.com:00/x', 'has port 0, which no server listens on'],
    [
      'a host ending in a dot',
      'https://www.example.com./x',
      'has a host that ends in a dot (www.example.com.); write www.example.com',
    ],
    [
      '%zz',
      'https://www.example.com/a%zz',
      'has "%zz", which is not a percent-escape (% and two hex digits); write a literal % as %25',
    ],
    [
      'a lone % at the end',
      'https://www.example.com/100%',
      'has "%", which is not a percent-escape (% and two hex digits); write a literal % as %25',
    ],
    [
      '% in the query',
      'https://www.example.com/x?q=50%off',
      'has "%of", which is not a percent-escape (% and two hex digits); write a literal % as %25',
    ],
    [
      '%2 and one more character',
      'https://www.example.com/a%2g',
      'has "%2g", which is not a percent-escape (% and two hex digits); write a literal % as %25',
    ],
  ])('%s', (_name, input, reason) => {
    expect(normalizeUrl(input, 'https://www.example.com')).toEqual({ ok: false, reason });
  });

  it.each([
    ['valid escapes, either case', 'https://www.example.com/a%2fb%E5', 'https://www.example.com/a%2Fb%E5'],
    [
      'a % in the fragment, which is never sent',
      'https://www.example.com/x#50%',
      'https://www.example.com/x',
    ],
    ['a port that is not 0', 'https://www.example.com:8443/x', 'https://www.example.com:8443/x'],
    ['tabs around the entry', '\thttps://www.example.com/x\t', 'https://www.example.com/x'],
  ])('still accepts %s', (_name, input, url) => {
    expect(normalizeUrl(input)).toMatchObject({ ok: true, url });
  });

  it('never accepts an entry with a control character inside (property)', () => {
    const control = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
    const part = fc.stringMatching(/^[a-z0-9/]{1,10}$/);
    fc.assert(
      fc.property(part, control, part, (before, c, after) => {
        expect(normalizeUrl(`https://www.example.com/${before}${c}${after}`).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('visible', () => {
  it('spells out control characters and leaves the rest', () => {
    expect(visible('a\tb\u0000c\u001bd é%zz')).toBe('a\\tb\\0c\\u001bd é%zz');
  });
});

describe('prepareUrls with such entries', () => {
  it('a tab no longer merges an entry with another: it fails with its line, the other is kept', () => {
    const result = prepareUrls(
      parseUrlList('https://www.example.com/a\tb\nhttps://www.example.com/ab', 'urls'),
      {
        domains: [],
      },
    );
    expect(result.candidates.map((c) => c.url)).toEqual(['https://www.example.com/ab']);
    expect(result.duplicates).toBe(0);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'urls: line 1 "https://www.example.com/a\\tb" contains a tab at character 26; a URL cannot hold control characters',
    ]);
  });

  it('none of NUL, port 0, a trailing-dot host or %zz is planned; each is named by its line', () => {
    const text = [
      'https://www.example.com/ok',
      'https://www.example.com/a\u0000b',
      'https://www.example.com:0/x',
      'https://www.example.com./x',
      'https://www.example.com/a%zz',
    ].join('\n');
    const result = prepareUrls(parseUrlList(text, 'urls-file list.txt'), { domains: [] });
    expect(result.candidates.map((c) => c.url)).toEqual(['https://www.example.com/ok']);
    expect(result.rejected.map((r) => [r.source, r.status])).toEqual([
      ['urls-file list.txt: line 2', 'failed'],
      ['urls-file list.txt: line 3', 'failed'],
      ['urls-file list.txt: line 4', 'failed'],
      ['urls-file list.txt: line 5', 'failed'],
    ]);
    expect(result.rejected[0]?.reason).toContain('"https://www.example.com/a\\0b"');
  });
});
