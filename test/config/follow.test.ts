import { describe, expect, it } from 'vitest';
import { inputReader } from '../helpers/inputs.js';
import { ConfigError } from '../../src/base/errors.js';
import { parseConfig } from '../../src/config/parse.js';

const CREDS = { accessKeyId: 'LTAI5tTESTKEYID', accessKeySecret: 'Zq9SECRETvalue-7Hd2kP4xWm' };

const parse = (inputs: Record<string, string>) => parseConfig(inputReader(inputs), {}, CREDS);

describe('parseConfig: refresh and wait', () => {
  it('refreshes what changed in place by default, does not wait: wait-timeout 900 s, poll-interval 10 s', () => {
    const config = parse({ urls: 'https://www.example.com/' });
    expect(config.follow).toEqual({
      refresh: 'changed',
      wait: false,
      waitTimeoutMs: 900_000,
      pollIntervalMs: 10_000,
    });
    // A list alone never needs a refresh under `changed`: no refresh wait in the deadline.
    expect(config.timeoutMs).toBe(600_000);
  });

  it('reads the four inputs', () => {
    const config = parse({ refresh: 'true', wait: 'True', 'wait-timeout': '120', 'poll-interval': '1' });
    expect(config.follow).toEqual({
      refresh: 'all',
      wait: true,
      waitTimeoutMs: 120_000,
      pollIntervalMs: 1000,
    });
  });

  it.each([
    ['changed', 'changed'],
    ['Changed', 'changed'],
    ['true', 'all'],
    ['TRUE', 'all'],
    ['false', 'none'],
    ['False', 'none'],
  ])('refresh: %s is %s', (value, mode) => {
    expect(parse({ refresh: value }).follow.refresh).toBe(mode);
  });

  it('lengthens the default run deadline by wait-timeout for each wait that may happen, so it never cuts one short', () => {
    expect(parse({ wait: 'true' }).timeoutMs).toBe((600 + 900) * 1000);
    expect(parse({ refresh: 'true', wait: 'true', 'wait-timeout': '60' }).timeoutMs).toBe((600 + 120) * 1000);
    // refresh: changed waits only where something can have changed in place.
    const site = { 'site-dir': 'public', 'base-url': 'https://www.example.com', state: 's.json' };
    expect(parse(site).timeoutMs).toBe((600 + 900) * 1000);
    expect(parse({ ...site, wait: 'true' }).timeoutMs).toBe((600 + 2 * 900) * 1000);
    expect(parse({ ...site, refresh: 'false' }).timeoutMs).toBe(600 * 1000);
    expect(parse({ sitemap: 'sitemap.xml', 'previous-sitemap': 'old.xml' }).timeoutMs).toBe(1500 * 1000);
    expect(parse({ state: 's.json' }).timeoutMs).toBe(1500 * 1000);
    // An explicit timeout is the user's bound, and wins.
    expect(parse({ wait: 'true', timeout: '300' }).timeoutMs).toBe(300_000);
  });

  it.each([
    [
      { refresh: 'yes' },
      'refresh: "yes" must be changed (refresh what changed in place), true (refresh every URL) or false',
    ],
    [{ refresh: 'modified' }, 'refresh: "modified" must be changed'],
    [{ wait: '1' }, 'wait: "1" must be true or false'],
    [{ 'wait-timeout': '0' }, 'wait-timeout: "0" must be a whole number from 1 to 21600'],
    [{ 'wait-timeout': '15m' }, 'wait-timeout: "15m" must be a whole number from 1 to 21600'],
    [{ 'poll-interval': '0' }, 'poll-interval: "0" must be a whole number from 1 to 3600'],
    [{ 'poll-interval': '0.5' }, 'poll-interval: "0.5" must be a whole number from 1 to 3600'],
  ])('%j is refused: %s', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(ConfigError);
    expect(() => parse(inputs)).toThrow(message);
  });
});

describe('parseConfig: verify', () => {
  it('is off by default', () => {
    expect(parse({}).verify).toBeUndefined();
    expect(parse({ 'verify-limit': '5' }).verify).toBeUndefined();
  });

  it('reads verify-limit (default 200), and waits for the prefetch tasks: the default deadline grows by wait-timeout', () => {
    const config = parse({ verify: 'true' });
    expect(config.verify).toEqual({ limit: 200 });
    expect(config.follow.wait).toBe(true);
    expect(config.timeoutMs).toBe((600 + 900) * 1000);
    expect(parse({ verify: 'true', wait: 'true', 'verify-limit': '7' })).toMatchObject({
      verify: { limit: 7 },
      follow: { wait: true },
      timeoutMs: (600 + 900) * 1000,
    });
  });

  it.each([
    [{ verify: 'yes' }, 'verify: "yes" must be true or false'],
    [{ verify: 'true', 'verify-limit': '0' }, 'verify-limit: "0" must be a whole number from 1 to 10000'],
    [{ verify: 'true', 'verify-limit': 'all' }, 'verify-limit: "all" must be a whole number from 1 to 10000'],
  ])('%j is refused: %s', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
  });
});
