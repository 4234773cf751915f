/**
 * Runs the emulator standalone: `npm run emulator -- [--port N] [--latency-ms N] [--quota N]
 * [--task-duration-ms N] [--refresh-task-duration-ms N] [--edge] [--origin-dir DIR] [--edge-port N]`.
 * Prints one JSON line {url, accessKeyId, accessKeySecret} once listening, with `edge` and `origin`
 * (their URLs) when the edge was asked for (`--edge`, or `--origin-dir`, the folder the origin serves).
 */
import { DEFAULT_CREDENTIALS, type EdgeOptions, type EmulatorOptions, startEmulator } from './index.js';

const NUMBER_FLAGS = [
  '--port',
  '--latency-ms',
  '--quota',
  '--task-duration-ms',
  '--refresh-task-duration-ms',
  '--edge-port',
] as const;
const FLAGS: readonly string[] = [...NUMBER_FLAGS, '--edge', '--origin-dir'];

function parseArgs(argv: readonly string[]): EmulatorOptions {
  const numbers = new Map<string, number>();
  let edge: EdgeOptions | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split('=', 2);
    if (!FLAGS.includes(flag)) throw new Error(`Unknown option ${flag}. Known: ${FLAGS.join(', ')}`);
    if (flag === '--edge') {
      edge ??= {};
      continue;
    }
    const text = inline ?? argv[++i];
    if (flag === '--origin-dir') {
      if (text === undefined || text === '') throw new Error('--origin-dir needs a folder');
      edge = { ...edge, originDir: text };
      continue;
    }
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < 0)
      throw new Error(`${flag} needs a non-negative integer, got ${text}`);
    numbers.set(flag, n);
  }
  const options: EmulatorOptions = {};
  const set = <K extends keyof EmulatorOptions>(key: K, flag: string): void => {
    const value = numbers.get(flag);
    if (value !== undefined) options[key] = value as EmulatorOptions[K];
  };
  set('port', '--port');
  set('latencyMs', '--latency-ms');
  set('preloadQuota', '--quota');
  set('taskDurationMs', '--task-duration-ms');
  set('refreshTaskDurationMs', '--refresh-task-duration-ms');
  const edgePort = numbers.get('--edge-port');
  if (edgePort !== undefined) edge = { ...edge, port: edgePort };
  if (edge !== undefined) options.edge = edge;
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const emulator = await startEmulator(options);
  const [accessKeyId, accessKeySecret] = Object.entries(DEFAULT_CREDENTIALS)[0] ?? ['', ''];
  const edge = options.edge ? { edge: emulator.edge.url, origin: emulator.edge.origin.url } : {};
  process.stdout.write(`${JSON.stringify({ url: emulator.url, accessKeyId, accessKeySecret, ...edge })}\n`);
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
