/**
 * One signed RPC call to the CDN API: sign afresh, send, read the answer, classify failures.
 * Retrying is the caller's business (src/submit/retry.ts); this module makes exactly one attempt.
 */
import { randomUUID } from 'node:crypto';
import { httpFetch } from '../http/fetch.js';
import { NetworkError, AlibabaError } from '../base/errors.js';
import { parseAnswer, type ApiFields } from './answer.js';
import { sentNothing } from './errors.js';
import { signV1, signV3, type Credentials } from './signer.js';
import type { CallGate } from '../runtime/gate.js';

export const CDN_API_VERSION = '2018-05-10';

export type SignatureVersion = 'v1' | 'v3';

export interface ClientOptions {
  endpoint: string;
  /** Asked before every attempt, so that credentials can be renewed during a long run. */
  credentials: () => Credentials | Promise<Credentials>;
  signatureVersion: SignatureVersion;
  /** Per attempt, connecting and reading the answer included. */
  timeoutMs: number;
  gate?: CallGate;
  /** Aborts requests in flight. */
  signal?: AbortSignal;
  /** Once aborted, no new call starts: a call still waiting for the gate fails without being sent. */
  stopSending?: AbortSignal;
  now?: () => Date;
}

export interface CallResult {
  fields: ApiFields;
  requestId: string | undefined;
  /** The answer's `Date` header and when the answer arrived: a reading of the CDN's clock against ours. */
  clock?: ServerClock;
}

/** One reading of the server's clock: its `Date` header (second precision) and our time on arrival. */
export interface ServerClock {
  serverMs: number;
  receivedMs: number;
}

export class AlibabaClient {
  private readonly endpoint: URL;

  constructor(private readonly options: ClientOptions) {
    this.endpoint = new URL(options.endpoint);
  }

  /** Makes one attempt at `action`; throws AlibabaError on any failure. */
  async call(
    action: string,
    query: Record<string, string>,
    form?: Record<string, string>,
  ): Promise<CallResult> {
    const slot = await this.admit(action);
    try {
      // Asked and signed after the gate opens: a call that waited for a slot still carries a fresh
      // time and nonce, and credentials renewed while it waited.
      const credentials = await this.options.credentials();
      const input = {
        endpoint: this.endpoint,
        action,
        version: CDN_API_VERSION,
        query,
        ...(form ? { form } : {}),
        credentials,
        date: this.options.now?.() ?? new Date(),
        nonce: randomUUID(),
      };
      const request = this.options.signatureVersion === 'v1' ? signV1(input) : signV3(input);
      const { clock, ...raw } = await this.send(action, request);
      const fields = parseAnswer({ action, ...raw });
      return {
        fields,
        requestId: typeof fields['RequestId'] === 'string' ? fields['RequestId'] : undefined,
        ...(clock ? { clock } : {}),
      };
    } finally {
      slot?.release();
    }
  }

  /** Calls that went out (past the gate), by action: what the account's rate and logs see. */
  sentCalls(): Record<string, number> {
    return Object.fromEntries(this.sent);
  }

  private readonly sent = new Map<string, number>();

  private async admit(action: string): Promise<{ release(): void } | undefined> {
    const stopSending = this.options.stopSending;
    const notSent = (): AlibabaError =>
      new AlibabaError(`${action}: not sent, the run is stopping`, { action, errorClass: 'transient' });
    if (stopSending?.aborted) throw notSent();
    try {
      const slot = await this.options.gate?.acquire(action, stopSending);
      this.sent.set(action, (this.sent.get(action) ?? 0) + 1);
      return slot;
    } catch (error) {
      if (stopSending?.aborted) throw notSent();
      throw error;
    }
  }

  private async send(
    action: string,
    request: { url: string; headers: Record<string, string>; body: string },
  ): Promise<{
    status: number;
    contentType: string;
    body: string;
    retryAfterHeader: string | null;
    clock: ServerClock | undefined;
  }> {
    const deadline = Date.now() + this.options.timeoutMs;
    try {
      const response = await httpFetch(request.url, {
        method: 'POST',
        headers: request.headers,
        ...(request.body === '' ? {} : { body: request.body }),
        timeoutMs: this.options.timeoutMs,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      const receivedMs = Date.now();
      const body = await readWithin(response.text(), deadline - Date.now(), () =>
        (response.body as unknown as { destroy?: () => void }).destroy?.(),
      );
      const serverMs = Date.parse(response.headers.get('date') ?? '');
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body,
        retryAfterHeader: response.headers.get('x-acs-retry-after'),
        clock: Number.isNaN(serverMs) ? undefined : { serverMs, receivedMs },
      };
    } catch (error) {
      if (error instanceof AlibabaError) throw error;
      const network = error instanceof NetworkError ? error : undefined;
      const message = network?.message ?? (error instanceof Error ? error.message : String(error));
      throw new AlibabaError(`${action}: ${message}`, {
        action,
        errorClass: 'transient',
        // Decided by the system's error code, never by the message (which quotes the request's URLs):
        // unless the connection was refused or never resolved, the request may have arrived and been accepted.
        outcomeUnknown: !sentNothing(network?.code),
      });
    }
  }
}

async function readWithin(body: Promise<string>, ms: number, onTimeout: () => void): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        onTimeout();
        reject(new NetworkError('timed out while reading the answer', '', true));
      },
      Math.max(1, ms),
    );
  });
  try {
    return await Promise.race([body, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
