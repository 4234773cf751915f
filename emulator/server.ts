/** The emulator's HTTP server: parses, authenticates, throttles, injects faults, runs the action, answers. */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  type ActionResult,
  CDN_ACTIONS,
  DEFAULT_RATE_LIMITS,
  domainStatus,
  splitObjectPath,
  urlHost,
} from './actions.js';
import { signatureVersionOf, TIMESTAMP_TOLERANCE_MS, verifyV1, verifyV3 } from './auth.js';
import { CredentialStore, NonceStore } from './credentials.js';
import { type Edge, type EdgeServer, startEdge } from './edge.js';
import { ApiError, missingParameter, recommendFor } from './errors.js';
import { ACCEPTING_FAULTS, EARLY_FAULTS, FaultQueue, faultError } from './faults.js';
import { type Parsed, parse, readBody } from './request.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { CdnState } from './state.js';
import { assumeRoleWithOidc } from './sts.js';
import type {
  CallRecord,
  Emulator,
  EmulatorOptions,
  Fault,
  IssuedStsCredentials,
  TaskObjectType,
  TaskRecord,
} from './types.js';
import { toXml } from './xml.js';
import { canonicalQuery, parseV3Authorization, v1StringToSign, v3CanonicalRequest } from './signature.js';
import { listenOnLoopback } from './listen.js';

export const DEFAULT_CREDENTIALS: Readonly<Record<string, string>> = { 'test-ak-id': 'test-ak-secret' };
export const DEFAULT_DOMAINS: Readonly<Record<string, 'online' | 'offline'>> = {
  'www.example.com': 'online',
  'example.com': 'online',
  'static.example.com': 'online',
  'cdn.example.com': 'online',
};

const CDN_VERSION = '2018-05-10';
const STS_VERSION = '2015-04-01';
const STS_ACTION = 'AssumeRoleWithOIDC';
const JSON_TYPE = 'application/json;charset=utf-8';
// The official SDK parses an XML error only when the content type is exactly this string.
const XML_TYPE = 'text/xml;charset=utf-8';

interface Answer {
  status: number;
  body: string;
  contentType: string;
  headers?: Readonly<Record<string, string>>;
  code?: string;
}
type Outcome = Answer | 'reset' | 'hang' | 'stall';

/** What a gateway (Tengine, as in front of Alibaba's APIs) answers when the service behind it is too slow. */
const GATEWAY_TIMEOUT_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><title>504 Gateway Time-out</title></head>\n<body>\n' +
  '<center><h1>504 Gateway Time-out</h1></center>\n<hr><center>Tengine</center>\n</body>\n</html>\n';

