/**
 * The soak run: 20,000 URLs through the bundled action against the emulator, with random faults on
 * 5 % of the calls and random latency. Checks the invariants and prints the figures.
 */
import { CALL_FAULT_KINDS, startEmulator } from '../emulator/index.js';
import { runAction } from '../emulator/harness.js';
import { removeOnSignal, removeWorkspaces } from '../emulator/workspaces.js';

const URLS = 20_000;
const FAULT_RATE = 0.05;
const KINDS = CALL_FAULT_KINDS;

// A seeded generator, so that a surprising run can be repeated.
const seed = Number(process.env['SOAK_SEED'] ?? Date.now() % 100_000);
let state = seed;
const random = (): number => {
  state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
  return state / 2_147_483_648;
};

removeOnSignal();
const emulator = await startEmulator({
  credentials: { 'soak-ak-id-0001': 'soak-secret-value' },
  preloadQuota: URLS,
  latencyMs: () => Math.round(random() * 200),
});
try {
  const injected: Record<string, number> = {};
  // Faults on PushObjectCache calls, numbered as the emulator sees them (retries included).
  for (let nth = 1; nth <= 400; nth++) {
    if (random() >= FAULT_RATE) continue;
    const kind = KINDS[Math.floor(random() * KINDS.length)] ?? 'throttling';
    emulator.injectFaults({ kind, nth, retryAfterMs: 200 });
    injected[kind] = (injected[kind] ?? 0) + 1;
  }
  const urls = Array.from({ length: URLS }, (_, i) => `https://www.example.com/soak/${i}.html`);
  const started = performance.now();
  const result = await runAction(
    { endpoint: emulator.url, 'urls-file': 'urls.txt', 'request-timeout': '3' },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'soak-ak-id-0001',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'soak-secret-value',
      },
      files: { 'urls.txt': urls.join('\n') },
      timeoutMs: 600_000,
    },
  );
  const wall = (performance.now() - started) / 1000;
  const accepted = emulator.acceptedPrefetches().map((a) => a.url);
  const acceptedTwice = accepted.length - new Set(accepted).size;
  const reported = new Map((result.report?.urls ?? []).map((u) => [u.url, u]));
  const lost = urls.filter((url) => !reported.has(url)).length;
  const acceptedNotReported = accepted.filter((url) => {
    const entry = reported.get(url);
    return !(entry?.status === 'submitted' || entry?.reason?.startsWith('outcome unknown'));
  }).length;
  const byAction = new Map<string, number>();
  for (const call of emulator.calls) byAction.set(call.action, (byAction.get(call.action) ?? 0) + 1);
  const faulted = emulator.calls.filter((c) => c.fault !== undefined).length;

  console.log(
    `## Soak: ${URLS} URLs, faults on ${FAULT_RATE * 100} % of calls, latency 0-200 ms (seed ${seed})`,
  );
  console.log(
    `faults injected       ${Object.entries(injected)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log(`faults hit            ${faulted}`);
  console.log(`calls                 ${[...byAction].map(([a, n]) => `${a} ${n}`).join(', ')}`);
  console.log(`retries               ${String(result.report?.['retries'] ?? '?')}`);
  console.log(`confirmed by look-up  ${result.outputs['confirmed-count']}`);
  console.log(
    `outcomes              submitted ${result.outputs['submitted-count']}, skipped ${result.outputs['skipped-count']}, failed ${result.outputs['failed-count']}`,
  );
  console.log(`URLs lost             ${lost}`);
  console.log(`accepted twice        ${acceptedTwice}`);
  console.log(`accepted, unreported  ${acceptedNotReported}`);
  console.log(`wall time             ${wall.toFixed(1)} s (exit code ${result.exitCode})`);
  if (lost || acceptedTwice || acceptedNotReported) process.exitCode = 1;
} finally {
  await emulator.close();
  removeWorkspaces();
}
