/**
 * One emulator per test: started on demand with the file's defaults under the test's own options, and
 * closed after each test, so that no test leaves a server (or its sockets) behind. `emulatorPerTest`
 * for tests that run one after another; `concurrentTest` for the end-to-end tests, which run
 * concurrently.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'vitest';
import { AlibabaClient, type ClientOptions } from '../../src/alibaba/client.js';
import {
  DEFAULT_CREDENTIALS,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from '../../emulator/index.js';

export interface EmulatorPerTest {
  /** Starts this test's emulator; `options` override the defaults. */
  start(options?: EmulatorOptions): Promise<Emulator>;
  /** This test's emulator, once started. */
  readonly current: Emulator | undefined;
}

/** Registers the afterEach that closes it; `defaults` may be a function, read at each start (a clock). */
export function emulatorPerTest(defaults: EmulatorOptions | (() => EmulatorOptions) = {}): EmulatorPerTest {
  let current: Emulator | undefined;
  afterEach(async () => {
    const emulator = current;
    current = undefined;
    await emulator?.close();
  });
  return {
    async start(options = {}) {
      await current?.close();
      const base = typeof defaults === 'function' ? defaults() : defaults;
      current = await startEmulator({ ...base, ...options });
      return current;
    },
    get current() {
      return current;
    },
  };
}

/** Starts an emulator: the file's defaults under this call's `options`. */
export type StartEmulator = (options?: EmulatorOptions) => Promise<Emulator>;

/**
 * The test API of the end-to-end files: tests that run concurrently (an end-to-end test mostly waits, on
 * its child process, on timeouts and look-up windows), each with its own emulators. A test's context has
 * `start` (an emulator with the file's defaults under the test's own options), `emulator` (one started
 * with the defaults) and `tempDir` (a fresh folder), closed and removed when that test ends. An
 * afterEach hook could not do this: when tests overlap, it cannot tell whose server is whose. A test
 * that starts another server closes it with its context's `onTestFinished`.
 */
export function concurrentTest(defaults: EmulatorOptions | (() => EmulatorOptions) = {}) {
  return (
    test
      // vitest reads a fixture's dependencies from the pattern of its first parameter: none here.
      // eslint-disable-next-line no-empty-pattern
      .extend('start', async ({}, { onCleanup }): Promise<StartEmulator> => {
        const started: Emulator[] = [];
        onCleanup(async () => {
          await Promise.all(started.map((emulator) => emulator.close()));
        });
        return async (options = {}) => {
          const base = typeof defaults === 'function' ? defaults() : defaults;
          const emulator = await startEmulator({ ...base, ...options });
          started.push(emulator);
          return emulator;
        };
      })
      .extend('emulator', ({ start }) => start())
      // eslint-disable-next-line no-empty-pattern
      .extend('tempDir', ({}, { onCleanup }): (() => string) => {
        const dirs: string[] = [];
        onCleanup(() => {
          for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
        });
        return () => {
          const dir = mkdtempSync(path.join(tmpdir(), 'cdn-prefetch-test-'));
          dirs.push(dir);
          return dir;
        };
      }).concurrent
  );
}

/** A client of the CDN API signed with the emulator's default AccessKey; `options` override the rest. */
export function emulatorClient(endpoint: string, options: Partial<ClientOptions> = {}): AlibabaClient {
  const [[accessKeyId, accessKeySecret]] = Object.entries(DEFAULT_CREDENTIALS) as [[string, string]];
  return new AlibabaClient({
    endpoint,
    credentials: () => ({ accessKeyId, accessKeySecret }),
    signatureVersion: 'v3',
    timeoutMs: 5_000,
    ...options,
  });
}

/** Every URL the emulator accepted for prefetch, sorted: what a run got through, whatever the order. */
export function acceptedUrls(emulator: Emulator): string[] {
  return emulator
    .acceptedPrefetches()
    .map((accepted) => accepted.url)
    .sort();
}
