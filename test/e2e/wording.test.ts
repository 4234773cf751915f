/**
 * One true statement per fact, in good English, however small the run: the bundled action and CLI
 * with one URL of each kind — a first deploy under a quota of 1, the next deploy, a drain with `state`
 * alone, a dry run — never say "1 URLs" or "1 calls", never end a sentence "..", never say the quota
 * "has" what it had before this run spent it, never log a group of nothing, and say a fact once.
 */
import { describe, expect, it } from 'vitest';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { runAction, type ActionRun } from '../../emulator/harness.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { page } from '../helpers/site.js';

const AK_ID = 'wording-ak-id';
const AK_SECRET = 'wording-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const SITE = 'https://www.example.com';
const STATE = '.cdn-prefetch/state.json';

const emulators = emulatorPerTest({
  credentials: { [AK_ID]: AK_SECRET },
  taskDurationMs: 100,
  refreshTaskDurationMs: 100,
});

/** What must never be said, whatever the run. */
const SLIPS: [string, RegExp][] = [
  [
    'a singular count with a plural noun (one word may stand between: "1 refreshed URLs")',
    /(?<![\d.,])\b1 (?:[A-Za-z]+ )?(URLs|calls|tasks|files|retries|entries|hosts|polls|pages|requests|documents)\b/,
  ],
  ['a sentence ending in two full stops', /[^.]\.\.(\s|$)/m],
  ['the quota "has" what it had at the start', /quota has \d+ left/],
  ['a group of nothing', /Submitting 0 /],
  ['site-dir named in a run without one', /Those from site-dir/],
];

function slipsIn(text: string): string[] {
  return SLIPS.filter(([, pattern]) => pattern.test(text)).map(([what]) => `${what}: ${pattern(text)}`);
}

function pattern(text: string): string {
  for (const [, re] of SLIPS) {
    const found = re.exec(text);
    if (found) return JSON.stringify(text.slice(Math.max(0, found.index - 60), found.index + 60));
  }
  return '';
}

function files(version: 1 | 2): Record<string, string> {
  return {
    'public/index.html': page('Home', version === 1 ? 'welcome' : 'welcome back'),
    'public/a.html': page('A', 'a'),
  };
}

async function deploy(
  inputs: Record<string, string>,
  state?: string,
  version: 1 | 2 = 1,
): Promise<ActionRun> {
  const emulator = (await emulators.start({ preloadQuota: 1 })).url;
  return runAction(
    {
      endpoint: emulator,
      'site-dir': 'public',
      'base-url': SITE,
      state: STATE,
      'poll-interval': '1',
      ...inputs,
    },
    { env, files: { ...files(version), ...(state === undefined ? {} : { [STATE]: state }) } },
  );
}

const stateOf = async (run: ActionRun): Promise<string> =>
  (await import('node:fs/promises')).readFile(`${run.workspace}/${STATE}`, 'utf8');

describe('one URL of each kind', () => {
  it('a first deploy, the next one, and a drain under a quota of 1: no slip in the log or the summary', async () => {
    const first = await deploy({ wait: 'true' });
    expect(first.exitCode, first.log).toBe(0);
    expect(slipsIn(first.log + first.summary)).toEqual([]);
    expect(first.log).toContain('1 URL skipped: the daily prefetch quota had 1 URL left at the start.');
    // The first run's facts, once each in the summary: no state yet; the skipped URL is not carried.
    expect(first.summary.match(/there is no|No state/g)).toHaveLength(1);
    expect(first.summary.match(/not carried/g)).toHaveLength(1);
    // The quota warning is in the summary too, not only in the log.
    expect(first.summary).toContain('1 URL skipped: the daily prefetch quota had 1 URL left at the start.');

    const second = await deploy({ wait: 'true' }, await stateOf(first), 2);
    expect(second.exitCode, second.log).toBe(0);
    expect(slipsIn(second.log + second.summary)).toEqual([]);

    const drain = await deploy({ 'site-dir': '', 'base-url': '' }, await stateOf(second));
    expect(drain.exitCode, drain.log).toBe(0);
    expect(slipsIn(drain.log + drain.summary)).toEqual([]);
  });

  it('the CLI: a dry run and a run of one URL, and a refusal of the keys', async () => {
    const emulator = await emulators.start();
    const dry = await runCliBundle(['--dry-run', '--urls', `${SITE}/`, '--endpoint', emulator.url], { env });
    expect(dry.exitCode).toBe(0);
    expect(slipsIn(dry.stdout + dry.stderr)).toEqual([]);
    const sent = await runCliBundle(['--urls', `${SITE}/`, '--endpoint', emulator.url], { env });
    expect(sent.exitCode).toBe(0);
    expect(slipsIn(sent.stdout + sent.stderr)).toEqual([]);
    expect(sent.stderr).toContain('Plan: 1 URL in 1 call to 1 host');
    const refused = await runCliBundle(['--urls', `${SITE}/`, '--endpoint', emulator.url], {
      env: { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong' },
    });
    expect(refused.exitCode).toBe(1);
    // "… is not matched with our calculation." and the advice: one full stop between them.
    expect(refused.stderr).toMatch(/SignatureDoesNotMatch/);
    expect(slipsIn(refused.stdout + refused.stderr)).toEqual([]);
  });
});
