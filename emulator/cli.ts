/**
 * Runs the emulator standalone: `npm run emulator -- [--port N] [--latency-ms N] [--quota N]
 * [--task-duration-ms N]`. Prints one JSON line {url, accessKeyId, accessKeySecret} once listening.
 */
import { DEFAULT_CREDENTIALS, type EmulatorOptions, startEmulator } from './index.js';

const FLAGS = ['--port', '--latency-ms', '--quota', '--task-duration-ms'] as const;

function parseArgs(argv: readonly string[]): EmulatorOptions {
  const values = new Map<string, number>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? '').split('=', 2);
    if (!FLAGS.includes(flag as (typeof FLAGS)[number]))
      throw new Error(`Unknown option ${flag}. Known: ${FLAGS.join(', ')}`);
    const text = inline ?? argv[++i];
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < 0)
      throw new Error(`${flag} needs a non-negative integer, got ${text}`);
    values.set(flag ?? '', n);
  }
  const options: EmulatorOptions = {};
  const port = values.get('--port');
  const latency = values.get('--latency-ms');
  const quota = values.get('--quota');
  const duration = values.get('--task-duration-ms');
  if (port !== undefined) options.port = port;
  if (latency !== undefined) options.latencyMs = latency;
  if (quota !== undefined) options.preloadQuota = quota;
  if (duration !== undefined) options.taskDurationMs = duration;
  return options;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  const [accessKeyId, accessKeySecret] = Object.entries(DEFAULT_CREDENTIALS)[0] ?? ['', ''];
  process.stdout.write(`${JSON.stringify({ url: emulator.url, accessKeyId, accessKeySecret })}\n`);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
