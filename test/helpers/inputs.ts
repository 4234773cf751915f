/** Reads a run's configuration from a plain record of inputs, as action.yml names them. */
import type { Credentials } from '../../src/alibaba/signer.js';
import type { Config } from '../../src/config/config.js';
import type { AdapterContext } from '../../src/config/config.js';
import { parseConfig, type Env, type InputReader } from '../../src/config/parse.js';

/** AccessKeys that satisfy the credentials check; tests of credentials pass their own. */
export const TEST_CREDENTIALS: Credentials = {
  accessKeyId: 'LTAI5tTestKeyId',
  accessKeySecret: 'test-secret',
};

/** An input reader over `inputs`: what is not there reads as unset (''), as @actions/core does. */
export function inputReader(inputs: Readonly<Record<string, string>>): InputReader {
  return (name) => inputs[name] ?? '';
}

/** parseConfig over `inputs`, with test credentials unless others are given. */
export function configFrom(
  inputs: Readonly<Record<string, string>>,
  env: Env = {},
  credentials: Partial<Credentials> = TEST_CREDENTIALS,
  context: AdapterContext = {},
): Config {
  return parseConfig(inputReader(inputs), env, credentials, context);
}
