/** Properties of URL normalization, over generated URLs with every trap we know of. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, normalizeUrl } from '../../src/urls/normalize.js';

const hostLabel = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/);
const host = fc
  .tuple(
    fc.array(hostLabel, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'cn', 'COM', 'org', 'xn--fiqs8s'),
  )
  .map(([labels, tld]) => [...labels, tld].join('.'));
const pathChar = fc.constantFrom(
  ..."abcXYZ019-._~!$&'()*+,;=:@ /%é中ü#?".split(''),
  '%2e',
  '%E5%95%86',
  '%e5%95%86',
  '..',
  '.',
);
const path = fc.array(pathChar, { maxLength: 40 }).map((parts) => `/${parts.join('')}`);
const port = fc.constantFrom('', ':80', ':443', ':8080', ':0443');
const scheme = fc.constantFrom('https://', 'http://', 'HTTPS://', 'Http://', '');
const raw = fc.tuple(scheme, host, port, path).map(([s, h, p, rest]) => `${s}${h}${p}${rest}`);
const longRaw = fc
  .tuple(host, fc.integer({ min: 900, max: 1200 }))
  .map(([h, n]) => `https://${h}/${'é'.repeat(n / 6)}${'a'.repeat(n)}`);

describe('normalizeUrl properties', () => {
  it('is idempotent: a normalized URL normalizes to itself', () => {
    fc.assert(
      fc.property(raw, (input) => {
        const once = normalizeUrl(input);
        if (!once.ok) return;
        const twice = normalizeUrl(once.url);
        expect(twice).toEqual(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('is dedup-stable: spellings that differ only in case of scheme and host, default port, or fragment normalize alike', () => {
    fc.assert(
      fc.property(host, path, fc.boolean(), (h, untrimmed, withPort) => {
        // Entries are trimmed, so a trailing space only survives when a fragment follows it.
        const p = untrimmed.trimEnd();
        const plain = normalizeUrl(`https://${h.toLowerCase()}${p}`);
        const variant = normalizeUrl(`HTTPS://${h.toUpperCase()}${withPort ? ':443' : ''}${p}#frag`);
        expect(variant.ok).toBe(plain.ok);
        if (plain.ok && variant.ok) expect(variant.url).toBe(plain.url);
      }),
      { numRuns: 2000 },
    );
  });

  it('never produces an invalid or over-long URL without saying so', () => {
    fc.assert(
      fc.property(fc.oneof(raw, longRaw, fc.string({ maxLength: 60 })), (input) => {
        const result = normalizeUrl(input, 'https://www.example.com');
        if (!result.ok) {
          expect(result.reason.length).toBeGreaterThan(0);
          return;
        }
        expect(result.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
        const parsed = new URL(result.url);
        expect(['http:', 'https:']).toContain(parsed.protocol);
        expect(parsed.hostname).toBe(result.host);
        expect(result.url).not.toMatch(/[^\x21-\x7e]/); // only visible ASCII: non-ASCII and spaces encoded
        expect(result.url).not.toContain('#');
        expect(result.url).not.toMatch(/%(?:[0-9a-f][a-f]|[a-f][0-9a-f])/); // escapes upper-cased
      }),
      { numRuns: 3000 },
    );
  });
});
