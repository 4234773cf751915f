import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, normalizeUrl, type NormalizeResult } from '../../src/urls/normalize.js';
import { createRng, type Rng } from '../helpers/prng.js';

function okUrl(result: NormalizeResult): string {
  if (!result.ok) throw new Error(`expected a valid URL, got reason "${result.reason}"`);
  return result.url;
}

describe('normalizeUrl: accepted forms and canonical spelling', () => {
  it.each<[string, string, string]>([
    // [input, expected url, expected host]
    ['https://example.com/a.png', 'https://example.com/a.png', 'example.com'],
    ['http://example.com/a.png', 'http://example.com/a.png', 'example.com'],
    ['  https://example.com/a.png \t', 'https://example.com/a.png', 'example.com'],
    ['HTTPS://Example.COM/Path/File.PNG', 'https://example.com/Path/File.PNG', 'example.com'],
    ['HtTp://WWW.Example.com/x', 'http://www.example.com/x', 'www.example.com'],
    ['https://example.com:443/x', 'https://example.com/x', 'example.com'],
    ['http://example.com:80/x', 'http://example.com/x', 'example.com'],
    ['HTTP://A.COM:80/X?Q#F', 'http://a.com/X?Q', 'a.com'],
    ['https://example.com:80/x', 'https://example.com:80/x', 'example.com'],
    ['http://example.com:443/x', 'http://example.com:443/x', 'example.com'],
    ['https://example.com:8443/x', 'https://example.com:8443/x', 'example.com'],
    ['https://example.com/x#section', 'https://example.com/x', 'example.com'],
    ['https://example.com/x?q=1#section', 'https://example.com/x?q=1', 'example.com'],
    ['https://example.com/x#', 'https://example.com/x', 'example.com'],
    ['https://example.com/大.png', 'https://example.com/%E5%A4%A7.png', 'example.com'],
    ['https://example.com/é', 'https://example.com/%C3%A9', 'example.com'],
    ['https://example.com/a b.png', 'https://example.com/a%20b.png', 'example.com'],
    ['https://example.com/x?q=a b', 'https://example.com/x?q=a%20b', 'example.com'],
    ['https://example.com/x?q=é', 'https://example.com/x?q=%C3%A9', 'example.com'],
    ['https://example.com/%e5%a4%a7.png', 'https://example.com/%E5%A4%A7.png', 'example.com'],
    ['https://example.com/a%2fb', 'https://example.com/a%2Fb', 'example.com'],
    ['https://example.com/x?a=%e5&b=%2f', 'https://example.com/x?a=%E5&b=%2F', 'example.com'],
    ['https://example.com/x?b=2&a=1', 'https://example.com/x?b=2&a=1', 'example.com'],
    ['https://example.com/x?', 'https://example.com/x?', 'example.com'],
    ['https://example.com/dir/', 'https://example.com/dir/', 'example.com'],
    ['https://example.com/dir', 'https://example.com/dir', 'example.com'],
    ['https://example.com', 'https://example.com/', 'example.com'],
    ['https://example.com/', 'https://example.com/', 'example.com'],
    ['https://example.com/a/./b/../c', 'https://example.com/a/c', 'example.com'],
    ['https://[::1]/x', 'https://[::1]/x', '[::1]'],
    // Scheme-less: the API's own form, taken as https.
    ['example.com/a.png', 'https://example.com/a.png', 'example.com'],
    ['Example.com/A.png', 'https://example.com/A.png', 'example.com'],
    ['example.com', 'https://example.com/', 'example.com'],
    ['example.com:8080/a.png', 'https://example.com:8080/a.png', 'example.com'],
    ['example.com:443/a.png', 'https://example.com/a.png', 'example.com'],
    ['cdn.example.com/x?v=1', 'https://cdn.example.com/x?v=1', 'cdn.example.com'],
    ['localhost:8080/x', 'https://localhost:8080/x', 'localhost'],
  ])('%j -> %s', (input, url, host) => {
    expect(normalizeUrl(input)).toEqual({ ok: true, url, host });
  });

  it.each<[string, string, string]>([
    ['/a.png', 'https://www.example.com', 'https://www.example.com/a.png'],
    ['/a.png', 'https://www.example.com/', 'https://www.example.com/a.png'],
    ['/a b?x=1#frag', 'https://Www.Example.com', 'https://www.example.com/a%20b?x=1'],
    ['/dir/', 'http://example.com:8080', 'http://example.com:8080/dir/'],
    ['  /x  ', 'https://example.com', 'https://example.com/x'],
  ])('path %j against base-url %s -> %s', (input, base, url) => {
    expect(okUrl(normalizeUrl(input, base))).toBe(url);
  });
});

