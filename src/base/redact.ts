/**
 * Removes secrets from text that leaves the process by a way the runner's log masking does not cover
 * (files: the report, the job summary). Logs are masked by core.setSecret as well.
 */
export type Redactor = (text: string) => string;

/**
 * Real AccessKey IDs, secrets and tokens are 16 characters or longer; replacing a very short value
 * everywhere would corrupt URLs in the report without protecting anything.
 */
const MIN_SECRET_LENGTH = 8;

export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  // Longest first, so that a secret containing another is replaced whole.
  values.sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, secret) => out.split(secret).join('***'), text);
}
