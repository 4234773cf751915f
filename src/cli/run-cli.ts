/**
 * The command-line adapter: flags in, a closing table (or the JSON report) out, and an exit code. The
 * flags are read through the same parseConfig as the action's inputs, and the run is the same
 * runPrefetch: only the talking to the outside differs.
 */
import { type Config } from '../config/config.js';
import { ConfigError, errorMessage, UsageError } from '../base/errors.js';
import { INPUTS, INPUT_NAMES } from '../config/inputs.js';
import { parseConfig, readCredentials, type Env, type InputReader } from '../config/parse.js';
import { configErrorsOf } from '../config/problems.js';
import { reportPieces } from '../report/report.js';
import { verdict } from '../report/verdict.js';
import { runPrefetch } from '../run.js';
import { RunStop } from '../runtime/stop.js';
import { createRedactor, type Redactor } from '../base/redact.js';
import { proxySecrets } from '../http/proxy.js';
import { stopOnSignals } from '../runtime/signals.js';
import { renderClosing } from '../report/closing.js';
import { ConsoleLogger } from './console-logger.js';
import { flagSpecs, parseFlags, type ParsedFlags } from './flags.js';
import { renderHelp } from './help.js';

/** README's and --help's exit codes; after a signal, the shell's convention: 128 + its number. */
const EXIT = { done: 0, failed: 1, usage: 2, SIGINT: 130, SIGTERM: 143 } as const;

/** The process, as the CLI sees it; tests pass their own streams. */
export interface CliIo {
  argv: readonly string[];
  env: Env;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  version: string;
}

/** Runs the command; resolves to the exit code. */
export async function runCli(io: CliIo): Promise<number> {
  const specs = flagSpecs();
  let flags: ParsedFlags;
  try {
    flags = parseFlags(io.argv, specs);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`cdn-prefetch: ${error.message}\nRun 'cdn-prefetch --help' for every flag.\n`);
    return EXIT.usage;
  }
  if (flags.help) {
    io.stdout.write(renderHelp(specs, Math.max(60, Math.min(100, io.stderr.columns ?? 100))));
    return EXIT.done;
  }
  if (flags.version) {
    io.stdout.write(`${io.version}\n`);
    return EXIT.done;
  }
  // Credentials from the environment only: readCredentials with no inputs falls back to ALIBABA_CLOUD_*.
  const credentials = readCredentials(() => '', io.env);
  // In every spelling (base/redact.ts): the keys, the STS token, the proxy's password.
  const redact = createRedactor([...Object.values(credentials), ...proxySecrets(io.env)]);
  const logger = new ConsoleLogger(io.stderr, {
    tty: io.stderr.isTTY === true && io.env['TERM'] !== 'dumb',
    verbose: flags.verbose,
    redact,
  });
  try {
    const config = await cliConfig(flags, io, credentials);
    for (const message of config.messages) logger[message.level](message.text);
    return await execute(config, flags, io, logger, redact);
  } catch (error) {
    logger.close();
    const message = redact(errorMessage(error));
    if (error instanceof ConfigError) {
      io.stderr.write(`Configuration error: ${message}${cliHint(error)}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`Error: ${message}\n`);
    return EXIT.failed;
  }
}

async function execute(
  config: Config,
  flags: ParsedFlags,
  io: CliIo,
  logger: ConsoleLogger,
  redact: Redactor,
): Promise<number> {
  const stop = new RunStop();
  const signals = stopOnSignals(stop, (message) => logger.warning(message));
  let result;
  try {
    result = await runPrefetch(config, { logger, stop });
  } finally {
    signals.dispose();
    logger.close();
  }
  if (flags.json) await writePieces(io.stdout, reportPieces(result, redact));
  else io.stdout.write(redact(renderClosing(result)));
  const failure = verdict(result, config.failOn);
  // The action points at its job summary; here the list is just above.
  if (failure) io.stderr.write(`${redact(failure.listed ? `${failure.reason}.` : failure.reason)}\n`);
  if (signals.received === 'SIGINT' || signals.received === 'SIGTERM') return EXIT[signals.received];
  return failure ? EXIT.failed : EXIT.done;
}

/**
 * Writes `pieces` one after the other, each once the reader has taken enough of the last (a report of
 * a million URLs is never held whole in the stream's buffer). A stream that ends (the reader closed
 * it) takes nothing more: the adapter's exit code says so.
 */
async function writePieces(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  const ended = (): boolean => (stream as { destroyed?: boolean }).destroyed === true;
  for (const piece of pieces) {
    if (ended()) return;
    if (stream.write(piece) || ended()) continue;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        for (const event of ['drain', 'close', 'error']) stream.off(event, done);
        resolve();
      };
      for (const event of ['drain', 'close', 'error']) stream.on(event, done);
    });
  }
}

/** The flags as action inputs (the spec's defaults for the rest), through the action's own parser. */
async function cliConfig(
  flags: ParsedFlags,
  io: CliIo,
  credentials: ReturnType<typeof readCredentials>,
): Promise<Config> {
  const fromStdin = flags.inputs['urls-file']?.trim() === '-';
  // Inputs that are not flags (secrets, GitHub-only) read as unset.
  const input: InputReader = (name) => flags.inputs[name] ?? '';
  // Relative paths are relative to where the command runs, whatever a surrounding CI job says.
  const env: Env = { ...io.env, GITHUB_WORKSPACE: io.cwd };
  const config = parseConfig(input, env, credentials, { urlsFromStdin: fromStdin });
  if (!fromStdin) return config;
  if (io.stdin.isTTY) io.stderr.write('Reading URLs from standard input, one per line; end with Ctrl-D.\n');
  return { ...config, cli: { urlsFileStdin: await readAll(io.stdin) } };
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)));
    stream.on('end', () =>
      resolve(
        Buffer.concat(chunks)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
      ),
    );
    stream.on('error', reject);
  });
}

/** The inputs that hold an AccessKey: secrets with an ALIBABA_CLOUD_* variable to fall back to. */
const ACCESS_KEY_INPUTS = new Set<string>(
  INPUT_NAMES.filter((name) => INPUTS[name].kind === 'secret' && INPUTS[name].env),
);

/**
 * The action's messages about credentials speak of inputs, which are no flags here: when an error is
 * about an input that holds the AccessKey, say what that means on the command line.
 */
function cliHint(error: ConfigError): string {
  if (!configErrorsOf(error).some((each) => ACCESS_KEY_INPUTS.has(each.input ?? ''))) return '';
  return (
    `\nOn the command line: export ${INPUTS['access-key-id'].env} and ${INPUTS['access-key-secret'].env} ` +
    `(and ${INPUTS['security-token'].env} with STS credentials), or plan without them with --dry-run.`
  );
}
