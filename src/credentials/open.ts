/**
 * The credentials phase of a run: the role assumed with GitHub's OIDC token when `role-arn` is set,
 * otherwise the AccessKeys of the configuration, otherwise (a dry run) none.
 */
import type { Credentials } from '../alibaba/signer.js';
import { ConfigError } from '../base/errors.js';
import type { RetryPolicy } from '../runtime/retry.js';
import type { Logger } from '../base/logger.js';
import { OidcCredentialSource, type IdentityDeps } from './oidc-source.js';
import { StaticCredentials, type CredentialProvider } from './provider.js';
import type { OidcConfig } from './sts-oidc.js';

/** What the credentials phase reads of the run's configuration. */
export interface CredentialConfig {
  /** AccessKeys; undefined with `oidc`, and in a dry run without credentials. */
  credentials?: Credentials | undefined;
  /** Role assumption with GitHub's OIDC token. */
  oidc?: OidcConfig | undefined;
  dryRun: boolean;
  requestTimeoutMs: number;
}

export interface OpenOptions {
  logger: Logger;
  retryPolicy: RetryPolicy;
  /** Given by the action adapter; absent outside GitHub Actions. */
  identity: IdentityDeps | undefined;
  signal?: AbortSignal | undefined;
}

/** The lines a workflow needs so that its jobs may request an OIDC token. */
export const ID_TOKEN_PERMISSIONS = 'permissions:\n  id-token: write\n  contents: read';

export const MISSING_ID_TOKEN =
  'role-arn is set, but this job cannot ask GitHub for an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ' +
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. Add these lines to the job (or at the top of the workflow):\n' +
  `${ID_TOKEN_PERMISSIONS}\n` +
  '(contents: read keeps actions/checkout working once permissions are listed. Pull requests from forks ' +
  'never get an ID token.)';

/** The run's credential source, or undefined in a dry run that has none. */
export async function openCredentials(
  config: CredentialConfig,
  options: OpenOptions,
): Promise<CredentialProvider | undefined> {
  if (config.oidc) return openOidc(config.oidc, config, options);
  return config.credentials ? new StaticCredentials(config.credentials) : undefined;
}

async function openOidc(
  oidc: OidcConfig,
  config: CredentialConfig,
  options: OpenOptions,
): Promise<CredentialProvider | undefined> {
  if (!oidc.idTokenRequestAvailable) {
    if (config.dryRun) {
      options.logger.warning(`${MISSING_ID_TOKEN}\nThis dry run goes on without credentials.`);
      return undefined;
    }
    throw new ConfigError(MISSING_ID_TOKEN);
  }
  if (!options.identity) {
    throw new ConfigError('role-arn: a GitHub OIDC token can only be requested inside a GitHub Actions job.');
  }
  const source = new OidcCredentialSource(oidc, options.identity, {
    logger: options.logger,
    retryPolicy: options.retryPolicy,
    timeoutMs: config.requestTimeoutMs,
    signal: options.signal,
  });
  await source.start();
  return source;
}
