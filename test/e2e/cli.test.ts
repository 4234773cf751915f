/**
 * The bundled CLI (dist/cli.js) run as a person or a script runs it, against the emulator: flags,
 * standard input, --json, exit codes, progress lines, cancellation, and running with nothing installed.
 */
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { parseActionYaml } from '../../scripts/docs.js';
import { NOT_FLAGS } from '../../src/cli/flags.js';
import { type Emulator } from '../../emulator/index.js';
import { acceptedUrls, concurrentTest } from '../helpers/emulator.js';
import { CLI_BUNDLE, runCliBundle, type CliRun } from '../../emulator/cli-harness.js';
import { ROOT, runAction, type ReportUrl } from '../../emulator/harness.js';

const AK_ID = 'cli-ak-id';
const AK_SECRET = 'cli-ak-secret-value';
const creds = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };

interface Report {
  dryRun: boolean;
  counts: { submitted: number; skipped: number; failed: number; planned: number; total: number };
  taskIds: string[];
  requestIds: string[];
  quotaRemain?: number;
  urls: ReportUrl[];
}

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

function cli(
  emulator: Emulator,
  args: string[],
  options: Parameters<typeof runCliBundle>[1] = {},
): Promise<CliRun> {
  return runCliBundle(['--endpoint', emulator.url, ...args], { env: creds, ...options });
}

function urlsOn(host: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `https://${host}/c/${i}.html`);
}

function pushCalls(emulator: Emulator): number {
  return emulator.calls.filter((call) => call.action === 'PushObjectCache').length;
}

function json(run: CliRun): Report {
  return JSON.parse(run.stdout) as Report;
}