describe('normalizeUrl: rejected entries carry a reason', () => {
  it.each<[string, string | undefined, RegExp]>([
    ['ftp://example.com/a.png', undefined, /http\(s\)/],
    ['FTP://example.com/a.png', undefined, /http\(s\)/],
    ['javascript:alert(1)', undefined, /http\(s\)/],
    ['mailto:someone@example.com', undefined, /http\(s\)/],
    ['https:///x', undefined, /no host/],
    ['http:///x', undefined, /no host/],
    ['https://', undefined, /no host/],
    ['/a.png', undefined, /base-url/],
    ['/a.png', '', /base-url/],
    ['//example.com/a.png', undefined, /https:\/\//],
    ['blog/post', undefined, /no host/],
    ['', undefined, /empty/],
    ['   ', undefined, /empty/],
    ['https://user:pw@example.com/x', undefined, /password/],
  ])('%j (base %j) is rejected', (input, base, reason) => {
    const result = normalizeUrl(input, base);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(reason);
      expect(result.reason.length).toBeGreaterThan(3);
    }
  });

  const prefix = 'https://example.com/';
  it.each<[string, string, boolean]>([
    ['exactly 1,024 ASCII characters', prefix + 'a'.repeat(MAX_URL_LENGTH - prefix.length), true],
    ['1,025 ASCII characters', prefix + 'a'.repeat(MAX_URL_LENGTH - prefix.length + 1), false],
    [
      '1,025 characters, slow path (upper-case scheme)',
      'HTTPS://example.com/' + 'a'.repeat(MAX_URL_LENGTH - prefix.length + 1),
      false,
    ],
    // é is 6 characters once encoded (%C3%A9).
    ['1,030 once encoded', prefix + 'é'.repeat(167) + 'aaaaaaaa', false],
    [
      'exactly 1,024 once encoded',
      prefix + 'é'.repeat(166) + 'a'.repeat(MAX_URL_LENGTH - prefix.length - 166 * 6),
      true,
    ],
    ['short raw, 1,025+ once encoded', prefix + 'é'.repeat(168), false],
  ])('length: %s', (_name, input, ok) => {
    const result = normalizeUrl(input);
    expect(result.ok).toBe(ok);
    if (result.ok) expect(result.url.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
    else expect(result.reason).toMatch(/1024|1,024/);
  });

  it('MAX_URL_LENGTH is the documented 1,024', () => {
    expect(MAX_URL_LENGTH).toBe(1024);
  });
});

describe('normalizeUrl: equivalent spellings normalize to the same URL', () => {
  it.each<string[]>([
    [
      'https://a.com',
      'https://A.com/',
      'https://a.com/',
      'HTTPS://a.com:443',
      'a.com',
      'A.COM/',
      'https://a.com/#top',
    ],
    ['http://a.com/x', 'HTTP://A.COM:80/x', 'http://a.com/x#y', ' http://a.com/x '],
    [
      'https://a.com/%E5%A4%A7',
      'https://a.com/%e5%a4%a7',
      'https://a.com/大',
      'a.com/大',
      'https://a.com:443/%e5%A4%a7#z',
    ],
    ['https://a.com/a%20b', 'https://a.com/a b', 'a.com/a b'],
  ])('%j', (...spellings) => {
    const results = spellings.map((s) => normalizeUrl(s));
    const first = results[0];
    expect(first?.ok).toBe(true);
    for (const result of results) expect(result).toEqual(first);
  });
});

/**
 * The fast path returns already-canonical URLs without `new URL()`. An upper-case scheme is never
 * canonical, so `HTTPS://…` always takes the slow path: both spellings must give the same answer.
 */
function slowSpelling(input: string): string {
  const trimmed = input.trim();
  const match = /^(https?):\/\//i.exec(trimmed);
  if (match?.[1] !== undefined) return match[1].toUpperCase() + trimmed.slice(match[1].length);
  return `HTTPS://${trimmed}`;
}

describe('normalizeUrl: fast path and slow path agree', () => {
  // Each of these passes the fast path's canonical pattern unchanged; WHATWG URL parsing (the slow
  // path) spells or judges it differently.
  it.each<[string, string]>([
    ['apostrophe in the query', "https://example.com/search?q='x'"],
    ['encoded dot segments', 'https://example.com/a/%2E%2E/b'],
    ['half-encoded dot segment', 'https://example.com/a/.%2E/b'],
    ['zero-padded default port', 'https://example.com:0443/x'],
    ['zero-padded port', 'https://example.com:08080/x'],
    ['port above 65535', 'https://example.com:99999/x'],
    ['shorthand IPv4 host', 'https://127.1/x'],
    ['all-numeric host', 'https://123/x'],
    ['numeric last label', 'https://example.123/x'],
    ['invalid punycode label', 'https://xn--a.example.com/x'],
  ])('%s: %s', (_name, input) => {
    expect(normalizeUrl(input)).toEqual(normalizeUrl(slowSpelling(input)));
  });

  it.each<string>([
    'https://example.com/a.png',
    "https://example.com/it's/a.png",
    'https://example.com/a;b=c/d@e/~f/(g)*h+i,j$k!l&m',
    'https://example.com/x?a=1&b=%2F/c?d',
    'http://example.com:8080/x',
    'https://sub.example-cdn.com/%E5%A4%A7',
    'https://example.com//double',
    'https://192.168.0.1/x',
  ])('canonical %s is returned unchanged by both paths', (input) => {
    expect(normalizeUrl(input)).toEqual(normalizeUrl(slowSpelling(input)));
    expect(okUrl(normalizeUrl(input))).toBe(input);
  });
});

/** URLs in every form the normalizer accepts, with the characters that tend to differ between paths. */
function generateUrl(rng: Rng): string {
  const scheme = rng.pick(['https://', 'http://', 'HTTPS://', 'Http://', 'https://', '']);
  const host = rng.pick([
    'example.com',
    'Example.COM',
    'cdn.example.org',
    'a-b.example.net',
    'x1.y2.example.io',
    'www.EXAMPLE.com',
    '192.168.10.20',
  ]);
  const port = rng.pick(['', '', '', ':80', ':443', ':8080', ':8443']);
  const segments = [
    'img',
    'A',
    'x.png',
    'ü',
    '大',
    'a b',
    '%e5%a4%a7',
    '%41',
    '%2F',
    '.',
    '..',
    '',
    "it's",
    '~user',
    'a+b',
    'a;b=c',
    '@at',
    '(p)',
    '*',
    'a,b',
    'a:b',
    '$1',
    '!',
  ];
  const pathLength = rng.int(0, 4);
  let path = '';
  for (let i = 0; i < pathLength; i++) path += `/${rng.pick(segments)}`;
  if (pathLength === 0 ? rng.bool(0.5) : rng.bool(0.2)) path += '/';
  const query = rng.pick([
    '',
    '',
    '',
    '?',
    '?a=1',
    '?a=1&b=2',
    '?q=a b',
    '?q=%2f',
    '?q=%2F',
    '?q=é',
    '?v=/x/y?z',
    "?q='x'",
    '?q=%27x%27',
    '?a=(1)*!',
  ]);
  const fragment = rng.pick(['', '', '', '#f', '#', '#a b']);
  const padding = rng.pick(['', '', ' ', '\t']);
  return `${padding}${scheme}${host}${port}${path}${query}${fragment}${padding}`;
}

describe('normalizeUrl: properties over generated URLs', () => {
  const seeds = [1, 2, 3];
  const perSeed = 200;

  it.each(seeds)('seed %i: every generated URL is valid and normalizing is idempotent', (seed) => {
    const rng = createRng(seed);
    const counterexamples: string[] = [];
    for (let i = 0; i < perSeed; i++) {
      const input = generateUrl(rng);
      const once = normalizeUrl(input);
      if (!once.ok) {
        counterexamples.push(`${JSON.stringify(input)} rejected: ${once.reason}`);
        continue;
      }
      const twice = normalizeUrl(once.url);
      if (!twice.ok || twice.url !== once.url || twice.host !== once.host) {
        counterexamples.push(`${JSON.stringify(input)} -> ${once.url} -> ${JSON.stringify(twice)}`);
      }
    }
    expect(counterexamples.slice(0, 10)).toEqual([]);
  });

  it.each(seeds)('seed %i: fast path (input as written) equals slow path (HTTPS:// spelling)', (seed) => {
    const rng = createRng(seed);
    const counterexamples: string[] = [];
    for (let i = 0; i < perSeed; i++) {
      const input = generateUrl(rng);
      const asWritten = normalizeUrl(input);
      const slow = normalizeUrl(slowSpelling(input));
      if (JSON.stringify(asWritten) !== JSON.stringify(slow)) {
        counterexamples.push(
          `${JSON.stringify(input)}: ${JSON.stringify(asWritten)} vs ${JSON.stringify(slow)}`,
        );
      }
    }
    expect(counterexamples.slice(0, 10)).toEqual([]);
  });

  it.each(seeds)(
    'seed %i: output is canonical (lower-case scheme/host, upper-case escapes, no fragment, no default port)',
    (seed) => {
      const rng = createRng(seed);
      const counterexamples: string[] = [];
      for (let i = 0; i < perSeed; i++) {
        const input = generateUrl(rng);
        const result = normalizeUrl(input);
        if (!result.ok) continue;
        const { url, host } = result;
        const problems = [
          /^https?:\/\//.test(url) ? '' : 'scheme',
          host === host.toLowerCase() ? '' : 'host case',
          url.includes('#') ? 'fragment' : '',
          /%[0-9A-F]?[a-f]/.test(url) ? 'lower-case escape' : '',
          /^https:\/\/[^/]*:443(?:[/?]|$)|^http:\/\/[^/]*:80(?:[/?]|$)/.test(url) ? 'default port' : '',
          /[^\x21-\x7e]/.test(url) ? 'raw non-ASCII or space' : '',
          url.startsWith(`http://${host}`) || url.startsWith(`https://${host}`) ? '' : 'host mismatch',
        ].filter(Boolean);
        if (problems.length)
          counterexamples.push(`${JSON.stringify(input)} -> ${url}: ${problems.join(', ')}`);
      }
      expect(counterexamples.slice(0, 10)).toEqual([]);
    },
  );
});
