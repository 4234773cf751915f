/**
 * Careless `content-ignore` patterns through the bundled action (issue 21): a pattern that backtracks
 * without end on one file cannot hang the run. With `timeout: 10`, `.*Build Date.*` on a one-line
 * bundle of 256 KiB and `(a+)+b` on a run of `a`s once took the run past 60 s with no output, no report
 * and no state; now each is stopped on its file, named in a warning, and the run ends as usual.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { EXIT_NET_WARNING, runAction } from '../../emulator/harness.js';
import { concurrentTest } from '../helpers/emulator.js';

const AK_ID = 'hostile-ak-id';
const AK_SECRET = 'hostile-ak-secret';

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

describe('a careless content-ignore pattern', () => {
  it('is stopped on the file it cannot finish, named, and the run ends with its report and state', async ({
    emulator,
  }) => {
    const run = await runAction(
      {
        endpoint: emulator.url,
        'site-dir': 'public',
        'base-url': 'https://www.example.com',
        state: '.cdn-prefetch/state.json',
        timeout: '10',
        'content-ignore': '.*Build Date.*\n(a+)+b',
      },
      {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET },
        files: {
          'public/index.html': '<html><body><main>home</main></body></html>\n',
          'public/search/index.json': 'Build '.repeat(Math.ceil((256 * 1024) / 6)),
          'public/aaa.txt': 'a'.repeat(64),
        },
        timeoutMs: 30_000,
      },
    );
    expect(run.killed, run.log).toBe(false);
    expect(run.elapsedMs).toBeLessThan(10_000);
    expect(run.log).not.toMatch(EXIT_NET_WARNING);
    expect(run.exitCode).toBe(0);
    expect(run.log).toMatch(
      /::warning::content-ignore: line 1 "\.\*Build Date\.\*" was stopped on 1 file \(search\/index\.json\)/,
    );
    expect(run.log).toMatch(
      /::warning::content-ignore: line 2 "\(a\+\)\+b" was stopped on 1 file \(aaa\.txt\)/,
    );
    expect(run.outputs['submitted-count']).toBe('3');
    expect(run.report?.urls).toHaveLength(3);
    const state = JSON.parse(await readFile(path.join(run.workspace, '.cdn-prefetch/state.json'), 'utf8'));
    expect(Object.keys(state.files)).toEqual(['aaa.txt', 'index.html', 'search/index.json']);
  }, 40_000);
});
