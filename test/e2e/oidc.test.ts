/**
 * role-arn through the bundled action: GitHub's ID token (a local stand-in) exchanged with the
 * emulator's AssumeRoleWithOIDC, which then accepts only the STS credentials it issued.
 */
import { describe, expect, type TestContext } from 'vitest';
import { type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { acceptedUrls, concurrentTest, type StartEmulator } from '../helpers/emulator.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';
import { startIdTokenService, type IdTokenService } from '../helpers/id-token-service.js';

const ROLE_ARN = 'acs:ram::1234567890123456:role/github-cdn-prefetch';
const PROVIDER_ARN = 'acs:ram::1234567890123456:oidc-provider/github';

const it = concurrentTest();

function audienceOf(jwt: string): unknown {
  const payload = jwt.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: unknown }).aud;
}

/** A test's own servers: its emulators, and whatever it closes when it ends. */
interface Own {
  start: StartEmulator;
  onTestFinished: TestContext['onTestFinished'];
}

/** The test's emulator and ID-token stand-in. */
interface Role {
  emulator: Emulator;
  tokens: IdTokenService;
}

/**
 * An emulator with no permanent AccessKey at all (only issued STS credentials can sign), whose STS
 * trusts exactly the tokens the ID-token stand-in handed out, for the audience sts.aliyuncs.com.
 */
async function setUp(
  { start, onTestFinished }: Own,
  sts: Partial<NonNullable<EmulatorOptions['sts']>> = {},
  options: EmulatorOptions = {},
): Promise<Role> {
  const tokens = await startIdTokenService();
  onTestFinished(() => tokens.close());
  const issued = tokens.issued;
  const emulator = await start({
    credentials: {},
    sts: {
      acceptOidcToken: (jwt) =>
        !issued.includes(jwt)
          ? 'AuthenticationFail.OIDCToken.Invalid'
          : audienceOf(jwt) === 'sts.aliyuncs.com' || 'AuthenticationFail.OIDCToken.AudienceNotMatch',
      ...sts,
    },
    ...options,
  });
  return { emulator, tokens };
}

function urls(count: number, prefix = 'oidc'): string {
  return Array.from({ length: count }, (_, i) => `https://www.example.com/${prefix}/${i}.html`).join('\n');
}

function runWithRole(
  { emulator, tokens }: Role,
  inputs: Record<string, string>,
  env: Record<string, string> = tokens.env,
): Promise<ActionRun> {
  return runAction(
    {
      'role-arn': ROLE_ARN,
      'oidc-provider-arn': PROVIDER_ARN,
      endpoint: emulator.url,
      'sts-endpoint': emulator.url,
      ...inputs,
    },
    { env: { GITHUB_RUN_ID: '4242', ...env } },
  );
}

const stsCalls = (em: Emulator) => em.calls.filter((c) => c.action === 'AssumeRoleWithOIDC');
const cdnCalls = (em: Emulator) => em.calls.filter((c) => c.action !== 'AssumeRoleWithOIDC');
const pushCalls = (em: Emulator) => em.calls.filter((c) => c.action === 'PushObjectCache');

/** Each secret is masked with ::add-mask:: and appears nowhere else: log, outputs, summary, report. */
function expectMasked(result: ActionRun, secrets: string[]): void {
  const rest = result.log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  for (const secret of secrets) {
    expect(result.log).toContain(`::add-mask::${secret}`);
    expect(rest).not.toContain(secret);
    expect(JSON.stringify(result.outputs)).not.toContain(secret);
    expect(result.summary).not.toContain(secret);
    expect(JSON.stringify(result.report ?? {})).not.toContain(secret);
  }
}

