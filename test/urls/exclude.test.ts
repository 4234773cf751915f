import { describe, expect, it } from 'vitest';
import { compileExcludes } from '../../src/urls/exclude.js';

const matches = (pattern: string, url: string): boolean =>
  compileExcludes([pattern]).match(url) !== undefined;

describe('compileExcludes', () => {
  it.each([
    ['/tag/*', 'https://a.com/tag/news', true],
    ['/tag/*', 'https://a.com/tag/news/page/2', false], // * stays within a segment
    ['/tag/*', 'https://a.com/tag/', true],
    ['/tag/**', 'https://a.com/tag/news/page/2', true], // ** crosses segments
    ['/tag/**', 'https://a.com/tag', true], // /x/** also matches /x
    ['/tag/**', 'https://a.com/tags', false],
    ['/tag/**', 'https://a.com/x/tag/y', false], // anchored at the start
    ['/**/feed', 'https://a.com/feed', true],
    ['/**/feed', 'https://a.com/blog/2025/feed', true],
    ['/**/feed', 'https://a.com/blog/feeds', false],
    ['/blog/*/amp', 'https://a.com/blog/post-1/amp', true],
    ['/blog/*/amp', 'https://a.com/blog/a/b/amp', false],
    ['/*.pdf', 'https://a.com/report.pdf', true],
    ['/*.pdf', 'https://a.com/reportXpdf', false], // "." is literal
    ['/search', 'https://a.com/search?q=cdn', true], // the query is not part of the path
    ['/search', 'https://a.com/search/', false],
    ['/', 'https://a.com', true],
    ['/', 'https://a.com/?page=2', true],
    ['/**', 'https://a.com/anything/at/all', true],
    ['/博客/**', 'https://a.com/%E5%8D%9A%E5%AE%A2/post', true], // the path is decoded
    ['/%E5%8D%9A%E5%AE%A2/**', 'https://a.com/%E5%8D%9A%E5%AE%A2/post', true], // so is the pattern
    ['/a b', 'https://a.com/a%20b', true],
    ['/a/b', 'https://a.com/a%2Fb', false], // an encoded slash stays inside its segment
    ['/Docs/**', 'https://a.com/docs/x', false], // case-sensitive, as paths are
    ['/x/(draft)', 'https://a.com/x/(draft)', true], // regex characters are literal
  ])('%s on %s: %s', (pattern, url, expected) => {
    expect(matches(pattern, url)).toBe(expected);
  });

  it('returns the pattern that matched, as written', () => {
    const excludes = compileExcludes(['  /tag/**  ', '/drafts/*']);
    expect(excludes.match('https://a.com/drafts/x')).toBe('/drafts/*');
    expect(excludes.match('https://a.com/tag/y')).toBe('/tag/**');
    expect(excludes.match('https://a.com/post')).toBeUndefined();
    expect(excludes.size).toBe(2);
  });

  it('takes the input text too, skipping blank lines and # comments', () => {
    const excludes = compileExcludes('# no tags\n\n/tag/**\r\n/private/*\n');
    expect(excludes.size).toBe(2);
    expect(excludes.match('https://a.com/private/x')).toBe('/private/*');
  });

  it('never matches without patterns', () => {
    expect(compileExcludes([]).match('https://a.com/')).toBeUndefined();
    expect(compileExcludes('').size).toBe(0);
  });

  it('names the line of a pattern that does not start with "/"', () => {
    expect(() => compileExcludes(['/ok/**', 'tag/**'])).toThrow(
      /^exclude: line 2 "tag\/\*\*" must start with "\/"/,
    );
  });

  it('counts blank and comment lines in the line number', () => {
    expect(() => compileExcludes('# c\n\n*.pdf')).toThrow(/^exclude: line 3 "\*\.pdf"/);
  });

  it('rejects a query in a pattern', () => {
    expect(() => compileExcludes(['/search?q=*'])).toThrow(/line 1 "\/search\?q=\*" contains "\?"/);
  });

  it('rejects ** inside a segment', () => {
    expect(() => compileExcludes(['/a**'])).toThrow(/line 1 "\/a\*\*" uses "\*\*" inside a segment/);
  });
});
