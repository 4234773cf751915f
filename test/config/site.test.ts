/**
 * The inputs of site-dir and state through parseConfig: what they combine with, what they refuse, and
 * that every mistake is reported together with the others.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { ConfigErrors, configErrorsOf } from '../../src/config/problems.js';
import { configFrom } from '../helpers/inputs.js';

const ENV = { GITHUB_WORKSPACE: '/ws' };
const SITE = { 'site-dir': 'public', 'base-url': 'https://www.example.com' };

function configError(inputs: Record<string, string>): ConfigError {
  try {
    configFrom(inputs, ENV);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('site-dir and state in the configuration', () => {
  it('site-dir + state: their values, carry-days 7 and changes added,modified by default', () => {
    const config = configFrom({ ...SITE, state: '.cdn-prefetch/state.json' }, ENV);
    expect(config.site).toEqual({
      siteDir: 'public',
      state: '.cdn-prefetch/state.json',
      contentIgnore: { patterns: [], lines: [] },
      carryDays: 7,
      changes: { added: true, modified: true, all: false },
    });
  });

  it('neither: no site source', () => {
    expect(configFrom({ urls: 'https://www.example.com/' }, ENV).site).toBeUndefined();
  });

  it('state alone is allowed (it drains the carried list), without base-url', () => {
    const config = configFrom({ state: 'state.json', 'carry-days': '3' }, ENV);
    expect(config.site).toMatchObject({ state: 'state.json', carryDays: 3 });
    expect(config.site).not.toHaveProperty('siteDir');
  });

  it('site-dir without base-url is an error naming both', () => {
    const error = configError({ 'site-dir': 'public' });
    expect(error.message).toMatch(/^site-dir needs base-url: the URL the site is served at/);
    expect(error.input).toBe('base-url');
  });

  it('a content-ignore line that is not a regular expression: an error naming the line', () => {
    const error = configError({ ...SITE, 'content-ignore': 'Build Date UTC : [^\\n]*\n\n(unclosed' });
    expect(error.message).toMatch(
      /^content-ignore: line 3 "\(unclosed" is not a valid regular expression \(/,
    );
    expect(error.input).toBe('content-ignore');
  });

  it('content-ignore compiles one pattern a line, blank lines skipped', () => {
    const config = configFrom({ ...SITE, 'content-ignore': 'a+\n\n  b\\d  \n' }, ENV);
    expect(config.site?.contentIgnore.patterns.map((p) => p.source)).toEqual(['a+', 'b\\d']);
  });

  it('content-ignore without site-dir is an error: it would apply to nothing', () => {
    expect(configError({ state: 's.json', 'content-ignore': 'x' }).input).toBe('content-ignore');
  });

  it.each(['-1', '366', 'a week'])('carry-days %s is an error naming it', (days) => {
    expect(configError({ ...SITE, 'carry-days': days }).message).toBe(
      `carry-days: "${days}" must be a whole number from 0 to 365`,
    );
  });

  it('with sitemap: allowed (priorities only); previous-sitemap, previous-ref and include-images are refused', () => {
    expect(configFrom({ ...SITE, sitemap: 'public/sitemap.xml' }, ENV).sitemap?.sitemap).toBe(
      'public/sitemap.xml',
    );
    const error = configError({
      ...SITE,
      sitemap: 'public/sitemap.xml',
      'previous-sitemap': 'old.xml',
      'include-images': 'true',
    });
    expect(error.message).toMatch(
      /^previous-sitemap and include-images are set with site-dir, which decides what changed by content/,
    );
    expect(error.input).toBe('previous-sitemap');
  });

  it('save-sitemap beside site-dir or state is an error: it sends nothing', () => {
    const error = configError({
      ...SITE,
      state: 's.json',
      sitemap: 'https://x.example/s.xml',
      'save-sitemap': 'b.xml',
    });
    expect(error.message).toMatch(/so site-dir and state would never be sent/);
  });

  it('a state that is site-dir itself is an error naming state', () => {
    expect(configError({ ...SITE, state: './public' }).input).toBe('state');
  });

  it('every mistake together: site-dir without base-url, a bad carry-days and a bad line', () => {
    const error = configError({ 'site-dir': 'public', 'carry-days': 'x', 'content-ignore': '[' });
    expect(error).toBeInstanceOf(ConfigErrors);
    expect(configErrorsOf(error).map((each) => each.input)).toEqual([
      'content-ignore',
      'carry-days',
      'base-url',
    ]);
  });
});