describe('flags', () => {
  it('--help lists every input of action.yml as a flag with its default, but no secret and nothing GitHub-only', async () => {
    const run = await runCliBundle(['--help']);
    expect(run.exitCode).toBe(0);
    const action = parseActionYaml(await readFile(path.join(ROOT, 'action.yml'), 'utf8'));
    const help = run.stdout.replace(/\s+/g, ' ');
    for (const input of action.inputs) {
      if (input.name in NOT_FLAGS) {
        expect(run.stdout).not.toMatch(new RegExp(`--${input.name}\\b`));
        continue;
      }
      expect(run.stdout).toMatch(new RegExp(`^  --${input.name}\\b`, 'm'));
      if (input.default !== '') expect(help).toContain(`(default: ${input.default})`);
    }
    expect(run.stdout).toContain('--json');
    expect(run.stdout).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*\b2\b\s+usage or configuration error/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runCliBundle(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it.for([
    [['--bach-size', '10'], /unknown flag --bach-size; did you mean --batch-size\?/],
    [['--urls-file'], /--urls-file needs a value/],
    [['--dry-run', 'yes'], /--dry-run is a switch/],
    [['--batch-size', '10', '--batch-size', '20'], /--batch-size is given twice/],
    [
      ['--role-arn', 'acs:ram::1:role/x'],
      /--role-arn is not a flag .*GitHub OIDC exists only inside GitHub Actions/,
    ],
  ] as const)(
    '%j is a usage error: exit 2, a message naming the fix, nothing sent',
    async ([args, message], { emulator }) => {
      const run = await cli(emulator, ['--urls', 'https://www.example.com/', ...args]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain("Run 'cdn-prefetch --help'");
      expect(emulator.calls).toHaveLength(0);
    },
  );

  it('refuses the secret as a flag, points at the variable, and never echoes the value', async ({
    emulator,
  }) => {
    const run = await cli(emulator, [
      '--urls',
      'https://www.example.com/',
      '--access-key-secret',
      'typed-secret-1234',
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('set the ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variable instead');
    expect(run.stdout + run.stderr).not.toContain('typed-secret-1234');
  });

  it("a wrong value gets the action's message, naming the flag, and exit 2", async ({ emulator }) => {
    const run = await cli(emulator, ['--urls', 'https://www.example.com/', '--batch-size', '0']);
    const action = await runAction({ urls: 'https://www.example.com/', 'batch-size': '0' }, { env: creds });
    const message = 'batch-size: "0" must be a whole number from 1 to 100';
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`Configuration error: --${message}`);
    expect(action.exitCode).toBe(1);
    expect(action.log).toContain(`Configuration error: ${message}`);
    expect(emulator.calls).toHaveLength(0);
  });

  it('without credentials and without --dry-run: exit 2, saying which variables to set', async ({
    emulator,
  }) => {
    const run = await runCliBundle(['--urls', 'https://www.example.com/', '--endpoint', emulator.url]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Configuration error: credentials: no AccessKey found');
    expect(run.stderr).toContain('Export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(emulator.calls).toHaveLength(0);
  });

  it('an unreadable --urls-file is a configuration error naming it', async ({ emulator }) => {
    const run = await cli(emulator, ['--urls-file', 'missing.txt']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      `Configuration error: --urls-file: cannot read "missing.txt" (no such file; the path resolves to ${run.cwd}/missing.txt)`,
    );
  });
});

describe('a run', () => {
  it('--dry-run --urls-file plans against the emulator: the quota is read, nothing is sent', async ({
    emulator,
  }) => {
    const urls = [...urlsOn('www.example.com', 150), ...urlsOn('static.example.com', 5), '/rel'];
    const run = await cli(
      emulator,
      ['--dry-run', '--urls-file', 'urls.txt', '--base-url', 'https://www.example.com'],
      {
        files: { 'urls.txt': urls.join('\n') },
      },
    );
    expect(run.exitCode).toBe(0);
    expect(emulator.calls.map((call) => call.action)).toEqual(['DescribeRefreshQuota']);
    expect(run.stderr).toContain('Plan: 156 URLs in 3 calls to 2 hosts');
    // Every planned URL, one a line, in the order it would be sent, with where it came from.
    expect(run.stdout).toContain(
      'Plan (dry run: nothing was sent): 156 URLs, in the order they would be sent',
    );
    const lines = run.stdout.split('\n').filter((line) => /^ +\d+ {2}https:\/\//.test(line));
    expect(lines.map((line) => line.trim().split(/\s+/)[1])).toEqual([
      ...urls.slice(0, 155),
      'https://www.example.com/rel',
    ]);
    expect(lines[0]).toBe('    1  https://www.example.com/c/0.html  listed · urls-file urls.txt: line 1');
    expect(run.stdout).toMatch(/planned\s+156/);
  });

  it('--report FILE writes the report the action writes, secrets kept out, beside the closing table', async ({
    emulator,
  }) => {
    const urls = urlsOn('www.example.com', 3);
    const run = await cli(emulator, ['--urls', urls.join('\n'), '--report', 'out/report.json']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/submitted\s+3/);
    const text = await readFile(path.join(run.cwd, 'out/report.json'), 'utf8');
    expect(text).not.toContain(AK_SECRET);
    const report = JSON.parse(text) as Report;
    expect(report.counts).toEqual({ submitted: 3, skipped: 0, failed: 0, planned: 0, total: 3 });
    expect(report.urls.map((u) => u.url)).toEqual(urls);
    expect(report.urls.every((u) => u.taskId)).toBe(true);
  });

  it('--report to a path that cannot be written: said, and exit 1 though every URL was sent', async ({
    emulator,
  }) => {
    const run = await cli(
      emulator,
      ['--urls', urlsOn('www.example.com', 1)[0]!, '--report', 'taken/report.json'],
      {
        files: { taken: 'a file, not a folder' },
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/submitted\s+1/);
    expect(run.stderr).toMatch(/^--report: cannot write .*taken\/report\.json: /m);
  });

  it('--dry-run works with no credentials at all, and calls nothing', async ({ emulator }) => {
    const run = await runCliBundle([
      '--dry-run',
      '--urls',
      'https://www.example.com/',
      '--endpoint',
      emulator.url,
    ]);
    expect(run.exitCode).toBe(0);
    expect(emulator.calls).toHaveLength(0);
    expect(run.stdout).toMatch(/planned\s+1/);
  });

  it('sends repeated --urls, prints progress lines when not on a terminal, and closes with tasks and counts', async ({
    emulator,
  }) => {
    const urls = [...urlsOn('www.example.com', 30), ...urlsOn('static.example.com', 3)];
    const run = await cli(emulator, [...urls.flatMap((url) => ['--urls', url]), '--batch-size', '10']);
    expect(run.exitCode).toBe(0);
    expect(acceptedUrls(emulator)).toEqual([...urls].sort());
    // Progress: plain lines, ending at the total.
    expect(run.stderr).toMatch(/^Submitting: \d+\/33 URLs \(\d+%\)$/m);
    expect(run.stderr).toMatch(/^Submitting: 33\/33 URLs \(100%\)$/m);
    expect(run.stderr).not.toContain('\u001b[');
    // The closing table: every task with its host and URL count, then the counts.
    const taskIds = new Set(emulator.acceptedPrefetches().map((a) => a.taskId));
    for (const id of taskIds)
      expect(run.stdout).toMatch(new RegExp(`^  ${id}\\s+(www|static)\\.example\\.com\\s+\\d+$`, 'm'));
    expect(run.stdout).toMatch(/submitted\s+33/);
    expect(run.stdout).toMatch(/failed\s+0/);
  });

  it('--urls-file - reads standard input; bad lines are named by their line', async ({ emulator }) => {
    const stdin = ['https://www.example.com/a', 'ftp://nope', '# comment', 'www.example.com/b', ''].join(
      '\n',
    );
    const run = await cli(emulator, ['--urls-file', '-', '--json'], { stdin });
    expect(run.exitCode).toBe(1);
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual([
      'https://www.example.com/a',
      'https://www.example.com/b',
    ]);
    const report = json(run);
    expect(report.urls.find((u) => u.url === 'ftp://nope')?.reason).toBe(
      'urls-file (standard input): line 2 "ftp://nope" is not an http(s) URL',
    );
  });

  it("--json prints the action's report on stdout, and only that; the log goes to stderr", async ({
    emulator,
  }) => {
    const urls = urlsOn('www.example.com', 12);
    const run = await cli(emulator, ['--urls', urls.join('\n'), '--json']);
    expect(run.exitCode).toBe(0);
    const report = json(run);
    expect(report.counts).toEqual({ submitted: 12, skipped: 0, failed: 0, planned: 0, total: 12 });
    expect(report.urls.map((u) => u.url)).toEqual(urls);
    expect(report.taskIds).toEqual([...new Set(emulator.acceptedPrefetches().map((a) => a.taskId))]);
    expect(run.stderr).toContain('Plan: 12 URLs in 1 call to 1 host');
    // The same document as the action's report file, field for field.
    const action = await runAction({ endpoint: emulator.url, urls: urls.join('\n') }, { env: creds });
    expect(Object.keys(report)).toEqual(Object.keys(action.report ?? {}));
    expect(Object.keys(report.urls[0] ?? {})).toEqual(Object.keys(action.report?.urls[0] ?? {}));
  });
});

describe('exit codes', () => {
  it('1 when a URL failed (fail-on: error), 0 with --fail-on never', async ({ emulator }) => {
    const urls = ['https://www.example.com/ok', 'javascript:alert(1)'];
    const strict = await cli(emulator, ['--urls', urls.join('\n')]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toMatch(/^1 of 2 URLs failed\.$/m);
    expect(strict.stdout).toMatch(/Failed \(1\)/);
    const lenient = await cli(emulator, ['--urls', urls.join('\n'), '--fail-on', 'never']);
    expect(lenient.exitCode).toBe(0);
  });

  it('quota skips: 0 by default, 1 with --fail-on skipped', async ({ start }) => {
    const emulator = await start({ preloadQuota: 3 });
    const urls = urlsOn('www.example.com', 5).join('\n');
    const lenient = await cli(emulator, ['--urls', urls]);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toMatch(/skipped\s+2/);
    emulator.setPreloadRemain(3);
    const strict = await cli(emulator, ['--urls', urls, '--fail-on', 'skipped']);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain('2 URLs were skipped for lack of quota (fail-on: skipped).');
  });

  it('1 when the API refuses the credentials; the secret never appears', async ({ emulator }) => {
    const run = await runCliBundle(
      ['--endpoint', emulator.url, '--urls', 'https://www.example.com/', '--json'],
      {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-value' },
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout + run.stderr).toContain('SignatureDoesNotMatch');
    expect(run.stdout + run.stderr).not.toContain('wrong-secret-value');
    expect(emulator.acceptedPrefetches()).toHaveLength(0);
  });

  it('130 on Ctrl-C mid-run: sending stops, and every URL is still reported', async ({ emulator }) => {
    const urls = urlsOn('www.example.com', 40);
    const run = await cli(
      emulator,
      ['--urls', urls.join('\n'), '--batch-size', '1', '--requests-per-second', '1', '--json'],
      { signals: [{ signal: 'SIGINT', when: () => pushCalls(emulator) >= 2 }] },
    );
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('SIGINT: cancelling');
    const report = json(run);
    expect(report.urls).toHaveLength(40);
    const submitted = report.urls.filter((u) => u.status === 'submitted').map((u) => u.url);
    expect(submitted.sort()).toEqual(acceptedUrls(emulator));
    const cancelled = report.urls.filter(
      (u) => u.reason === 'cancelled: not sent before the run was cancelled',
    );
    expect(cancelled.length).toBeGreaterThan(0);
    expect(submitted.length + cancelled.length).toBe(40);
  });
});

describe('the bundle', () => {
  it('runs alone: dist/cli.js copied where there is no node_modules', async ({ emulator, tempDir }) => {
    const bare = tempDir();
    await copyFile(CLI_BUNDLE, path.join(bare, 'cli.js'));
    await copyFile(path.join(ROOT, 'dist/package.json'), path.join(bare, 'package.json'));
    const run = await cli(emulator, ['--urls', 'https://www.example.com/solo', '--json'], {
      bundle: path.join(bare, 'cli.js'),
    });
    expect(run.exitCode).toBe(0);
    expect(json(run).counts.submitted).toBe(1);
  });

  it("is executable, starts with a shebang, and is package.json's bin", async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['cdn-prefetch']).toBe('dist/cli.js');
    expect((await readFile(CLI_BUNDLE, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(CLI_BUNDLE)).mode & 0o111).not.toBe(0);
  });
});
