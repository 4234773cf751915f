/**
 * Hostile trees and damaged states through a whole run (runPrefetch against the emulator, issue 21):
 * a `state` naming another file is refused before anything is read or sent; a damaged or foreign
 * state is kept aside and what the quota cuts is carried; a state that can never be written fails the
 * step after sending; a timeout while the site is hashed fails the run like a sitemap not read; and
 * the quota warning, the first-run notice and `carried-count` say the same thing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { MemoryLogger } from '../helpers/logger.js';
import { actionOutputs } from '../../src/report/outputs.js';
import { verdict } from '../../src/report/verdict.js';
import { runPrefetch } from '../../src/run.js';
import { emulatorPerTest } from '../helpers/emulator.js';
import { configFrom, TEST_CREDENTIALS } from '../helpers/inputs.js';
import { BASE, page, tempDir, writeSite } from '../helpers/site.js';

const emulator = emulatorPerTest({
  credentials: { [TEST_CREDENTIALS.accessKeyId]: TEST_CREDENTIALS.accessKeySecret },
});
const STATE = '.cdn-prefetch/state.json';

/** 12 pages; `edited` of them with new text. */
function site(edited: readonly number[] = []): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 12; i++) files[`p/${i}/index.html`] = page(`P${i}`, edited.includes(i) ? 'v2' : 'v1');
  return files;
}

async function run(workspace: string, inputs: Record<string, string> = {}) {
  const emu = emulator.current ?? (await emulator.start());
  const config = configFrom(
    {
      endpoint: emu.url,
      'base-url': BASE,
      'site-dir': 'public',
      state: STATE,
      'daily-quota': '1000',
      // The refresh wait polls first after one interval: 1 s, not the default 10 s.
      'poll-interval': '1',
      ...inputs,
    },
    { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: workspace },
    TEST_CREDENTIALS,
  );
  const logger = new MemoryLogger();
  const result = await runPrefetch(config, { logger });
  return { result, logger, config };
}

function stateText(workspace: string): string {
  return readFileSync(path.join(workspace, STATE), 'utf8');
}

describe('state names a file that is not a state', () => {
  it.each([['README.md'], ['public/p/0/index.html']])(
    'state: %s is a configuration error naming state; the file is left as it is and nothing is sent',
    async (state) => {
      const workspace = tempDir();
      writeSite(path.join(workspace, 'public'), site());
      writeFileSync(path.join(workspace, 'README.md'), '# The site\n');
      const before = readFileSync(path.join(workspace, state), 'utf8');
      const error = await run(workspace, { state }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).input).toBe('state');
      expect((error as Error).message).toMatch(
        new RegExp(
          `^state: "${state}" \\(.*\\) is a file that is not a cdn-prefetch state .* neither read nor replaced`,
        ),
      );
      expect(readFileSync(path.join(workspace, state), 'utf8')).toBe(before);
      expect(emulator.current!.calls).toHaveLength(0);
    },
  );
});

describe('a state path that is a folder', () => {
  it('the run sends, then fails the step naming state; a dry run does not fail', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    mkdirSync(path.join(workspace, STATE), { recursive: true });
    const { result, logger, config } = await run(workspace);
    expect(result.counts.submitted).toBe(12);
    expect(logger.messages('warning')[0]).toMatch(
      /^state: \.cdn-prefetch\/state\.json cannot be used: it is a folder/,
    );
    expect(result.fatal).toMatch(
      /^state: could not write \.cdn-prefetch\/state\.json \(it is a folder, not a file\)/,
    );
    expect(verdict(result, config.failOn)?.reason).toBe(result.fatal);
    expect(result.site).toMatchObject({ stateWritten: false });
    const dry = await run(workspace, { 'dry-run': 'true' });
    expect(dry.result.fatal).toBeUndefined();
    expect(verdict(dry.result, dry.config.failOn)).toBeUndefined();
  });
});

