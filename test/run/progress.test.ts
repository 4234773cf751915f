/**
 * The core's progress events (Logger.progress), which the CLI draws as a bar: they count URLs with an
 * outcome, only grow, and end at the number planned, whatever happened to each URL.
 */
import { beforeEach, expect, it } from 'vitest';
import { configFrom } from '../helpers/inputs.js';
import type { Config } from '../../src/config/config.js';
import { runPrefetch } from '../../src/run.js';
import type { ProgressEvent } from '../../src/base/logger.js';
import { MemoryLogger } from '../helpers/logger.js';
import { type Emulator } from '../../emulator/index.js';
import { emulatorPerTest } from '../helpers/emulator.js';

const emulators = emulatorPerTest({ credentials: { id: 'secret' }, preloadQuota: 45 });
let emulator: Emulator;
beforeEach(async () => {
  emulator = await emulators.start();
});

class ProgressLogger extends MemoryLogger {
  readonly events: ProgressEvent[] = [];
  progress(event: ProgressEvent): void {
    this.events.push(event);
  }
}

function config(inputs: Record<string, string>): Config {
  return configFrom(inputs, {}, { accessKeyId: 'id', accessKeySecret: 'secret' });
}

it('counts every URL given an outcome, up to the number planned', async () => {
  // 40 planned URLs in batches of 10 on two hosts; one host is not an accelerated domain (its URLs
  // fail), and the quota (45) does not bind. 5 more are over a cap of 40 and never planned.
  const urls = [
    ...Array.from({ length: 30 }, (_, i) => `https://www.example.com/${i}`),
    ...Array.from({ length: 10 }, (_, i) => `https://unknown.example.org/${i}`),
    ...Array.from({ length: 5 }, (_, i) => `https://www.example.com/over/${i}`),
  ];
  const logger = new ProgressLogger();
  const result = await runPrefetch(
    config({ urls: urls.join('\n'), endpoint: emulator.url, 'batch-size': '10', 'daily-quota': '40' }),
    { logger },
  );
  expect(result.counts).toMatchObject({ submitted: 30, failed: 10, skipped: 5 });
  expect(logger.events.length).toBeGreaterThanOrEqual(4);
  expect(logger.events.every((event) => event.phase === 'submit' && event.total === 40)).toBe(true);
  const done = logger.events.map((event) => event.done);
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(done.at(-1)).toBe(40);
});

it('is silent in a dry run: nothing is submitted', async () => {
  const logger = new ProgressLogger();
  await runPrefetch(config({ urls: 'https://www.example.com/', endpoint: emulator.url, 'dry-run': 'true' }), {
    logger,
  });
  expect(logger.events).toEqual([]);
});
