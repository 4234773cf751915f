/**
 * Credentials from a RAM role assumed with the job's GitHub OIDC token, renewed during the run: a few
 * minutes before the Expiration STS gave, and — once per call — when the API refuses them as expired.
 * Renewals are single-flight: calls that need new credentials at the same moment share one exchange.
 */
import { AlibabaError, errorMessage } from '../base/errors.js';
import type { Credentials } from '../alibaba/signer.js';
import type { OidcConfig } from './sts-oidc.js';
import { withRetries, type RetryPolicy } from '../runtime/retry.js';
import type { Logger } from '../base/logger.js';
import type { CredentialProvider } from './provider.js';
import { assumeRoleWithOidc, type AssumedRole } from './sts-oidc.js';

/** What only the adapter can do: ask GitHub for an ID token, and mask a secret in the job's log. */
export interface IdentityDeps {
  getIdToken(audience: string): Promise<string>;
  mask(secret: string): void;
}

export interface OidcSourceOptions {
  logger: Logger;
  retryPolicy: RetryPolicy;
  /** Per STS or ID-token request. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  now?: () => number;
}

/** How long before Expiration the credentials are renewed (at most half their lifetime). */
export const RENEW_BEFORE_MS = 5 * 60_000;
/** After a failed early renewal, the still-valid credentials are used this long before trying again. */
const RENEW_RETRY_MS = 30_000;

interface Held {
  credentials: Credentials;
  expiresAt: number | undefined;
  renewAt: number;
}

export class OidcCredentialSource implements CredentialProvider {
  readonly expiredAdvice =
    "Credentials just assumed from role-arn were refused as expired: check the runner's clock, which " +
    'STS and the CDN API compare with theirs.';
  private held: Held | undefined;
  private renewing: Promise<Held> | undefined;
  private count = 0;
  private readonly now: () => number;

  constructor(
    private readonly config: OidcConfig,
    private readonly identity: IdentityDeps,
    private readonly options: OidcSourceOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get generation(): number {
    return this.count;
  }

  /** The first exchange, with retries for what is transient; a refusal throws with advice. */
  async start(): Promise<void> {
    await withRetries(() => this.renew('start'), this.options.retryPolicy, {
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      onRetry: (error, delayMs) =>
        this.options.logger.info(`  ${error.message}; retry in ${(delayMs / 1000).toFixed(1)} s`),
    });
  }

  async get(): Promise<Credentials> {
    const held = this.held ?? (await this.renew('start'));
    if (this.now() < held.renewAt) return held.credentials;
    try {
      return (await this.renew('expiring')).credentials;
    } catch (error) {
      if (held.expiresAt === undefined || this.now() >= held.expiresAt) throw error;
      // Still valid: keep using them, and try again a little later (calls that shared the failed
      // renewal report it once).
      if (held.renewAt <= this.now()) {
        held.renewAt = Math.min(this.now() + RENEW_RETRY_MS, held.expiresAt);
        this.options.logger.warning(
          `Could not renew the role's credentials ahead of their expiry (${errorMessage(error)}); ` +
            'using the current ones while they last.',
        );
      }
      return held.credentials;
    }
  }

  async renewAfterExpiry(generation: number): Promise<boolean> {
    if (generation === this.count) await this.renew('refused as expired');
    return true;
  }

  private renew(reason: 'start' | 'expiring' | 'refused as expired'): Promise<Held> {
    this.renewing ??= this.exchange(reason).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async exchange(reason: 'start' | 'expiring' | 'refused as expired'): Promise<Held> {
    const { config, identity, options } = this;
    let idToken: string;
    try {
      idToken = await untilStopped(identity.getIdToken(config.audience), options.signal);
    } catch (error) {
      if (options.signal?.aborted) {
        throw new AlibabaError('GitHub ID token: not received, the run is stopping', {
          action: 'AssumeRoleWithOIDC',
          errorClass: 'transient',
        });
      }
      // @actions/core has already retried what is worth retrying.
      throw new AlibabaError(`GitHub ID token: ${errorMessage(error).replace(/\s+/g, ' ').trim()}`, {
        action: 'AssumeRoleWithOIDC',
        errorClass: 'credentials',
        advice:
          "GitHub's ID-token service (ACTIONS_ID_TOKEN_REQUEST_URL) did not give a token: check the network " +
          'path to it (HTTPS_PROXY, NO_PROXY) and that the job has permissions: id-token: write.',
      });
    }
    identity.mask(idToken);
    const assumed = await assumeRoleWithOidc(config, idToken, {
      mask: (secret) => identity.mask(secret),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    const held = this.hold(assumed);
    this.count++;
    const expiry = assumed.expiration ? `; they expire at ${assumed.expiration}` : '';
    options.logger.info(
      reason === 'start'
        ? `Assumed ${config.roleArn} as ${config.roleSessionName} with the job's OIDC token (audience ` +
            `${config.audience}): short-lived credentials${expiry}.`
        : `Assumed ${config.roleArn} again (the credentials were ${reason}): new credentials${expiry}.`,
    );
    return held;
  }

  private hold(assumed: AssumedRole): Held {
    const obtainedAt = this.now();
    const { expiresAt } = assumed;
    let renewAt = Infinity;
    if (expiresAt !== undefined && expiresAt > obtainedAt) {
      renewAt = expiresAt - Math.min(RENEW_BEFORE_MS, (expiresAt - obtainedAt) / 2);
    } else if (expiresAt !== undefined) {
      // Expired on arrival by this runner's clock: the clock is off. Renewing early would loop; the
      // API's own verdict (InvalidSecurityToken.Expired) decides instead.
      this.options.logger.warning(
        `The role's credentials expire at ${assumed.expiration}, already past by this runner's clock; ` +
          "check the runner's time synchronization.",
      );
    }
    this.held = { credentials: assumed.credentials, expiresAt, renewAt };
    return this.held;
  }
}

/** `promise`, or a rejection as soon as `signal` aborts (the ID-token request is @actions/core's). */
function untilStopped<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
