/**
 * Where a run's credentials come from: fixed AccessKeys (inputs or ALIBABA_CLOUD_* variables), or a RAM
 * role assumed with the job's GitHub OIDC token and renewed during the run (sts-oidc.ts).
 */
import type { Credentials } from '../alibaba/signer.js';

export interface CredentialProvider {
  /** Credentials for the next call; a renewable source renews them a few minutes before they expire. */
  get(): Promise<Credentials>;
  /** Changes whenever new credentials are obtained, so a caller can tell whether they changed meanwhile. */
  readonly generation: number;
  /**
   * Called after the API refused credentials as expired (`InvalidSecurityToken.Expired`) in a call that
   * began at `generation`. Renews them if this source can (unless that already happened since), and
   * says whether the call is worth one more attempt.
   */
  renewAfterExpiry(generation: number): Promise<boolean>;
  /** What to check when credentials from this source are refused as expired even after renewal. */
  readonly expiredAdvice?: string;
}

/** AccessKeys given to the run: they are what they are, and an expired STS token stops the run. */
export class StaticCredentials implements CredentialProvider {
  readonly generation = 0;

  constructor(private readonly credentials: Credentials) {}

  get(): Promise<Credentials> {
    return Promise.resolve(this.credentials);
  }

  renewAfterExpiry(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
