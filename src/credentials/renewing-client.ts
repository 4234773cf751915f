/**
 * The CDN client over a credential source: credentials are asked for every attempt, and a call refused
 * with InvalidSecurityToken.Expired is sent once more with renewed credentials — once, never in a loop.
 */
import { AlibabaClient, type CallResult, type ClientOptions } from '../alibaba/client.js';
import { AlibabaError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { CredentialProvider } from './provider.js';

const EXPIRED = 'InvalidSecurityToken.Expired';

export class RenewingClient extends AlibabaClient {
  constructor(
    options: Omit<ClientOptions, 'credentials'>,
    private readonly source: CredentialProvider,
    private readonly logger: Logger,
  ) {
    super({ ...options, credentials: () => source.get() });
  }

  override async call(
    action: string,
    query: Record<string, string>,
    form?: Record<string, string>,
  ): Promise<CallResult> {
    const generation = this.source.generation;
    try {
      return await super.call(action, query, form);
    } catch (error) {
      if (!(error instanceof AlibabaError) || error.code !== EXPIRED) throw error;
      if (!(await this.source.renewAfterExpiry(generation))) throw error;
    }
    // The refused call changed nothing, so sending it again cannot submit anything twice.
    this.logger.info(
      `  ${action}: the credentials were refused as expired; sending it again with renewed ones`,
    );
    try {
      return await super.call(action, query, form);
    } catch (error) {
      if (!(error instanceof AlibabaError) || error.code !== EXPIRED) throw error;
      throw new AlibabaError(`${error.message} (again, with credentials renewed just now)`, {
        ...error,
        advice: this.source.expiredAdvice ?? error.advice,
      });
    }
  }
}
