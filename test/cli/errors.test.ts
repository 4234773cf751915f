/**
 * The CLI's configuration errors (exit 2): every mistake in one message, values before credentials,
 * and the command-line hint chosen by the input an error is about, never by its wording.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli({ argv, env, cwd: process.cwd(), stdin, stdout, stderr, version: '0.0.0' });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const HINT =
  'On the command line: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
  '(and ALIBABA_CLOUD_SECURITY_TOKEN with STS credentials), or plan without them with --dry-run.';

describe('the CLI reports every configuration error at once', () => {
  it('--area mars with no credentials: the bad --area and the missing credentials, with the hint', async () => {
    const run = await cli(['--urls', 'https://www.example.com/', '--area', 'mars']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Configuration error: 2 problems to fix:\n' +
        '  - area: "mars" must be one of domestic, overseas\n' +
        '  - credentials: no AccessKey found. Set role-arn and oidc-provider-arn to assume a RAM role with the ' +
        "job's GitHub OIDC token (no long-lived key), or the inputs access-key-id and access-key-secret, or the " +
        'environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (for example with ' +
        'aliyun/configure-aliyun-credentials-action), or use dry-run: true to plan without sending.\n' +
        `${HINT}\n`,
    );
    expect(run.stdout).toBe('');
  });

  it('the hint follows the input an error is about, not its wording', async () => {
    const run = await cli(['--urls', 'https://www.example.com/', '--batch-size', '0'], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Configuration error: 2 problems to fix:\n' +
        '  - batch-size: "0" must be a whole number from 1 to 100\n' +
        '  - credentials: access-key-secret (or ALIBABA_CLOUD_ACCESS_KEY_SECRET) is not set; both the key id and its secret are needed.\n' +
        `${HINT}\n`,
    );
    const alone = await cli(['--urls', 'https://www.example.com/', '--batch-size', '0', '--dry-run']);
    expect(alone.stderr).toBe('Configuration error: batch-size: "0" must be a whole number from 1 to 100\n');
  });

  it('save-sitemap beside --urls and a path that would overwrite the sitemap: both', async () => {
    const run = await cli([
      '--sitemap',
      'sitemap.xml',
      '--save-sitemap',
      './sitemap.xml',
      '--urls',
      'https://www.example.com/',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('2 problems to fix:');
    expect(run.stderr).toContain('  - save-sitemap: "./sitemap.xml" is the sitemap itself');
    expect(run.stderr).toContain(
      '  - save-sitemap only saves the sitemap and sends nothing, so urls would never be sent',
    );
  });

  it('an endpoint with a password: exit 2, the password never printed', async () => {
    const run = await cli([
      '--dry-run',
      '--urls',
      'https://www.example.com/',
      '--endpoint',
      'https://u:pw-9f8e7d@cdn.example.com',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('endpoint: a user name or password in the URL is never used');
    expect(run.stderr + run.stdout).not.toContain('pw-9f8e7d');
  });
});
