// One answer of the site, classified: the status first, then the body hashed as the site scan hashes the file.
import { describe, expect, it } from 'vitest';
import { hashBytes } from '../../src/site/hash.js';
import { compileContentIgnore } from '../../src/site/ignore.js';
import { cacheHeaders, classify, contentHash, type EdgeAnswer } from '../../src/verify/classify.js';

const URL = 'https://www.example.com/a/';
const BUILT = Buffer.from(
  '<html><body><main>Version 2</main><!-- Build Date UTC : 2026-03-02 10:00 --></body></html>',
);
const STAMP = compileContentIgnore('<!-- Build Date UTC : [^>]*-->');
/** What the state holds for the built file: the scan's hash of it. */
const expected = { file: 'a/index.html', content: hashBytes(BUILT, true, undefined).content };
const HEADERS = { 'X-Cache': 'HIT TCP_MEM_HIT dirn:-2:-2', Age: '12' };

const answer = (status: number, body?: string | Buffer, more: Partial<EdgeAnswer> = {}): EdgeAnswer => ({
  status,
  headers: HEADERS,
  ...(body === undefined ? {} : { body: Buffer.from(body) }),
  ...more,
});

describe('classify', () => {
  it.each([
    ['the built bytes', answer(200, BUILT), 'fresh'],
    ['other bytes', answer(200, BUILT.toString().replace('Version 2', 'Version 1')), 'stale'],
    [
      'one byte more (a CDN rule that appends)',
      answer(200, Buffer.concat([BUILT, Buffer.from('\n')])),
      'stale',
    ],
    ['an empty 200', answer(200, ''), 'stale'],
    ['a 404', answer(404, 'Not found'), 'missing'],
    ['a 403', answer(403), 'missing'],
    ['a 503', answer(503), 'missing'],
    [
      'a 301 with its Location',
      answer(301, undefined, { location: 'https://www.example.com/b/' }),
      'redirect',
    ],
    ['a 308 without one', answer(308), 'redirect'],
    ['a 100-class status', answer(101), 'error'],
    ['no answer', { error: 'https://www.example.com: timed out after 30 s' }, 'error'],
  ] as const)('%s → %s', (_name, given, edge) => {
    const check = classify(URL, given, expected, undefined);
    expect(check.edge).toBe(edge);
    expect(check.url).toBe(URL);
    if (!('error' in given)) expect(check).toMatchObject({ status: given.status, headers: HEADERS });
  });

  it('keeps the Location of a redirect, and says when there is none', () => {
    expect(
      classify(URL, answer(302, undefined, { location: '/elsewhere' }), expected, undefined),
    ).toMatchObject({
      edge: 'redirect',
      location: '/elsewhere',
    });
    expect(classify(URL, answer(302), expected, undefined).note).toMatch(/without a Location/);
  });

  it('without a built file, a 2xx is served: never fresh or stale', () => {
    expect(classify(URL, answer(200, 'anything'), undefined, undefined).edge).toBe('served');
    expect(classify(URL, answer(404), undefined, undefined).edge).toBe('missing');
  });

  it('compares after content-ignore, as the scan hashed the file: a different build stamp is still fresh', () => {
    const built = { file: 'a/index.html', content: hashBytes(BUILT, true, STAMP).content };
    const restamped = BUILT.toString().replace('10:00', '10:07');
    expect(classify(URL, answer(200, restamped), built, STAMP).edge).toBe('fresh');
    expect(classify(URL, answer(200, restamped), built, undefined).edge).toBe('stale');
    expect(classify(URL, answer(200, restamped.replace('Version 2', 'Version 1')), built, STAMP).edge).toBe(
      'stale',
    );
  });

  it('hashes a body exactly as the scan hashes a file of the same bytes, HTML or not', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]);
    expect(contentHash(bytes, STAMP)).toBe(hashBytes(bytes, false, STAMP).content);
    expect(contentHash(BUILT, STAMP)).toBe(hashBytes(BUILT, true, STAMP).content);
  });

  it('keeps the cache headers that were sent, in Alibaba’s spelling', () => {
    const sent: Record<string, string> = {
      'x-cache': 'MISS TCP_MISS',
      via: 'cache36.l2cn1818[3,200-0,M]',
      age: '',
    };
    expect(cacheHeaders((name) => sent[name.toLowerCase()] ?? null)).toEqual({
      'X-Cache': 'MISS TCP_MISS',
      Via: 'cache36.l2cn1818[3,200-0,M]',
    });
  });
});
