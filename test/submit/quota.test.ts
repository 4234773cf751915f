/**
 * `prefetch-limit`: this run's part of the day's prefetch quota — a number of URLs, or a share of what
 * is left today — so that a scheduled drain leaves the day's deploys their share; and the words every
 * skipped URL and the warning give for it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parsePrefetchLimit } from '../../src/config/values.js';
import { ConfigError } from '../../src/base/errors.js';
import { capText, runQuota } from '../../src/submit/quota.js';
import { runPrefetch } from '../../src/run.js';
import { configFrom, TEST_CREDENTIALS } from '../helpers/inputs.js';
import { MemoryLogger } from '../helpers/logger.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import type { Emulator } from '../../emulator/index.js';

describe('parsePrefetchLimit', () => {
  it.each([
    ['', undefined],
    ['300', { urls: 300, text: '300' }],
    ['30%', { share: 0.3, text: '30%' }],
    ['12.5 %', { share: 0.125, text: '12.5%' }],
    ['100%', { share: 1, text: '100%' }],
  ])('%j → %j', (value, expected) => {
    expect(parsePrefetchLimit(value, 'prefetch-limit')).toEqual(expected);
  });

  it.each(['0', '0%', '150%', 'half', '-5', '3.5'])(
    '%j is refused, naming the input and the forms',
    (value) => {
      expect(() => parsePrefetchLimit(value, 'prefetch-limit')).toThrow(ConfigError);
      expect(() => parsePrefetchLimit(value, 'prefetch-limit')).toThrow(
        /^prefetch-limit: ".*" must be a whole number of URLs \(like 300\) or a share of the quota left today \(like 30%\)/,
      );
    },
  );
});

describe('runQuota and capText', () => {
  it('a limit below what is left caps the run, and says so', () => {
    const quota = runQuota(1000, { share: 0.3, text: '30%' });
    expect(quota).toEqual({ remain: 1000, cap: 300, limit: { share: 0.3, text: '30%' } });
    expect(capText(quota)).toBe('prefetch-limit 30% lets this run send 300 of the 1000 URLs left today');
    expect(capText(runQuota(undefined, { urls: 50, text: '50' }))).toBe(
      'prefetch-limit 50 lets this run send 50',
    );
  });

  it('a limit at or above what is left changes nothing: the quota is the cap', () => {
    expect(runQuota(10, { urls: 300, text: '300' })).toEqual({ remain: 10, cap: 10 });
    expect(capText(runQuota(10, { urls: 300, text: '300' }))).toBe(
      'the daily prefetch quota had 10 URLs left at the start',
    );
    expect(runQuota(undefined, { share: 0.5, text: '50%' })).toEqual({ remain: undefined, cap: undefined });
    expect(runQuota(7, undefined)).toEqual({ remain: 7, cap: 7 });
  });
});

describe('a run with prefetch-limit', () => {
  const emulators = emulatorPerTest({
    credentials: { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.accessKeySecret },
  });
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await emulators.start({ preloadQuota: 10 });
  });

  it('30% of the 10 left today: 3 sent, the rest skipped for quota with the limit as their reason', async () => {
    const urls = Array.from({ length: 8 }, (_, i) => `https://www.example.com/${i}`);
    const logger = new MemoryLogger();
    const result = await runPrefetch(
      configFrom(
        { urls: urls.join('\n'), endpoint: emulator.url, 'prefetch-limit': '30%' },
        {},
        TEST_CREDENTIALS,
      ),
      { logger },
    );
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual(urls.slice(0, 3));
    expect(result.counts).toMatchObject({ submitted: 3, skipped: 5 });
    expect(result.outcomes.filter((o) => o.status === 'skipped').map((o) => [o.skip, o.reason])).toEqual(
      Array(5).fill(['quota', 'quota: prefetch-limit 30% lets this run send 3 of the 10 URLs left today']),
    );
    expect(result).toMatchObject({ quotaRemain: 10, prefetchCap: 3 });
    expect(logger.messages('warning')).toContain(
      '5 URLs skipped: prefetch-limit 30% lets this run send 3 of the 10 URLs left today. ' +
        'They are listed in the report; raise prefetch-limit to send more in one run.',
    );
  });
});
