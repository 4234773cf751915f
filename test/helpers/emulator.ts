/**
 * One emulator per test: started on demand with the file's defaults under the test's own options, and
 * closed after each test, so that no test leaves a server (or its sockets) behind.
 */
import { afterEach } from 'vitest';
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
