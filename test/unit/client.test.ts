/**
 * How the client sorts a failed call: a connection that was refused provably sent nothing; anything
 * after connecting may have been accepted (outcome unknown). Decided by the error's code, never by its
 * message, which quotes the request (and so the URLs being sent).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { AlibabaClient } from '../../src/alibaba/client.js';
import { sentNothing } from '../../src/alibaba/errors.js';
import { pushObjectCache } from '../../src/alibaba/operations.js';
import { AlibabaError } from '../../src/base/errors.js';
import { emulatorClient, emulatorPerTest } from '../helpers/emulator.js';

const emulator = emulatorPerTest();
const client = (endpoint: string): AlibabaClient => emulatorClient(endpoint);

async function failure(promise: Promise<unknown>): Promise<AlibabaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AlibabaError)) throw new Error(`expected an AlibabaError, got ${String(error)}`);
  return error;
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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

describe('a failed call', () => {
  it('a refused connection sent nothing: not outcome unknown', async () => {
    const error = await failure(
      pushObjectCache(client(`http://127.0.0.1:${await closedPort()}`), ['https://www.example.com/a'], {}),
    );
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.outcomeUnknown).toBe(false);
  });

  it('a reset after sending is outcome unknown, even when the URLs spell ECONNREFUSED', async () => {
    const emu = await emulator.start();
    emu.injectFaults({ kind: 'reset-after' });
    const url = 'https://www.example.com/errors/ECONNREFUSED.html';
    const error = await failure(pushObjectCache(client(emu.url), [url], {}));
    // Classified by the error's code (ECONNRESET), never by text that could quote the request.
    expect(error.message).toMatch(/ECONNRESET/);
    expect(error.message).not.toContain('errors/ECONNREFUSED');
    expect(error.outcomeUnknown).toBe(true);
    expect(emu.acceptedPrefetches().map((a) => a.url)).toEqual([url]);
  });

  it('a gateway page or a 500 without a Code after acceptance is outcome unknown', async () => {
    const emu = await emulator.start();
    emu.injectFaults({ kind: 'html-504-after' }, { kind: 'json-500-after' });
    for (const path of ['a', 'b']) {
      const error = await failure(pushObjectCache(client(emu.url), [`https://www.example.com/${path}`], {}));
      expect(error.outcomeUnknown).toBe(true);
      expect(error.code).toBeUndefined();
    }
    expect(emu.acceptedPrefetches()).toHaveLength(2);
  });

  it('an API error Code is a refusal, whatever the status', async () => {
    const emu = await emulator.start();
    emu.injectFaults({ kind: 'internal-error' });
    const error = await failure(pushObjectCache(client(emu.url), ['https://www.example.com/c'], {}));
    expect([error.code, error.outcomeUnknown]).toEqual(['InternalError', false]);
  });
});

describe('the server clock', () => {
  it("reads every answer's Date header against our clock", async () => {
    const skew = -42_000;
    const emu = await emulator.start({ now: () => Date.now() + skew });
    const before = Date.now();
    const result = await client(emu.url).call('DescribeRefreshQuota', {});
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
