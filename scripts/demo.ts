/**
 * `npm run demo`: the whole job end to end with no Alibaba account. Starts the bundled emulator of the
 * CDN API on 127.0.0.1, runs the bundled action (dist/index.js) on a sample list exactly as the runner
 * would, and shows what it did.
 */
import { startEmulator } from '../test/emulator/index.js';
import { runAction } from '../test/e2e/harness.js';

const ACCESS_KEY_ID = 'demo-ak-id';
const ACCESS_KEY_SECRET = 'demo-ak-secret';

const sample = [
  '# A deploy of www.example.com: pages, a few assets, one duplicate in another spelling.',
  ...Array.from({ length: 140 }, (_, i) => `/blog/post-${i + 1}/`),
  'https://www.example.com/',
  'HTTPS://WWW.EXAMPLE.COM:443/#top',
  'https://static.example.com/css/site.css',
  'static.example.com/js/app.js',
  'https://static.example.com/img/logo.png',
].join('\n');

const emulator = await startEmulator({ credentials: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET }, latencyMs: 30 });
try {
  console.log(`Emulator of the Alibaba CDN API listening on ${emulator.url}\n`);
  const result = await runAction(
    { endpoint: emulator.url, 'urls-file': 'urls.txt', 'base-url': 'https://www.example.com' },
    {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET },
      files: { 'urls.txt': sample },
    },
  );
  // The action's own log, without the runner's workflow commands for masking.
  const log = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
    .join('\n');
  console.log(log);
  console.log('Outputs a later step would read:');
  for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name}: ${value}`);
  const calls = emulator.calls.map((call) => `${call.action}${call.code ? ` (${call.code})` : ''}`);
  console.log(`\nThe emulator received ${calls.length} calls: ${[...new Set(calls)].join(', ')}.`);
  console.log(`It accepted ${emulator.acceptedPrefetches().length} URLs for prefetch.`);
  process.exitCode = result.exitCode ?? 1;
} finally {
  await emulator.close();
}
