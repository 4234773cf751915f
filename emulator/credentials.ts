/** Permanent AccessKeys and the STS credentials the emulator has issued. */
import { randomBytes } from 'node:crypto';
import { isoSeconds } from './state.js';
import type { IssuedStsCredentials } from './types.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(length: number): string {
  return [...randomBytes(length)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

export class CredentialStore {
  readonly issued: IssuedStsCredentials[] = [];
  private readonly secrets: Map<string, string>;
  private readonly stsByKey = new Map<string, IssuedStsCredentials>();
  private readonly keyByToken = new Map<string, string>();

  constructor(permanent: Readonly<Record<string, string>>) {
    this.secrets = new Map(Object.entries(permanent));
  }

  secretOf(accessKeyId: string): string | undefined {
    return this.secrets.get(accessKeyId);
  }

  sts(accessKeyId: string): IssuedStsCredentials | undefined {
    return this.stsByKey.get(accessKeyId);
  }

  /** The AccessKeyId a security token was issued with. */
  ownerOfToken(token: string): string | undefined {
    return this.keyByToken.get(token);
  }

  /** Makes the STS credentials of `token` expire at `now` (no-op for an unknown token). */
  expireToken(token: string, now: number): void {
    const sts = this.stsByKey.get(this.keyByToken.get(token) ?? '');
    if (sts === undefined) return;
    sts.expiresAt = Math.min(sts.expiresAt, now);
    sts.expiration = isoSeconds(sts.expiresAt);
  }

  /**
   * Issues STS credentials shaped like Alibaba's: 'STS.' AccessKeyId, and a long base64 token that contains
   * '+', '/' and '=' — characters a careless client fails to encode.
   */
  issue(expiresAt: number): IssuedStsCredentials {
    const creds: IssuedStsCredentials = {
      accessKeyId: `STS.NT${randomAlnum(26)}`,
      accessKeySecret: randomAlnum(44),
      securityToken: `CAIS${randomBytes(300).toString('base64')}`,
      expiration: isoSeconds(expiresAt),
      expiresAt,
    };
    this.secrets.set(creds.accessKeyId, creds.accessKeySecret);
    this.stsByKey.set(creds.accessKeyId, creds);
    this.keyByToken.set(creds.securityToken, creds.accessKeyId);
    this.issued.push(creds);
    return creds;
  }
}

/** Signature nonces seen in the last 15 minutes, per AccessKeyId (the window the timestamp check allows). */
export class NonceStore {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** Registers the nonce; false when it was already used within the window. */
  register(accessKeyId: string, nonce: string, now: number): boolean {
    for (const [key, at] of this.seen) {
      if (at > now - this.windowMs) break;
      this.seen.delete(key);
    }
    const key = `${accessKeyId}\n${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }
}
