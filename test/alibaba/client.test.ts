/**
 * One call's failures, as the client reports and sorts them. The reason names the action, the
 * endpoint's origin and the error — never the request's query (100 ObjectPaths and the signature).
 * Whether the call may have been accepted is decided by the error's code, never by its text: a
 * connection that was refused provably sent nothing; anything after connecting may have been accepted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlibabaClient } from '../../src/alibaba/client.js';
import { sentNothing } from '../../src/alibaba/errors.js';
import { pushObjectCache } from '../../src/alibaba/operations.js';
import { AlibabaError } from '../../src/base/errors.js';
import { emulatorClient, emulatorPerTest } from '../helpers/emulator.js';
import { startProxy } from '../helpers/proxy.js';
import { serve } from '../helpers/tracked-servers.js';

const AK = { accessKeyId: 'client-ak-id', accessKeySecret: 'client-ak-secret' };
/** 100 URLs, one of which spells a system code that must not be read as the error's. */
const OBJECT_PATH = Array.from({ length: 99 }, (_, i) => `https://www.example.com/p/${i}`)
  .concat('https://www.example.com/docs/ECONNREFUSED')
  .join('\n');

const emulators = emulatorPerTest({ credentials: { [AK.accessKeyId]: AK.accessKeySecret } });
afterEach(() => {
  vi.unstubAllEnvs();
});

function client(endpoint: string, timeoutMs = 2_000): AlibabaClient {
  return emulatorClient(endpoint, { credentials: () => AK, timeoutMs });
}

async function failure(promise: Promise<unknown>): Promise<AlibabaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AlibabaError);
  return error as AlibabaError;
}

/** 100 URLs in one PushObjectCache call. */
function push(endpoint: string, timeoutMs?: number): Promise<AlibabaError> {
  return failure(client(endpoint, timeoutMs).call('PushObjectCache', { ObjectPath: OBJECT_PATH }));
}

describe('sentNothing', () => {
  it.each([
    ['ECONNREFUSED', true],
    ['ENOTFOUND', true],
    ['EAI_AGAIN', true],
    ['ECONNRESET', false],
    ['EPIPE', false],
    ['ETIMEDOUT', false],
    ['UND_ERR_SOCKET', false],
    [undefined, false],
  ] as const)('%s -> %s', (code, expected) => {
    expect(sentNothing(code)).toBe(expected);
  });
});

describe('a call that gets no answer', () => {
  it('refused: named by action, origin and code; nothing was sent, so the outcome is known', async () => {
    const closed = await serve(() => undefined);
    await closed.close();
    const error = await push(closed.origin);
    expect(error.message).toBe(
      `PushObjectCache: ${closed.origin}: ECONNREFUSED (connect ECONNREFUSED ${closed.origin.slice(7)})`,
    );
    expect(error.outcomeUnknown).toBe(false);
    expect(error.errorClass).toBe('transient');
  });

  it('reset after sending: the outcome is unknown, whatever the text of the request holds', async () => {
    const emulator = await emulators.start();
    emulator.injectFaults({ kind: 'reset-after' });
    const error = await push(emulator.url);
    expect(error.message).toMatch(
      /^PushObjectCache: http:\/\/127\.0\.0\.1:\d+: ECONNRESET \(socket hang up\)$/,
    );
    expect(error.outcomeUnknown).toBe(true);
    expect(emulator.acceptedPrefetches()).toHaveLength(100);
  });

  it('an answer that stalls: timed out while reading it, the outcome unknown, the message short', async () => {
    const emulator = await emulators.start();
    emulator.injectFaults({ kind: 'stall-body' });
    const error = await push(emulator.url, 500);
    expect(error.message).toBe(
      `PushObjectCache: ${emulator.url}: timed out after 0.5 s while reading the answer`,
    );
    expect(error.outcomeUnknown).toBe(true);
  });

  it("a proxy's 407: a credentials error, which stops the run", async () => {
    const emulator = await emulators.start();
    const proxy = await startProxy({
      hosts: { 'cdn.proxy-only.test': '127.0.0.1' },
      auth: { username: 'u', password: 'the-password' },
    });
    try {
      vi.stubEnv('HTTP_PROXY', proxy.url.replace('the-password', 'wrong'));
      const error = await push(`http://cdn.proxy-only.test:${new URL(emulator.url).port}`);
      expect(error.errorClass).toBe('credentials');
      expect(error.message).toMatch(/^PushObjectCache: http:\/\/cdn\.proxy-only\.test:\d+: the proxy /);
      expect(emulator.calls).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('a call that gets an answer that is not a success', () => {
  it('a gateway page or a 500 without a Code after acceptance is outcome unknown', async () => {
    const emulator = await emulators.start();
    emulator.injectFaults({ kind: 'html-504-after' }, { kind: 'json-500-after' });
    for (const path of ['a', 'b']) {
      const error = await failure(
        pushObjectCache(client(emulator.url), [`https://www.example.com/${path}`], {}),
      );
      expect(error.outcomeUnknown).toBe(true);
      expect(error.code).toBeUndefined();
    }
    expect(emulator.acceptedPrefetches()).toHaveLength(2);
  });

  it('an API error Code is a refusal, whatever the status', async () => {
    const emulator = await emulators.start();
    emulator.injectFaults({ kind: 'internal-error' });
    const error = await failure(pushObjectCache(client(emulator.url), ['https://www.example.com/c'], {}));
    expect([error.code, error.outcomeUnknown]).toEqual(['InternalError', false]);
  });
});

describe('the server clock', () => {
  it("reads every answer's Date header against our clock", async () => {
    const skew = -42_000;
    const emulator = await emulators.start({ now: () => Date.now() + skew });
    const before = Date.now();
    const result = await client(emulator.url).call('DescribeRefreshQuota', {});
    const after = Date.now();
    expect(result.clock).toBeDefined();
    const { serverMs = 0, receivedMs = 0 } = result.clock ?? {};
    expect(receivedMs).toBeGreaterThanOrEqual(before);
    expect(receivedMs).toBeLessThanOrEqual(after);
    // Date has second precision: the measured offset is the real one, less under a second and the trip.
    const offset = serverMs - receivedMs;
    expect(offset).toBeLessThanOrEqual(skew);
    expect(offset).toBeGreaterThan(skew - 1_000 - (after - before));
  });
});