class EmulatorServer implements Emulator {
  readonly calls: CallRecord[] = [];
  url = '';
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      // A bug in the emulator must fail the test loudly, not hang it.
      console.error('cdn emulator:', error);
      res.destroy();
    });
  });
  private readonly now: () => number;
  private readonly state: CdnState;
  private readonly credentials: CredentialStore;
  private readonly nonces = new NonceStore(TIMESTAMP_TOLERANCE_MS);
  private readonly faults = new FaultQueue();
  private readonly limiter = new SlidingWindowLimiter();
  private readonly actionCounts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private edgeServer: EdgeServer | undefined;

  constructor(private readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.credentials = new CredentialStore(options.credentials ?? DEFAULT_CREDENTIALS);
    const preload = options.preloadQuota ?? 1000;
    this.state = new CdnState({
      quotas: {
        Preload: preload,
        PreloadEdge: preload,
        Url: options.refreshUrlQuota ?? 10_000,
        Dir: 100,
        Regex: 20,
        IgnoreParams: 10,
        Block: 100,
      },
      queueCapacity: options.queueCapacity ?? 100_000,
      taskDurationMs: options.taskDurationMs ?? 0,
      refreshTaskDurationMs: options.refreshTaskDurationMs ?? options.taskDurationMs ?? 0,
      taskDurationFor: options.taskDurationFor,
      mergeWindowMs: options.mergeWindowMs ?? 1000,
      failUrls: options.failUrls,
      failRefreshUrls: options.failRefreshUrls,
      now: this.now,
      onTasks: (tasks) => this.edgeServer?.noticeTasks(tasks),
    });
  }

  get edge(): Edge {
    if (this.edgeServer === undefined)
      throw new Error('This emulator has no edge: start it with startEmulator({ edge: {} }).');
    return this.edgeServer;
  }

  get issuedStsCredentials(): IssuedStsCredentials[] {
    return this.credentials.issued;
  }

  closeIdleConnections(): number {
    this.server.closeIdleConnections();
    return [...this.sockets].filter((socket) => !socket.destroyed).length;
  }

  async listen(port: number): Promise<void> {
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.url = await listenOnLoopback(this.server, port);
    const edge = this.options.edge;
    if (edge !== undefined && edge !== false) {
      const domains = this.options.domains ?? DEFAULT_DOMAINS;
      this.edgeServer = await startEdge(
        edge === true ? {} : edge,
        (host) => domainStatus(domains, host) === 'online',
        this.now,
      );
    }
  }

  injectFaults(...faults: Fault[]): void {
    this.faults.inject(faults);
  }

  acceptedPrefetches(): { url: string; taskId: string }[] {
    return this.state.tasks
      .filter((t) => t.objectType === 'preload' && !t.seeded)
      .map((t) => ({ url: t.objectPath, taskId: t.taskId }));
  }

  acceptedRefreshes(): { url: string; taskId: string }[] {
    return this.state.tasks
      .filter((t) => t.objectType !== 'preload' && !t.seeded)
      .map((t) => ({ url: t.objectPath, taskId: t.taskId }));
  }

  seedTasks(urls: readonly string[], options: { objectType: TaskObjectType; ageMs: number }): string {
    const entries = urls.map((url) => ({ url, domain: urlHost(url) }));
    return this.state.seedTasks(options.objectType, entries, this.now() - options.ageMs);
  }

  taskRecords(): TaskRecord[] {
    return this.state.tasks.map((t) => ({
      taskId: t.taskId,
      url: t.objectPath,
      objectType: t.objectType,
      createdAt: t.createdAt,
      endsAt: t.createdAt + t.durationMs,
      ...(t.failure !== undefined ? { failure: t.failure } : {}),
      ...(t.seeded ? { seeded: true as const } : {}),
    }));
  }

  setPreloadRemain(n: number): void {
    this.state.setRemaining('Preload', n);
  }

  setUrlRemain(n: number): void {
    this.state.setRemaining('Url', n);
  }

  issueStsCredentials(opts: { expiresInMs?: number } = {}): ReturnType<Emulator['issueStsCredentials']> {
    const { accessKeyId, accessKeySecret, securityToken, expiration } = this.credentials.issue(
      this.now() + (opts.expiresInMs ?? 3_600_000),
    );
    return { accessKeyId, accessKeySecret, securityToken, expiration };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Hanging calls and keep-alive sockets would otherwise hold close() open.
    this.server.closeAllConnections();
    await Promise.all([closed, this.edgeServer?.close()]);
  }

  /** Runs `fn` after `ms`, unless the emulator is closed first. */
  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private latency(): number {
    const l = this.options.latencyMs;
    return typeof l === 'function' ? l() : (l ?? 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: CallRecord = {
      seq: this.calls.length + 1,
      arrivedAt: Date.now(),
      action: '',
      signatureVersion: 'none',
      params: {},
      urls: [],
      status: 0,
      accepted: false,
    };
    this.calls.push(record);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-request
    }
    let parsed: Parsed;
    try {
      parsed = parse(req, body);
    } catch {
      const error = new ApiError(400, 'InvalidParameter', 'The request has malformed percent-encoding.');
      return this.send(
        res,
        record,
        await this.delayed(this.errorAnswer(error, 'xml', 'cdn.aliyuncs.com', randomUUID().toUpperCase())),
      );
    }
    record.action = parsed.action;
    record.params = parsed.params;
    record.signatureVersion = signatureVersionOf(parsed);
    if (parsed.action === 'PushObjectCache' || parsed.action === 'RefreshObjectCaches') {
      record.urls = splitObjectPath(parsed.params['ObjectPath']);
    }
    const index = (this.actionCounts.get(parsed.action) ?? 0) + 1;
    this.actionCounts.set(parsed.action, index);

    const early = this.faults.take(parsed.action, index, (k) => EARLY_FAULTS.has(k));
    if (early) record.fault = early.kind;
    if (early?.kind === 'reset-before') {
      req.socket.destroy();
      return;
    }
    if (early?.kind === 'delay') await this.sleep(early.delayMs ?? 0);
    if (early?.kind === 'sts-token-expired') {
      const token = parsed.headers['x-acs-security-token']?.[0] ?? parsed.params['SecurityToken'];
      if (token !== undefined) this.credentials.expireToken(token, this.now());
    }

    const outcome = this.process(parsed, record, index);
    if (outcome === 'hang') return;
    if (outcome === 'stall') {
      // The headers and a first bit of the answer, then nothing: the body never ends.
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': '4096' });
      res.write('{"RequestId":"');
      return;
    }
    this.send(res, record, await this.delayed(outcome));
  }

  private async delayed<T>(outcome: T): Promise<T> {
    await this.sleep(this.latency());
    return outcome;
  }

  private process(parsed: Parsed, record: CallRecord, index: number): Outcome {
    const isSts = parsed.action === STS_ACTION;
    const hostId = isSts ? 'sts.aliyuncs.com' : 'cdn.aliyuncs.com';
    const requestId = randomUUID().toUpperCase();
    const fail = (e: ApiError): Answer => this.errorAnswer(e, parsed.format, hostId, requestId);
    try {
      this.admit(parsed, record);
    } catch (e) {
      if (e instanceof ApiError) return fail(e);
      throw e;
    }
    const fault = record.fault
      ? undefined
      : this.faults.take(parsed.action, index, (k) => !EARLY_FAULTS.has(k));
    if (fault) {
      record.fault = fault.kind;
      const error = faultError(fault);
      if (error) return fail(error);
      if (fault.kind === 'hang') return 'hang';
      if (fault.kind === 'late-accept') {
        // The call sits somewhere inside the CDN while the client's connection is dropped, and is
        // accepted `delayMs` later: after the client has seen the failure and perhaps looked it up.
        this.later(fault.delayMs ?? 0, () => this.runLate(parsed, record));
        return 'reset';
      }
      if (fault.kind === 'stall-body') return 'stall';
      if (fault.kind === 'signature-mismatch') return fail(signatureMismatch(parsed));
      if (fault.kind === 'echo-request') {
        return fail(
          new ApiError(400, 'InvalidParameter', `The request is not valid: ${echoRequest(parsed)}`),
        );
      }
      if (fault.kind === 'html-502') {
        return {
          status: 502,
          body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
          contentType: 'text/html',
        };
      }
      if (fault.kind === 'empty-200') return { status: 200, body: '', contentType: JSON_TYPE };
      if (fault.kind === 'xml-error') {
        const xml = toXml('Error', {
          RequestId: requestId,
          HostId: hostId,
          Code: 'InternalError',
          Message: 'The request processing has failed due to some unknown error.',
        });
        return { status: 500, body: xml, contentType: XML_TYPE, code: 'InternalError' };
      }
    }

    let result: ActionResult | ApiError;
    try {
      result = this.run(parsed);
      record.accepted = result.accepted;
      if (result.taskId !== undefined) record.taskId = result.taskId;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      result = e;
    }
    if (fault && ACCEPTING_FAULTS.has(fault.kind)) {
      if (fault.kind === 'reset-after') return 'reset';
      if (fault.kind === 'garbage-200') return { status: 200, body: '{"PushTask', contentType: JSON_TYPE };
      if (fault.kind === 'html-504-after') {
        return { status: 504, body: GATEWAY_TIMEOUT_PAGE, contentType: 'text/html' };
      }
      if (fault.kind === 'json-500-after') {
        return { status: 500, body: '{"message":"Internal server error"}', contentType: JSON_TYPE };
      }
      if (fault.kind === 'empty-task-id' && !(result instanceof ApiError)) {
        const blanked = { ...result.body };
        for (const key of ['PushTaskId', 'RefreshTaskId']) if (key in blanked) blanked[key] = '';
        return this.successAnswer(parsed, { ...result, body: blanked }, requestId);
      }
    }
    return result instanceof ApiError ? fail(result) : this.successAnswer(parsed, result, requestId);
  }

  /** The action of a `late-accept` call, run after its connection was dropped. */
  private runLate(parsed: Parsed, record: CallRecord): void {
    try {
      const result = this.run(parsed);
      record.accepted = result.accepted;
      if (result.taskId !== undefined) record.taskId = result.taskId;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      record.code = e.code;
    }
  }

  /** Everything Alibaba checks before it runs an action: action, version, signature, RAM, flow control. */
  private admit(parsed: Parsed, record: CallRecord): void {
    const { action, params } = parsed;
    if (action === '') throw missingParameter('Action');
    const isSts = action === STS_ACTION;
    if (!isSts && CDN_ACTIONS[action] === undefined) {
      throw new ApiError(
        404,
        'InvalidAction.NotFound',
        `Specified api is not found, please check your url and method: ${action}`,
      );
    }
    const version = params['Version'];
    if (version === undefined || version === '') throw missingParameter('Version');
    if (version !== (isSts ? STS_VERSION : CDN_VERSION))
      throw new ApiError(400, 'InvalidVersion', `Specified parameter Version is not valid: ${version}`);
    // AssumeRoleWithOIDC is anonymous: the OIDC token is the credential.
    if (!isSts) {
      const auth = { credentials: this.credentials, nonces: this.nonces, now: this.now() };
      if (record.signatureVersion === 'v3') record.accessKeyId = verifyV3(parsed, auth);
      else if (record.signatureVersion === 'v1') record.accessKeyId = verifyV1(parsed, auth);
      else
        throw new ApiError(
          400,
          'IncompleteSignature',
          'The request is not signed: send an ACS3-HMAC-SHA256 Authorization header or a V1 Signature parameter.',
        );
    }
    if (this.options.denyActions?.includes(action)) {
      throw new ApiError(
        403,
        'Forbidden.RAM',
        `User not authorized to operate on the specified resource: the RAM policy must allow cdn:${action}.`,
      );
    }
    const limit =
      this.options.rateLimits?.[action] ??
      DEFAULT_RATE_LIMITS[action] ??
      this.options.rateLimitPerSecond ??
      50;
    const retryAfter = this.limiter.admit(action, limit, record.arrivedAt);
    if (retryAfter !== undefined) {
      // 400 as in Alibaba's common error table, so clients must classify throttling by Code, not status.
      throw new ApiError(400, 'Throttling.User', 'Request was denied due to user flow control.', {
        'x-acs-retry-after': String(retryAfter),
      });
    }
  }

  private run(parsed: Parsed): ActionResult {
    if (parsed.action === STS_ACTION) {
      return {
        body: assumeRoleWithOidc(parsed.params, this.credentials, this.options.sts, this.now()),
        accepted: true,
      };
    }
    const action = CDN_ACTIONS[parsed.action];
    if (!action)
      throw new ApiError(404, 'InvalidAction.NotFound', `Specified api is not found: ${parsed.action}`);
    return action(parsed.params, {
      state: this.state,
      domains: this.options.domains ?? DEFAULT_DOMAINS,
      maxUrlsPerCall: this.options.maxUrlsPerCall ?? 100,
      answerObjectPath: this.options.answerObjectPath,
      refuseUrls: this.options.refuseUrls,
      taskListLagMs: this.options.taskListLagMs,
      quotaAnswers: this.options.quotaAnswers,
    });
  }

  private successAnswer(parsed: Parsed, result: ActionResult, requestId: string): Answer {
    const body = { ...result.body, RequestId: requestId };
    if (parsed.format === 'xml')
      return { status: 200, body: toXml(`${parsed.action}Response`, body), contentType: XML_TYPE };
    return { status: 200, body: JSON.stringify(body), contentType: JSON_TYPE };
  }

  private errorAnswer(error: ApiError, format: 'json' | 'xml', hostId: string, requestId: string): Answer {
    const body = {
      RequestId: requestId,
      HostId: hostId,
      Code: error.code,
      Message: error.message,
      Recommend: recommendFor(error.code),
    };
    const text = format === 'xml' ? toXml('Error', body) : JSON.stringify(body);
    return {
      status: error.status,
      body: text,
      contentType: format === 'xml' ? XML_TYPE : JSON_TYPE,
      headers: error.headers,
      code: error.code,
    };
  }

  private send(res: ServerResponse, record: CallRecord, outcome: Answer | 'reset'): void {
    if (outcome === 'reset') {
      // The action ran (and may have been accepted) but the client never learns the answer.
      res.req.socket.destroy();
      return;
    }
    record.status = outcome.status;
    if (outcome.code !== undefined) record.code = outcome.code;
    if (res.destroyed) return;
    record.answeredAt = Date.now();
    res.writeHead(outcome.status, {
      // The API's clock, as Alibaba's answers carry theirs: clients may measure their clock against it.
      date: new Date(this.now()).toUTCString(),
      'content-type': outcome.contentType,
      'content-length': Buffer.byteLength(outcome.body),
      ...outcome.headers,
    });
    res.end(outcome.body);
  }
}

