/**
 * No secret leaves the process in any spelling, through the bundled action and the CLI, when the API
 * answers as Alibaba does (SignatureDoesNotMatch quoting its string to sign: the STS token encoded
 * twice) or a server echoes the request (the token raw in a V3 header, encoded once in a V1 body, and
 * a careless proxy's Proxy-Authorization in base64). Everything is read: stdout, stderr, the
 * GITHUB_OUTPUT file, the job summary and the report.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { percentEncode } from '../../emulator/signature.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';

const PROXY_USER = 'runner';
const PROXY_PASSWORD = 'Pr0xy+p@ss/w0rd=%';
const URLS = ['https://www.example.com/leak/1', 'https://www.example.com/leak/2'];

const emulators = emulatorPerTest();
let emulator: Emulator;
let proxy: TestProxy;
let sts: ReturnType<Emulator['issueStsCredentials']>;

beforeAll(async () => {
  proxy = await startProxy({
    hosts: { 'cdn.proxy-only.test': '127.0.0.1' },
    auth: { username: PROXY_USER, password: PROXY_PASSWORD },
    forwardProxyAuthorization: true,
  });
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(async () => {
  emulator = await emulators.start();
  sts = emulator.issueStsCredentials();
});

const stsEnv = (): Record<string, string> => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret,
  ALIBABA_CLOUD_SECURITY_TOKEN: sts.securityToken,
});

const form = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1);

/** Every spelling of `secret` (written here, apart from src/), whole and as its first 16 characters. */
function forbidden(secret: string): string[] {
  const spellings = [
    secret,
    percentEncode(secret),
    percentEncode(percentEncode(secret)),
    encodeURIComponent(secret),
    encodeURIComponent(encodeURIComponent(secret)),
    form(secret),
    Buffer.from(secret).toString('base64'),
  ];
  return [...new Set(spellings.flatMap((s) => [s, s.slice(0, 16)]))];
}

/** Asserts that no spelling of any secret is in `visible`, naming the first found. */
function expectNoSecret(visible: Record<string, string>, secrets: Record<string, string>): void {
  for (const [where, text] of Object.entries(visible)) {
    for (const [name, secret] of Object.entries(secrets)) {
      for (const spelling of forbidden(secret)) {
        expect(text.includes(spelling), `${name} (as ${JSON.stringify(spelling)}) in ${where}`).toBe(false);
      }
    }
  }
}

async function everythingWritten(run: ActionRun): Promise<Record<string, string>> {
  return {
    stdout: run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr,
    GITHUB_OUTPUT: await readFile(path.join(run.workspace, '.github-output'), 'utf8'),
    summary: run.summary,
    report: JSON.stringify(run.report),
  };
}

const secrets = (): Record<string, string> => ({
  'STS token': sts.securityToken,
  'AccessKey secret': sts.accessKeySecret,
  'proxy password': PROXY_PASSWORD,
  'proxy user:password': `${PROXY_USER}:${PROXY_PASSWORD}`,
});

describe.each(['v1', 'v3'] as const)(
  'signature-version %s, STS credentials, through the action',
  (version) => {
    it('SignatureDoesNotMatch quoting the string to sign: the step fails, the quote is cut, nothing leaks', async () => {
      emulator.injectFaults({ kind: 'signature-mismatch', action: 'DescribeRefreshQuota' });
      const run = await runAction(
        { endpoint: emulator.url, urls: URLS.join('\n'), 'signature-version': version },
        { env: stsEnv() },
      );
      expect(run.exitCode).toBe(1);
      expect(run.log).toMatch(
        /::error::DescribeRefreshQuota: SignatureDoesNotMatch: .*string to sign is left out/,
      );
      expect(run.report?.urls).toHaveLength(URLS.length);
      expect(run.summary).toContain('SignatureDoesNotMatch');
      expect(run.stdout).toContain(`::add-mask::${percentEncode(percentEncode(sts.securityToken))}`);
      expect(run.stdout, 'an empty mask').not.toMatch(/^::add-mask::\s*$/m);
      expectNoSecret(await everythingWritten(run), secrets());
    });

    it('a server that echoes the request, behind a proxy that passes its credentials on: nothing leaks', async () => {
      emulator.injectFaults({ kind: 'echo-request', times: 5 });
      const port = new URL(emulator.url).port;
      const run = await runAction(
        {
          endpoint: `http://cdn.proxy-only.test:${port}`,
          urls: URLS.join('\n'),
          'signature-version': version,
          'daily-quota': '100',
        },
        { env: { ...stsEnv(), HTTP_PROXY: proxy.url } },
      );
      expect(run.exitCode).toBe(1);
      // The echo did reach the report: the reason quotes the request, masked.
      const reason = run.report?.urls[0]?.reason ?? '';
      expect(reason).toMatch(/InvalidParameter: The request is not valid: POST \//);
      expect(reason).toContain('***');
      expectNoSecret(await everythingWritten(run), secrets());
    });
  },
);

describe('through the CLI', () => {
  it.each([
    ['the closing table', []],
    ['--json', ['--json']],
  ])('prints no spelling of a secret in %s', async (_, extra) => {
    emulator.injectFaults(
      { kind: 'signature-mismatch', action: 'DescribeRefreshQuota' },
      { kind: 'echo-request', times: 5 },
    );
    const echoed = await runCliBundle(
      [
        '--endpoint',
        emulator.url,
        '--urls',
        URLS.join(' '),
        '--signature-version',
        'v1',
        '--daily-quota',
        '100',
        ...extra,
      ],
      { env: stsEnv() },
    );
    expect(echoed.exitCode).toBe(1);
    expect(echoed.stdout + echoed.stderr).toContain('InvalidParameter');
    const refused = await runCliBundle(
      ['--endpoint', emulator.url, '--urls', URLS.join(' '), '--signature-version', 'v1', ...extra],
      { env: stsEnv() },
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('SignatureDoesNotMatch');
    for (const run of [echoed, refused]) {
      expectNoSecret({ stdout: run.stdout, stderr: run.stderr }, secrets());
    }
  });
});
