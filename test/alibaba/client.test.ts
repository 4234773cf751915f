/**
 * One call's failures, as the client reports them: the reason names the action, the endpoint's origin
 * and the error — never the request's query (100 ObjectPaths and the signature) — and whether the call
 * may have been accepted is decided by the error's code, never by its text.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlibabaClient } from '../../src/alibaba/client.js';
import { AlibabaError } from '../../src/base/errors.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { startProxy } from '../helpers/proxy.js';
import { serve } from '../helpers/tracked-servers.js';

const AK = { accessKeyId: 'client-ak-id', accessKeySecret: 'client-ak-secret' };
/** 100 URLs, one of which spells a system code that must not be read as the error's. */
const OBJECT_PATH = Array.from({ length: 99 }, (_, i) => `https://www.example.com/p/${i}`)
  .concat('https://www.example.com/docs/ECONNREFUSED')
  .join('\n');

let emulator: Emulator | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await emulator?.close();
  emulator = undefined;
});

function client(endpoint: string, timeoutMs = 2_000): AlibabaClient {
  return new AlibabaClient({ endpoint, credentials: () => AK, signatureVersion: 'v3', timeoutMs });
}

async function failure(endpoint: string, timeoutMs?: number): Promise<AlibabaError> {
  const error = await client(endpoint, timeoutMs)
    .call('PushObjectCache', { ObjectPath: OBJECT_PATH })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(AlibabaError);
  return error as AlibabaError;
}

describe('a call that gets no answer', () => {
  it('refused: named by action, origin and code; nothing was sent, so the outcome is known', async () => {
    const closed = await serve(() => undefined);
    await closed.close();
    const error = await failure(closed.origin);
    expect(error.message).toBe(
      `PushObjectCache: ${closed.origin}: ECONNREFUSED (connect ECONNREFUSED ${closed.origin.slice(7)})`,
    );
    expect(error.outcomeUnknown).toBe(false);
    expect(error.errorClass).toBe('transient');
  });

  it('reset after sending: the outcome is unknown, whatever the text of the request holds', async () => {
    emulator = await startEmulator({ credentials: { [AK.accessKeyId]: AK.accessKeySecret } });
    emulator.injectFaults({ kind: 'reset-after' });
    const error = await failure(emulator.url);
    expect(error.message).toMatch(
      /^PushObjectCache: http:\/\/127\.0\.0\.1:\d+: ECONNRESET \(socket hang up\)$/,
    );
    expect(error.outcomeUnknown).toBe(true);
    expect(emulator.acceptedPrefetches()).toHaveLength(100);
  });

  it('an answer that stalls: timed out while reading it, the outcome unknown, the message short', async () => {
    emulator = await startEmulator({ credentials: { [AK.accessKeyId]: AK.accessKeySecret } });
    emulator.injectFaults({ kind: 'stall-body' });
    const error = await failure(emulator.url, 500);
    expect(error.message).toBe(
      `PushObjectCache: ${emulator.url}: timed out after 0.5 s while reading the answer`,
    );
    expect(error.outcomeUnknown).toBe(true);
  });

  it("a proxy's 407: a credentials error, which stops the run", async () => {
    emulator = await startEmulator({ credentials: { [AK.accessKeyId]: AK.accessKeySecret } });
    const proxy = await startProxy({
      hosts: { 'cdn.proxy-only.test': '127.0.0.1' },
      auth: { username: 'u', password: 'the-password' },
    });
    try {
      vi.stubEnv('HTTP_PROXY', proxy.url.replace('the-password', 'wrong'));
      const error = await failure(`http://cdn.proxy-only.test:${new URL(emulator.url).port}`);
      expect(error.errorClass).toBe('credentials');
      expect(error.message).toMatch(/^PushObjectCache: http:\/\/cdn\.proxy-only\.test:\d+: the proxy /);
      expect(emulator.calls).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
