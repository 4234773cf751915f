import { describe, expect, it } from 'vitest';
import { runContext } from '../../src/phases/context.js';
import { readQuota } from '../../src/phases/read-quota.js';
import type { PreparedUrls } from '../../src/urls/prepare.js';
import { configFrom } from '../helpers/inputs.js';
import { MemoryLogger } from '../helpers/logger.js';

const URL = 'https://www.example.com/a';

/** One candidate URL: what the quota is read for. */
const urls: PreparedUrls = {
  candidates: [{ url: URL, host: 'www.example.com', source: 'urls: line 1', order: 1 }],
  rejected: [],
  duplicates: 0,
  changes: new Map(),
  invalidByReason: new Map(),
};

/** readQuota with these inputs, no API client (daily-quota a number, or a dry run without credentials). */
async function quotaWith(inputs: Record<string, string>) {
  const logger = new MemoryLogger();
  const config = configFrom({ urls: URL, ...inputs }, {}, inputs['dry-run'] === 'true' ? {} : undefined);
  const quota = await readQuota(runContext(config, { logger }), undefined, urls);
  return { quota, info: logger.messages('info'), notices: logger.messages('notice') };
}

describe('readQuota: what this run may prefetch', () => {
  it('the day remainder alone, without prefetch-limit: no line about a limit', async () => {
    const { quota, info } = await quotaWith({ 'daily-quota': '10' });
    expect(quota).toEqual({ remain: 10, cap: 10 });
    expect(info.filter((line) => line.includes('prefetch-limit'))).toEqual([]);
  });

  it('prefetch-limit as a number or a share of the remainder caps the run, and says so', async () => {
    const urlsLimit = await quotaWith({ 'daily-quota': '10', 'prefetch-limit': '4' });
    expect(urlsLimit.quota).toMatchObject({ remain: 10, cap: 4 });
    expect(urlsLimit.info).toContain('This run may prefetch 4 URLs (prefetch-limit 4).');
    const share = await quotaWith({ 'daily-quota': '10', 'prefetch-limit': '30%' });
    expect(share.quota).toMatchObject({ remain: 10, cap: 3 });
    expect(share.info).toContain('This run may prefetch 3 URLs (prefetch-limit 30%).');
    const one = await quotaWith({ 'daily-quota': '10', 'prefetch-limit': '1' });
    expect(one.info).toContain('This run may prefetch 1 URL (prefetch-limit 1).');
  });

  it('a limit above what is left changes nothing: the day remainder is the cap', async () => {
    const { quota, info } = await quotaWith({ 'daily-quota': '10', 'prefetch-limit': '50' });
    expect(quota).toEqual({ remain: 10, cap: 10 });
    expect(info.filter((line) => line.includes('prefetch-limit'))).toEqual([]);
  });

  it('a dry run without credentials reads no quota: a share of it is not applied, and both are said', async () => {
    const { quota, notices } = await quotaWith({ 'dry-run': 'true', 'prefetch-limit': '30%' });
    expect(quota).toEqual({ remain: undefined, cap: undefined });
    expect(notices).toEqual([
      'dry-run without credentials: the daily prefetch quota was not read, so the plan is not capped by it.',
      'prefetch-limit 30%: a share of a quota that was not read; not applied.',
    ]);
  });
});
