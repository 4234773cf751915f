/**
 * parseConfig beyond single values: every mistake reported together, values before credentials,
 * combinations that would lose work (save-sitemap), endpoints that would leak or drop what is written,
 * and the GitHub context that previous-ref reads.
 */
import { describe, expect, it } from 'vitest';
import { configFrom } from '../helpers/inputs.js';
import { ConfigError } from '../../src/base/errors.js';
import type { GitHubContext, AdapterContext } from '../../src/config/config.js';
import type { Env } from '../../src/config/parse.js';
import { ConfigErrors, configErrorsOf } from '../../src/config/problems.js';
import type { Credentials } from '../../src/alibaba/signer.js';

const CREDS: Partial<Credentials> = {
  accessKeyId: 'LTAI5tTESTKEYID',
  accessKeySecret: 'Zq9SECRETvalue-7Hd2kP4xWm',
};

function parse(
  inputs: Record<string, string>,
  options: { env?: Env; credentials?: Partial<Credentials>; context?: AdapterContext } = {},
) {
  return configFrom(
    inputs,
    options.env ?? { GITHUB_WORKSPACE: '/ws' },
    options.credentials ?? CREDS,
    options.context ?? {},
  );
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const inputsOf = (error: ConfigError) => configErrorsOf(error).map((each) => each.input);

describe('every configuration error of a run, together', () => {
  it('a bad value and no credentials: both, the value first, each naming its input', () => {
    const error = configError(() => parse({ area: 'mars' }, { credentials: {} }));
    expect(error).toBeInstanceOf(ConfigErrors);
    expect(inputsOf(error)).toEqual(['area', 'access-key-id']);
    expect(error.message).toMatch(
      /^2 problems to fix:\n {2}- area: "mars" must be one of domestic, overseas\n {2}- credentials: no AccessKey found/,
    );
  });

  it('lists every wrong value, in action.yml order', () => {
    const error = configError(() =>
      parse({
        'batch-size': '0',
        area: 'mars',
        'fail-on': 'sometimes',
        'poll-interval': 'x',
        'with-header': '{',
      }),
    );
    expect(inputsOf(error)).toEqual(['area', 'with-header', 'batch-size', 'fail-on', 'poll-interval']);
    expect(error.message.split('\n')).toHaveLength(6);
  });

  it('one error stays one plain message, as before', () => {
    const error = configError(() => parse({ 'batch-size': '0' }));
    expect(error).not.toBeInstanceOf(ConfigErrors);
    expect(error.message).toBe('batch-size: "0" must be a whole number from 1 to 100');
    expect(error.input).toBe('batch-size');
  });

  it('adds no false error for what depends on a wrong value', () => {
    // role-arn is wrong, so no AccessKey is needed: "no AccessKey found" would be false.
    expect(
      inputsOf(configError(() => parse({ 'role-arn': 'arn:aws:iam::1:role/x' }, { credentials: {} }))),
    ).toEqual(['role-arn']);
    // dry-run is wrong: whether credentials are needed is unknown, so they are not asked for.
    expect(inputsOf(configError(() => parse({ 'dry-run': 'yes' }, { credentials: {} })))).toEqual([
      'dry-run',
    ]);
  });

  it('combinations are checked alongside the values', () => {
    const error = configError(() =>
      parse({
        'batch-size': '500',
        'previous-sitemap': 'old.xml',
        'oidc-provider-arn': 'acs:ram::1:oidc-provider/github',
      }),
    );
    expect(inputsOf(error)).toEqual(['batch-size', 'previous-sitemap', 'role-arn']);
  });
});

describe('save-sitemap', () => {
  const sitemap = { sitemap: 'public/sitemap.xml', 'save-sitemap': 'baseline.xml' };

  it('alone is fine, and needs no credentials', () => {
    expect(parse(sitemap, { credentials: {} }).sitemap?.saveSitemap).toBe('baseline.xml');
  });

  it.each<[string, Record<string, string>, AdapterContext, string]>([
    ['urls', { urls: 'https://www.example.com/' }, {}, 'urls'],
    ['urls-file', { 'urls-file': 'list.txt' }, {}, 'urls-file'],
    ['the CLI reading a list from standard input', {}, { urlsFromStdin: true }, 'urls-file'],
    ['both lists', { urls: 'https://www.example.com/', 'urls-file': 'list.txt' }, {}, 'urls and urls-file'],
  ])('with %s is an error: the list would never be sent', (_name, extra, context, named) => {
    const error = configError(() => parse({ ...sitemap, ...extra }, { context }));
    expect(error.input).toBe('save-sitemap');
    expect(error.message).toBe(
      `save-sitemap only saves the sitemap and sends nothing, so ${named} would never be sent; ` +
        `run save-sitemap in a step of its own, and prefetch ${named} in another.`,
    );
  });

  it.each(['public/sitemap.xml', './public/../public/sitemap.xml', '/ws/public/sitemap.xml'])(
    'equal to sitemap (%s) is an error: it would overwrite the source',
    (target) => {
      const error = configError(() => parse({ sitemap: 'public/sitemap.xml', 'save-sitemap': target }));
      expect(error.message).toBe(
        `save-sitemap: "${target}" is the sitemap itself, which saving would overwrite; ` +
          'write the baseline to another path, like sitemap-baseline.xml.',
      );
    },
  );

  it('beside a sitemap URL, any path is fine', () => {
    const config = parse({ sitemap: 'https://www.example.com/sitemap.xml', 'save-sitemap': 'sitemap.xml' });
    expect(config.sitemap?.saveSitemap).toBe('sitemap.xml');
  });
});

describe.each([
  ['endpoint', {}, 'signed API calls (and any STS security token)'],
  [
    'sts-endpoint',
    {
      'role-arn': 'acs:ram::1234567890123456:role/r',
      'oidc-provider-arn': 'acs:ram::1234567890123456:oidc-provider/github',
    },
    "GitHub's ID token and the role's credentials",
  ],
] as const)('%s', (name, extra, what) => {
  const read = (value: string) => parse({ ...extra, [name]: value });
  const errorOf = (value: string) => configError(() => read(value));

  it('https, or a host alone: no message', () => {
    expect(read('https://cdn.example.com').messages).toEqual([]);
    expect(read('cdn.example.com').messages).toEqual([]);
  });

  it('plain http to another host: allowed, with a warning saying what crosses the network', () => {
    expect(read('http://cdn.example.com').messages).toEqual([
      {
        level: 'warning',
        text:
          `${name}: http://cdn.example.com is plain http, so ${what} cross the network unencrypted; ` +
          'use https:// (plain http is meant for a local emulator).',
      },
    ]);
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:9000', 'http://[::1]:8080', 'http://127.8.9.10'])(
    'plain http to this machine (%s): no warning, nothing leaves it',
    (value) => {
      expect(read(value).messages).toEqual([]);
    },
  );

  it.each([
    ['https://cdn.example.com/v2', 'https://cdn.example.com'],
    ['https://cdn.example.com/?region=x', 'https://cdn.example.com'],
    ['https://cdn.example.com/#x', 'https://cdn.example.com'],
  ])('a path or query (%s) is an error naming the origin to write', (value, origin) => {
    expect(errorOf(value).message).toBe(
      `${name}: "${value}" has a path or query, which the API calls would drop; write only the origin, ${origin}`,
    );
  });

  it('a user name and password is an error that never repeats the password', () => {
    const error = errorOf('https://admin:hunter2-pw@cdn.example.com');
    expect(error.input).toBe(name);
    expect(error.message).toBe(
      `${name}: a user name or password in the URL is never used (calls are signed with the AccessKey); ` +
        'remove it and write https://cdn.example.com',
    );
  });

  it.each([
    'https://admin:hunter2-pw@cdn example.com',
    'https://admin:hunter2-pw@[bad',
    'ftp://admin:hunter2-pw@x',
  ])('an invalid value with a password (%s) is not repeated', (value) => {
    const error = errorOf(value);
    expect(error.message).toMatch(
      new RegExp(`^${name}: the value \\(not repeated: it may hold a password\\)`),
    );
    expect(error.message).not.toContain('hunter2');
  });
});

describe('previous-ref and the GitHub context', () => {
  const github: GitHubContext = {
    repository: { owner: 'acme', repo: 'site' },
    apiUrl: 'https://ghe.example.com/api/v3',
  };
  const inputs = { sitemap: 'public/sitemap.xml', 'previous-ref': 'abc123', 'github-token': 'ghs_token' };

  it("reads the repository and the API from the run's context", () => {
    expect(parse(inputs, { context: { github } }).sitemap?.github).toEqual({
      token: 'ghs_token',
      apiUrl: 'https://ghe.example.com/api/v3',
      owner: 'acme',
      repo: 'site',
    });
  });

  it('outside GitHub Actions (no context) is an error, whatever the variables say', () => {
    const error = configError(() =>
      parse(inputs, { env: { GITHUB_REPOSITORY: 'acme/site', GITHUB_API_URL: 'https://api.github.com' } }),
    );
    expect(error.input).toBe('previous-ref');
    expect(error.message).toMatch(/^previous-ref: the repository to read from is unknown/);
  });

  it('the commit before a forced push: a notice that it may be gone', () => {
    const event = { before: 'abc123', forced: true };
    expect(parse(inputs, { context: { github: { ...github, event } } }).messages).toEqual([
      {
        level: 'notice',
        text:
          'previous-ref abc123 is the commit before this forced push: if the push rewrote history, ' +
          'the repository may no longer have it, and then there is no baseline.',
      },
    ]);
    expect(
      parse(inputs, { context: { github: { ...github, event: { ...event, forced: false } } } }).messages,
    ).toEqual([]);
  });
});