/**
 * Alibaba's SignatureDoesNotMatch quotes the server's string to sign: for V1 every parameter, the
 * STS token among them, percent-encoded twice. For V3 this quotes the canonical request (the token
 * raw, in its header), as a server more careless than Alibaba's might.
 */
function signatureMismatch(parsed: Parsed): ApiError {
  const stringToSign =
    signatureVersionOf(parsed) === 'v3'
      ? v3CanonicalRequest({
          method: parsed.method,
          path: parsed.path,
          query: parsed.queryPairs,
          headers: parsed.headers,
          signedHeaders:
            parseV3Authorization(parsed.headers['authorization']?.[0] ?? '')?.signedHeaders ?? '',
          hashedPayload: parsed.headers['x-acs-content-sha256']?.[0] ?? '',
        })
      : v1StringToSign(parsed.method, [...parsed.queryPairs, ...parsed.bodyPairs]);
  return new ApiError(
    400,
    'SignatureDoesNotMatch',
    `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
  );
}

/** The request as received — line, headers, body — as a server that echoes it in its error answers. */
function echoRequest(parsed: Parsed): string {
  const query = parsed.queryPairs.length > 0 ? `?${canonicalQuery(parsed.queryPairs)}` : '';
  const headers = Object.entries(parsed.headers).map(([name, values]) => `${name}: ${values.join(', ')}`);
  return [`${parsed.method} ${parsed.path}${query}`, ...headers, '', parsed.body.toString('utf8')].join('\n');
}

/** Starts an emulator listening on 127.0.0.1 (a free port unless options.port is given). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new EmulatorServer(options);
  try {
    await emulator.listen(options.port ?? 0);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return emulator;
}
