/**
 * The bundled action behind a proxy. The CDN API, STS and GitHub's ID-token service are given by host
 * names that only the test proxy resolves (*.proxy-only.test → 127.0.0.1), so a request that bypassed
 * the proxy fails; https goes through CONNECT to a TLS front the child trusts (NODE_EXTRA_CA_CERTS).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator } from '../../emulator/index.js';
import { acceptedUrls, emulatorPerTest } from '../helpers/emulator.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { makeCertificate, startTlsFront, type Certificate, type TlsFront } from '../helpers/tls.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';
import { startIdTokenService, type IdTokenService } from '../helpers/id-token-service.js';

const AK_ID = 'test-ak-id';
const AK_SECRET = 'test-ak-secret';
const STATIC_CREDS = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const PROXY_PASSWORD = 'proxy-Pa55-w0rd';
const ROLE = {
  'role-arn': 'acs:ram::1234567890123456:role/github-cdn-prefetch',
  'oidc-provider-arn': 'acs:ram::1234567890123456:oidc-provider/github',
};
const CDN = 'cdn.proxy-only.test';
const STS = 'sts.proxy-only.test';
const TOKEN = 'token.proxy-only.test';

let certificate: Certificate;
let proxy: TestProxy;
const emulators = emulatorPerTest({ credentials: { [AK_ID]: AK_SECRET } });
let emulator: Emulator;
let front: TlsFront;
let tokens: IdTokenService;

beforeAll(async () => {
  certificate = makeCertificate([CDN, STS, TOKEN]);
  proxy = await startProxy({
    hosts: { [CDN]: '127.0.0.1', [STS]: '127.0.0.1', [TOKEN]: '127.0.0.1' },
    auth: { username: 'proxy-user-q7', password: PROXY_PASSWORD },
  });
});
afterAll(async () => {
  await proxy.close();
  certificate.remove();
});
beforeEach(async () => {
  proxy.log.length = 0;
  emulator = await emulators.start();
  front = await startTlsFront(certificate, Number(new URL(emulator.url).port));
  tokens = await startIdTokenService({ hostName: TOKEN, tls: certificate });
});
afterEach(async () => {
  await tokens.close();
  await front.close();
});

function urls(count: number): string {
  return Array.from({ length: count }, (_, i) => `https://www.example.com/proxy/${i}.html`).join('\n');
}

const httpsEndpoint = (host: string): string => `https://${host}:${front.port}`;
const accepted = (): string[] => acceptedUrls(emulator);

function run(inputs: Record<string, string>, env: Record<string, string>): Promise<ActionRun> {
  return runAction(inputs, { env: { NODE_EXTRA_CA_CERTS: certificate.certFile, ...env } });
}

describe('behind a proxy', () => {
  it('tunnels every https request (ID token, STS, CDN API) through HTTPS_PROXY with CONNECT', async () => {
    const result = await run(
      { ...ROLE, urls: urls(3), endpoint: httpsEndpoint(CDN), 'sts-endpoint': httpsEndpoint(STS) },
      { ...tokens.env, HTTPS_PROXY: proxy.url },
    );

    expect(result.exitCode).toBe(0);
    expect(accepted()).toEqual(urls(3).split('\n').sort());
    expect(tokens.requests).toEqual([{ audience: 'sts.aliyuncs.com', authorized: true }]);
    expect(new Set(proxy.log.map((entry) => entry.kind))).toEqual(new Set(['connect']));
    expect(proxy.log.every((entry) => entry.authorized)).toBe(true);
    expect(new Set(proxy.hostsSeen())).toEqual(new Set([TOKEN, STS, CDN]));
    expect(emulator.calls.map((c) => c.action)).toEqual([
      'AssumeRoleWithOIDC',
      'DescribeRefreshQuota',
      'PushObjectCache',
    ]);
    // The proxy's password is a secret too.
    expect(result.log).toContain(`::add-mask::${PROXY_PASSWORD}`);
    const rest = result.log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(rest + result.summary + JSON.stringify(result.report)).not.toContain(PROXY_PASSWORD);
  });

  it('forwards http requests through http_proxy, lower case first, with the signed Host header intact', async () => {
    const port = new URL(emulator.url).port;
    const result = await run(
      { urls: urls(2), endpoint: `http://${CDN}:${port}`, 'signature-version': 'v3' },
      // The upper-case variable names a proxy that does not exist: it must not be used.
      { ...STATIC_CREDS, http_proxy: proxy.url, HTTP_PROXY: 'http://127.0.0.1:1' },
    );

    expect(result.exitCode).toBe(0);
    expect(accepted()).toEqual(urls(2).split('\n').sort());
    expect(proxy.log.length).toBeGreaterThanOrEqual(2);
    expect(proxy.log.every((e) => e.kind === 'forward' && e.hostHeader === `${CDN}:${port}`)).toBe(true);
    expect(emulator.calls.every((c) => c.code === undefined)).toBe(true);
  });

  it('sends NO_PROXY hosts direct (space-separated, a bare domain covering its subdomains)', async () => {
    const result = await run(
      // timeout bounds the retries of a host that cannot be resolved without the proxy.
      { urls: urls(2), endpoint: httpsEndpoint(CDN), 'daily-quota': '10', timeout: '3' },
      { ...STATIC_CREDS, HTTPS_PROXY: proxy.url, NO_PROXY: 'elsewhere.test  proxy-only.test' },
    );

    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(new RegExp(`${CDN.replace(/\./g, '\\.')}:\\d+: (ENOTFOUND|EAI_AGAIN)`));
    expect(proxy.log).toEqual([]);
    expect(emulator.calls).toEqual([]);
  });

  it("sends GitHub's ID-token request direct for a NO_PROXY host too (it goes through @actions/core)", async () => {
    const result = await run(
      { ...ROLE, urls: urls(1), endpoint: httpsEndpoint(CDN), 'sts-endpoint': httpsEndpoint(STS) },
      { ...tokens.env, HTTPS_PROXY: proxy.url, no_proxy: `elsewhere.test .${TOKEN}` },
    );

    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/::error::GitHub ID token: .*(ENOTFOUND|EAI_AGAIN)/);
    expect(proxy.hostsSeen()).not.toContain(TOKEN);
    expect(tokens.requests).toEqual([]);
  });

  it('never sends loopback requests to the proxy', async () => {
    const local = await startIdTokenService();
    try {
      const result = await run(
        { ...ROLE, urls: urls(2), endpoint: emulator.url, 'sts-endpoint': emulator.url },
        { ...local.env, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
      );
      expect(result.exitCode).toBe(0);
      expect(local.requests).toHaveLength(1);
      expect(accepted()).toEqual(urls(2).split('\n').sort());
      expect(proxy.log).toEqual([]);
    } finally {
      await local.close();
    }
  });
});

describe('a proxy that refuses or drops the tunnel', () => {
  it('407 (wrong credentials): fails at once, naming HTTPS_PROXY, never its user or password', async () => {
    const wrong = proxy.url.replace(PROXY_PASSWORD, 'not-the-password');
    const result = await run(
      { urls: urls(3), endpoint: httpsEndpoint(CDN) },
      { ...STATIC_CREDS, HTTPS_PROXY: wrong },
    );

    expect(result.exitCode).toBe(1);
    expect(result.killed).toBe(false);
    // One CONNECT: no retry can help until the credentials are fixed.
    expect(proxy.log).toHaveLength(1);
    expect(result.log).toMatch(
      /::error::DescribeRefreshQuota: https:\/\/cdn\.proxy-only\.test:\d+: the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) answered 407 Proxy Authentication Required: it refused the user:password in HTTPS_PROXY/,
    );
    expect(result.report?.urls).toHaveLength(3);
    const rest = result.log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(rest + result.summary + JSON.stringify(result.report)).not.toMatch(
      /not-the-password|proxy-user-q7/,
    );
    // The hint is read as written, not cut as a URL would be.
    expect(result.log).toContain("user:password@ before the proxy's host, with @ : / ");
    expect(emulator.calls).toEqual([]);
  });

  it('closed before answering CONNECT: nothing was sent, so the call is retried, not looked up', async () => {
    const flaky = await startProxy({
      hosts: { [CDN]: '127.0.0.1' },
      // The first tunnel (PushObjectCache's: the quota is given) is dropped without a word.
      onConnect: (index) => (index === 1 ? 'close' : undefined),
    });
    try {
      const result = await run(
        { urls: urls(3), endpoint: httpsEndpoint(CDN), 'daily-quota': '100' },
        { ...STATIC_CREDS, HTTPS_PROXY: flaky.url },
      );

      expect(result.exitCode).toBe(0);
      expect(result.killed).toBe(false);
      expect(accepted()).toEqual(urls(3).split('\n').sort());
      expect(result.log).toMatch(
        /the tunnel through the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) was not opened/,
      );
      expect(result.log).not.toContain('looking the batch up');
      expect(emulator.calls.map((c) => c.action)).toEqual(['PushObjectCache']);
    } finally {
      await flaky.close();
    }
  });
});
