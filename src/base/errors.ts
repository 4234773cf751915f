/**
 * The run's one error family. Every failure that crosses a module boundary is one of these, and every
 * caller acts on the class (and on `errorClass` / `code`), never on message text:
 * - ConfigError: a mistake only the workflow's author can fix; always fails the step (CLI exit 2).
 * - UsageError: a command line the CLI cannot read (exit 2).
 * - NetworkError: no HTTP answer at all (refused, reset, DNS, TLS, timeout), with the system's code.
 * - AlibabaError: a failed API call, sorted into an ErrorClass once, in alibaba/errors.ts.
 * A feature's own errors live with it and extend Error (sitemap/errors.ts: a document not found or
 * unreadable), so that only what every phase shares is here.
 */

/** A mistake in the inputs: always fails the step, whatever `fail-on` says. */
export class ConfigError extends Error {
  /** The input (action.yml name) the message is about, when there is one. */
  readonly input: string | undefined;

  constructor(message: string, input?: string) {
    super(message);
    this.name = 'ConfigError';
    this.input = input;
  }
}

/** A command line the CLI cannot parse: an unknown flag, a missing value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An HTTP failure before any answer arrived: connection refused or reset, DNS, TLS, timeout. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly timedOut: boolean,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'NetworkError';
  }

  /** The system's error code (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...), from the cause chain. */
  get code(): string | undefined {
    return systemErrorCode(this.cause);
  }
}

/** The `code` of an error or of the first error in its cause chain that has one. */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export type ErrorClass =
  /** Request rate exceeded: retry after a pause. */
  | 'throttled'
  /** 5xx, ServiceUnavailable, ServiceBusy, a dropped connection, an HTML error page: retry. */
  | 'transient'
  /** The account's prefetch queue is full: retry later, with longer pauses. */
  | 'queue-full'
  /** The daily quota is spent: stop sending, re-read the remainder. */
  | 'quota'
  /** The host is not an online accelerated domain of this account: fail that host's URLs. */
  | 'domain'
  /** The request itself is wrong (a URL, a parameter): retrying cannot help. */
  | 'bad-request'
  /** Keys, token, signature or clock: nothing will work until the user fixes them. */
  | 'credentials'
  /** RAM permission or account state: nothing will work until the user fixes them. */
  | 'permission'
  /** An API error code we do not know: treated as a failure of this call only. */
  | 'unknown';

/** Whether a call that failed with this class may be sent again. */
export function isRetryable(errorClass: ErrorClass): boolean {
  return errorClass === 'throttled' || errorClass === 'transient' || errorClass === 'queue-full';
}

/** Whether this class means no further call can succeed, so the run must stop. */
export function isFatal(errorClass: ErrorClass): boolean {
  return errorClass === 'credentials' || errorClass === 'permission';
}

export interface AlibabaErrorDetails {
  action: string;
  errorClass: ErrorClass;
  code?: string | undefined;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
  /** From `x-acs-retry-after`, in milliseconds, as the official SDK reads it. */
  retryAfterMs?: number | undefined;
  /**
   * True when the request may have reached Alibaba and been accepted although no answer says so
   * (the connection dropped after sending, a timeout, an unreadable 200).
   */
  outcomeUnknown?: boolean;
  /** What to check, when the thrower knows better than `adviceFor`'s defaults (STS refusals). */
  advice?: string | undefined;
}

/** A failed call: an API error, a network failure, or an answer that is not the API's. */
export class AlibabaError extends Error {
  readonly action: string;
  readonly errorClass: ErrorClass;
  readonly code: string | undefined;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly outcomeUnknown: boolean;
  readonly advice: string | undefined;

  constructor(message: string, details: AlibabaErrorDetails) {
    super(message);
    this.name = 'AlibabaError';
    this.action = details.action;
    this.errorClass = details.errorClass;
    this.code = details.code;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.advice = details.advice;
  }
}

/** The message of anything thrown, for the one place that reports failures. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