describe('a damaged or foreign state', () => {
  it.each([
    ['cut short', (text: string) => text.slice(0, Math.floor(text.length * 0.7))],
    [
      'written for another base-url',
      (text: string) => text.replace(`"${BASE}/"`, '"https://old.example.com/"'),
    ],
  ])(
    '%s: a warning that says so, the file kept aside, and the edits warmed within ⌈n/quota⌉ runs',
    async (_name, damage) => {
      const workspace = tempDir();
      writeSite(path.join(workspace, 'public'), site());
      await run(workspace);
      const damaged = damage(stateText(workspace));
      writeFileSync(path.join(workspace, STATE), damaged);
      writeSite(path.join(workspace, 'public'), site([2, 7, 11]));
      const { result, logger } = await run(workspace, { 'daily-quota': '5' });
      expect(logger.messages('warning')).toContainEqual(expect.stringMatching(/This is not a first deploy/));
      expect(logger.messages('notice').join('\n')).not.toMatch(/first run|no previous state|there is no/);
      expect(logger.messages('warning')).toContainEqual(
        expect.stringMatching(/7 URLs skipped: .*Those from site-dir are carried in the state/),
      );
      // Kept aside, byte for byte; a new state in its place.
      const aside = readdirSync(path.join(workspace, '.cdn-prefetch')).filter((n) => n !== 'state.json');
      expect(aside).toEqual([
        expect.stringMatching(/^state\.json\.unusable-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/),
      ]);
      expect(readFileSync(path.join(workspace, '.cdn-prefetch', aside[0]!), 'utf8')).toBe(damaged);
      expect(JSON.parse(stateText(workspace)).carried).toHaveLength(7);
      expect(actionOutputs(result, 'r.json')['carried-count']).toBe('7');
      expect(result.site).toMatchObject({ leftCold: 0, carriedOut: 7 });
      // The edited pages: warmed this run or by the next ones, with no change of the site.
      await run(workspace, { 'daily-quota': '5' });
      await run(workspace, { 'daily-quota': '5' });
      const warmed = emulator.current!.acceptedPrefetches().map((a) => a.url);
      for (const i of [2, 7, 11]) expect(warmed).toContain(`${BASE}/p/${i}/`);
      expect(JSON.parse(stateText(workspace)).carried).toHaveLength(0);
    },
  );
});

describe('the run stops while the site is hashed', () => {
  it('the timeout fails the run like a sitemap not read: the site says not read, the state is left as it was', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    await run(workspace);
    const before = stateText(workspace);
    // Each file keeps a reader on the pattern for about a second (quadratic on one long line).
    const slow: Record<string, string> = {};
    for (let i = 0; i < 12; i++) slow[`bundle-${i}.js`] = 'Build '.repeat(4_000);
    writeSite(path.join(workspace, 'public'), { ...site([1]), ...slow });
    const started = performance.now();
    const { result, logger, config } = await run(workspace, {
      timeout: '1',
      'content-ignore': '.*Build Date.*',
    });
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(result.site?.notRead).toBe('the run reached its timeout first');
    expect(result.stopped).toBe('deadline');
    expect(verdict(result, config.failOn)?.reason).toBe(
      'site-dir was not read: the run reached its timeout first',
    );
    expect(logger.messages('warning')).toContainEqual(
      'No URLs to prefetch: site-dir public was not read (the run reached its timeout first). Nothing was sent.',
    );
    expect(logger.messages('warning').join('\n')).not.toMatch(/every source was empty/);
    expect(stateText(workspace)).toBe(before);
  });
});

describe('one true statement about the URLs the quota cuts', () => {
  it('a first run carries none and says so once; the next run carries and says so; a dry run promises nothing', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), site());
    const first = await run(workspace, { 'daily-quota': '5' });
    // The warning says what was skipped (and that the quota had 5 when the run began, not now); the
    // first run's notice alone says they are not carried.
    expect(first.logger.messages('warning')).toContainEqual(
      '7 URLs skipped: the daily prefetch quota had 5 URLs left at the start. All are listed in the report.',
    );
    expect(first.logger.messages('warning').join('\n')).not.toMatch(/carried/);
    const notCarried = [...first.logger.messages('notice'), ...first.logger.messages('warning')].filter(
      (message) => /not carried/.test(message),
    );
    expect(notCarried).toEqual([
      expect.stringMatching(/^state: 7 URLs of site-dir were not warmed in this first run .* not carried/),
    ]);
    expect(actionOutputs(first.result, 'r.json')['carried-count']).toBe('0');

    writeSite(path.join(workspace, 'public'), site([...Array(12).keys()]));
    const dry = await run(workspace, { 'daily-quota': '5', 'dry-run': 'true' });
    expect(dry.logger.messages('warning')).toContainEqual(
      expect.stringMatching(/^7 URLs skipped: .*They are listed in the report; run again tomorrow/),
    );
    expect(actionOutputs(dry.result, 'r.json')['carried-count']).toBe('');

    const second = await run(workspace, { 'daily-quota': '5' });
    expect(second.logger.messages('warning')).toContainEqual(
      expect.stringMatching(/^7 URLs skipped: .*Those from site-dir are carried in the state/),
    );
    expect(actionOutputs(second.result, 'r.json')['carried-count']).toBe('7');
    expect(existsSync(path.join(workspace, STATE))).toBe(true);
  });
});