describe('role-arn', () => {
  it("assumes the role with the job's OIDC token and signs every call with the issued credentials only", async ({
    start,
    onTestFinished,
  }) => {
    const role = await setUp({ start, onTestFinished });
    const { emulator: em, tokens: ids } = role;
    const result = await runWithRole(
      role,
      { urls: urls(3) },
      // Long-lived keys in the environment are not used when role-arn is set (the emulator knows none).
      {
        ...ids.env,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-not-used',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-used',
      },
    );

    expect(result.exitCode).toBe(0);
    expect(result.outputs['submitted-count']).toBe('3');
    expect(ids.requests).toEqual([{ audience: 'sts.aliyuncs.com', authorized: true }]);
    const [exchange] = stsCalls(em);
    expect(exchange?.signatureVersion).toBe('none');
    expect(exchange?.params).toMatchObject({
      RoleArn: ROLE_ARN,
      OIDCProviderArn: PROVIDER_ARN,
      OIDCToken: ids.issued[0],
      RoleSessionName: 'cdn-prefetch-4242',
      DurationSeconds: '900',
    });
    const [issued] = em.issuedStsCredentials;
    expect(em.issuedStsCredentials).toHaveLength(1);
    expect(cdnCalls(em).map((c) => [c.action, c.code, c.accessKeyId])).toEqual([
      ['DescribeRefreshQuota', undefined, issued?.accessKeyId],
      ['PushObjectCache', undefined, issued?.accessKeyId],
    ]);
    expect(em.acceptedPrefetches()).toHaveLength(3);
    expect(result.log).toContain(`Assumed ${ROLE_ARN} as cdn-prefetch-4242`);
    expectMasked(result, [
      ids.issued[0] ?? 'missing',
      issued?.accessKeyId ?? 'missing',
      issued?.accessKeySecret ?? 'missing',
      issued?.securityToken ?? 'missing',
    ]);
  });

  it('asks GitHub for the audience input, and an STS refusal names its code and the usual cause', async ({
    start,
    onTestFinished,
  }) => {
    const role = await setUp({ start, onTestFinished });
    const { emulator: em, tokens: ids } = role;
    const result = await runWithRole(role, {
      urls: urls(2),
      audience: 'my-custom-audience',
      'role-session-name': 'deploy.42',
    });

    expect(ids.requests.map((r) => r.audience)).toEqual(['my-custom-audience']);
    expect(stsCalls(em)[0]?.params['RoleSessionName']).toBe('deploy.42');
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(
      /::error::AssumeRoleWithOIDC: AuthenticationFail\.OIDCToken\.AudienceNotMatch: .*Check that the OIDC provider's client ID list must contain the audience "my-custom-audience"/,
    );
    expect(cdnCalls(em)).toEqual([]);
  });

  it("names the role's trust policy when STS answers NoPermission", async ({ start, onTestFinished }) => {
    const role = await setUp(
      { start, onTestFinished },
      { acceptOidcToken: () => 'AuthenticationFail.NoPermission' },
    );
    const em = role.emulator;
    const result = await runWithRole(role, { urls: urls(1) });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(
      /::error::AssumeRoleWithOIDC: AuthenticationFail\.NoPermission: .*trust policy must allow/,
    );
    expect(result.log).toContain('oidc:aud "sts.aliyuncs.com"');
    // The claims the trust policy's conditions test, as this job's token has them.
    expect(result.log).toContain(
      `This job's token has oidc:iss "https://token.actions.githubusercontent.com", oidc:aud "sts.aliyuncs.com", ` +
        'oidc:sub "repo:acme/site:ref:refs/heads/main".',
    );
    expect(cdnCalls(em)).toEqual([]);
  });

  it('without permissions: id-token: write, fails naming the lines to add and sends nothing', async ({
    start,
    onTestFinished,
  }) => {
    const role = await setUp({ start, onTestFinished });
    const { emulator: em, tokens: ids } = role;
    const result = await runWithRole(role, { urls: urls(2) }, {});
    expect(result.exitCode).toBe(1);
    // Workflow commands escape line breaks as %0A.
    expect(result.log).toContain('permissions:%0A  id-token: write%0A  contents: read');
    expect(result.log).toMatch(
      /::error::Configuration error: role-arn is set, but this job cannot ask GitHub for an OIDC token/,
    );
    expect(em.calls).toEqual([]);
    expect(ids.requests).toEqual([]);
  });

  it('a dry run without the permission warns and plans without credentials', async ({
    start,
    onTestFinished,
  }) => {
    const role = await setUp({ start, onTestFinished });
    const em = role.emulator;
    const result = await runWithRole(role, { urls: urls(3), 'dry-run': 'true' }, {});
    expect(result.exitCode).toBe(0);
    expect(result.log).toMatch(
      /::warning::role-arn is set, but this job cannot ask GitHub for an OIDC token.*This dry run goes on without credentials/,
    );
    expect(result.outputs['planned-count']).toBe('3');
    expect(em.calls).toEqual([]);
  });

  it('renews the credentials ahead of their expiry during a long run, each time with a fresh ID token', async ({
    start,
    onTestFinished,
  }) => {
    // STS issues credentials that live 4 s: the run (7 calls at 1 call/s) outlives several sets.
    const role = await setUp({ start, onTestFinished }, { durationSeconds: 4 });
    const { emulator: em, tokens: ids } = role;
    const result = await runWithRole(role, { urls: urls(6), 'batch-size': '1', 'requests-per-second': '1' });

    expect(result.exitCode).toBe(0);
    expect(em.acceptedPrefetches()).toHaveLength(6);
    const issued = em.issuedStsCredentials;
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(ids.issued).toHaveLength(issued.length);
    // Every renewal came before the previous credentials expired: none was forced by a refusal.
    stsCalls(em)
      .slice(1)
      .forEach((call, i) => expect(call.arrivedAt).toBeLessThan(issued[i]?.expiresAt ?? 0));
    expect(cdnCalls(em).filter((c) => c.code !== undefined)).toEqual([]);
    for (const call of cdnCalls(em)) {
      const used = issued.find((c) => c.accessKeyId === call.accessKeyId);
      expect(used?.expiresAt).toBeGreaterThan(call.arrivedAt);
    }
    expect(result.log).toMatch(/Assumed .* again \(the credentials were expiring\)/);
    expectMasked(result, [
      ...ids.issued,
      ...issued.flatMap((c) => [c.accessKeyId, c.accessKeySecret, c.securityToken]),
    ]);
  });

  it('when a call is refused with InvalidSecurityToken.Expired, re-assumes once and sends it again', async ({
    start,
    onTestFinished,
  }) => {
    const role = await setUp({ start, onTestFinished });
    const em = role.emulator;
    // The second PushObjectCache finds the credentials it is signed with expired (for good).
    em.injectFaults({ kind: 'sts-token-expired', nth: 2 });
    const result = await runWithRole(role, { urls: urls(3), 'batch-size': '1' });

    expect(result.exitCode).toBe(0);
    expect(stsCalls(em)).toHaveLength(2);
    const [first, second] = em.issuedStsCredentials;
    const pushes = pushCalls(em);
    expect(pushes.filter((c) => c.code === 'InvalidSecurityToken.Expired').length).toBeGreaterThanOrEqual(1);
    expect(pushes.filter((c) => c.code !== undefined && c.code !== 'InvalidSecurityToken.Expired')).toEqual(
      [],
    );
    const after = pushes.slice(pushes.findIndex((c) => c.fault === 'sts-token-expired') + 1);
    expect(after.every((c) => c.accessKeyId === second?.accessKeyId || c.code !== undefined)).toBe(true);
    expect(pushes.some((c) => c.accessKeyId === second?.accessKeyId)).toBe(true);
    expect(second?.accessKeyId).not.toBe(first?.accessKeyId);
    // Each URL accepted exactly once.
    expect(acceptedUrls(em)).toEqual(urls(3).split('\n').sort());
    expect(result.log).toMatch(/Assumed .* again \(the credentials were refused as expired\)/);
  });

  it('never loops: when the renewed credentials are refused as expired too, the run stops', async ({
    start,
    onTestFinished,
  }) => {
    const role = await setUp({ start, onTestFinished });
    const em = role.emulator;
    em.injectFaults({ kind: 'sts-token-expired', times: 100 });
    const result = await runWithRole(role, { urls: urls(1) });

    expect(result.exitCode).toBe(1);
    expect(stsCalls(em)).toHaveLength(2);
    expect(pushCalls(em).map((c) => c.code)).toEqual([
      'InvalidSecurityToken.Expired',
      'InvalidSecurityToken.Expired',
    ]);
    expect(result.log).toMatch(
      /InvalidSecurityToken\.Expired.*again, with credentials renewed just now.*runner's clock/,
    );
    expect(result.outputs['failed-count']).toBe('1');
  });
});

describe('fixed STS credentials', () => {
  it('that have expired stop the run at once, saying how to get credentials that last', async ({
    emulator,
  }) => {
    const sts = emulator.issueStsCredentials({ expiresInMs: -1000 });
    const result = await runAction(
      { urls: urls(2), endpoint: emulator.url },
      {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: sts.securityToken,
        },
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(
      /::error::DescribeRefreshQuota: InvalidSecurityToken\.Expired.*cannot be renewed by cdn-prefetch.*set role-arn/,
    );
    expect(emulator.calls.map((c) => c.action)).toEqual(['DescribeRefreshQuota']);
  });
});
