/**
 * The CDN API's host cannot be resolved (a wrong endpoint, or a machine without network or DNS): the
 * bundled action and CLI stop at once with a message that says so and what to check, named as each
 * reader sets it, instead of retrying for the better part of a minute. The machine without DNS is
 * test/helpers/no-dns.mjs, loaded before the bundle.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { ROOT, runAction } from '../../emulator/harness.js';

const NO_DNS = { NODE_OPTIONS: `--import ${path.join(ROOT, 'test/helpers/no-dns.mjs')}` };
const creds = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak-id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ak-secret-value' };
const URLS = ['https://www.example.com/', 'https://www.example.com/a/'];

describe('the API host does not resolve', () => {
  it('the action fails within seconds, every URL failed as not sent, naming the input to check', async () => {
    const run = await runAction({ urls: URLS.join('\n') }, { env: { ...creds, ...NO_DNS } });
    expect(run.exitCode).toBe(1);
    expect(run.elapsedMs).toBeLessThan(10_000);
    expect(run.log).toMatch(
      /::error::DescribeRefreshQuota: https:\/\/cdn\.aliyuncs\.com: ENOTFOUND \(getaddrinfo ENOTFOUND cdn\.aliyuncs\.com\)\. The host name does not resolve: check endpoint \(the API's host, cdn\.aliyuncs\.com by default\) and the runner's network and DNS/,
    );
    expect(run.log).not.toMatch(/retry \d/);
    expect(run.outputs['failed-count']).toBe('2');
    expect(run.report?.urls.map((url) => url.reason)).toEqual([
      expect.stringMatching(/^not sent: the run stopped at DescribeRefreshQuota: .*ENOTFOUND/),
      expect.stringMatching(/^not sent: the run stopped at DescribeRefreshQuota: .*ENOTFOUND/),
    ]);
  });

  it('the CLI exits 1 within seconds, naming --endpoint and this machine', async () => {
    const run = await runCliBundle(
      ['--urls', URLS[0]!, '--daily-quota', '10', '--endpoint', 'https://cdn.example.test'],
      { env: { ...creds, ...NO_DNS } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.elapsedMs).toBeLessThan(10_000);
    expect(run.stderr).toContain(
      "PushObjectCache: https://cdn.example.test: ENOTFOUND (getaddrinfo ENOTFOUND cdn.example.test). The host name does not resolve: check --endpoint (the API's host, cdn.aliyuncs.com by default) and this machine's network and DNS",
    );
    expect(run.stderr).not.toMatch(/retry \d|runner|workspace/);
    expect(run.stdout).toContain('1 × PushObjectCache: https://cdn.example.test: ENOTFOUND');
  });
});
