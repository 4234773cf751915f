import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { isAllowedHost, parseDomainPatterns } from '../../src/urls/domains.js';

describe('parseDomainPatterns', () => {
  it.each<[string, string, string[]]>([
    ['empty input', '', []],
    ['blank lines only', '\n  \n\t\n', []],
    ['one host', 'www.example.com', ['www.example.com']],
    ['one per line, trimmed', '  www.example.com  \n*.example.org\n', ['www.example.com', '*.example.org']],
    ['lower-cased', 'WWW.Example.COM\n*.CDN.Example.org', ['www.example.com', '*.cdn.example.org']],
    [
      'comments and blanks ignored',
      '# our hosts\n\nexample.com\n  # indented comment\nstatic.example.com',
      ['example.com', 'static.example.com'],
    ],
    ['CRLF line ends', 'a.example.com\r\nb.example.com\r\n', ['a.example.com', 'b.example.com']],
    [
      'hyphens, digits, underscores',
      'cdn-1.example.com\nx_y.example.com',
      ['cdn-1.example.com', 'x_y.example.com'],
    ],
    ['single-label host', 'localhost', ['localhost']],
  ])('%s', (_name, text, expected) => {
    expect(parseDomainPatterns(text)).toEqual(expected);
  });

  it.each<[string, string, number]>([
    ['a URL, not a host', 'https://www.example.com', 1],
    ['a host with a path', 'example.com\nexample.com/img', 2],
    ['a bare wildcard', '# hosts\n\n*', 3],
    ['a wildcard with nothing after it', 'a.com\n*.', 2],
    ['a wildcard in the middle', 'a.*.example.com', 1],
    ['a double wildcard', '**.example.com', 1],
    ['a space inside', 'good.com\r\nbad host.com', 2],
    ['a port', 'example.com:8080', 1],
  ])('%s is a ConfigError naming its line', (_name, text, line) => {
    let caught: unknown;
    try {
      parseDomainPatterns(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toContain(`domains: line ${line}`);
  });
});

describe('isAllowedHost', () => {
  it.each<[string, string[], boolean]>([
    // Wildcards cover subdomains at any depth, never the apex or a look-alike.
    ['a.example.com', ['*.example.com'], true],
    ['a.b.example.com', ['*.example.com'], true],
    ['example.com', ['*.example.com'], false],
    ['badexample.com', ['*.example.com'], false],
    ['a.badexample.com', ['*.example.com'], false],
    ['example.com.evil.net', ['*.example.com'], false],
    ['.example.com', ['*.example.com'], false],
    // Exact entries match exactly.
    ['example.com', ['example.com'], true],
    ['www.example.com', ['example.com'], false],
    ['example.co', ['example.com'], false],
    ['example.com.au', ['example.com'], false],
    // Several entries.
    ['example.com', ['example.com', '*.example.com'], true],
    ['cdn.example.com', ['example.com', '*.example.com'], true],
    ['other.org', ['example.com', '*.example.com'], false],
    ['static.other.org', ['www.example.com', '*.other.org'], true],
    // An empty list allows every host.
    ['anything.example', [], true],
    ['localhost', [], true],
  ])('%s with %j -> %s', (host, patterns, allowed) => {
    expect(isAllowedHost(host, patterns)).toBe(allowed);
  });

  it('works with patterns straight from parseDomainPatterns', () => {
    const patterns = parseDomainPatterns('# allow-list\n*.Example.com\nstatic.other.org\n');
    expect(isAllowedHost('img.example.com', patterns)).toBe(true);
    expect(isAllowedHost('example.com', patterns)).toBe(false);
    expect(isAllowedHost('static.other.org', patterns)).toBe(true);
    expect(isAllowedHost('www.other.org', patterns)).toBe(false);
  });
});
