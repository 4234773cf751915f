/**
 * `npm run bench [-- section ...]`: submission speed against the floor the rate limit sets, a fault
 * soak, refresh + wait, the sitemap diff, site hashing, and freshness at the edge; or only the named
 * sections (submission, soak, follow, sitemap, site, freshness). Prints figures; asserts nothing
 * (speed targets are read by people, not by flaky timed tests).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startEmulator } from '../emulator/index.js';
import { runAction } from '../emulator/harness.js';
import { removeOnSignal, removeWorkspaces } from '../emulator/workspaces.js';

const URLS = 10_000;
const LATENCY_MS = 150;
const RATE = 50;

async function submissionBench(): Promise<void> {
  const emulator = await startEmulator({
    credentials: { bench: 'bench-secret' },
    preloadQuota: URLS,
    latencyMs: LATENCY_MS,
  });
  try {
    const urls = Array.from({ length: URLS }, (_, i) => `https://www.example.com/page/${i}.html`);
    const started = performance.now();
    const result = await runAction(
      { endpoint: emulator.url, 'urls-file': 'urls.txt' },
      {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'bench', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bench-secret' },
        files: { 'urls.txt': urls.join('\n') },
        timeoutMs: 300_000,
      },
    );
    const wall = (performance.now() - started) / 1000;
    const pushes = emulator.calls.filter((c) => c.action === 'PushObjectCache');
    const throttled = emulator.calls.filter((c) => c.code?.includes('Throttling')).length;
    const first = Math.min(...pushes.map((c) => c.arrivedAt));
    const last = Math.max(...pushes.map((c) => c.answeredAt ?? c.arrivedAt));
    const floor = pushes.length / RATE + LATENCY_MS / 1000;
    console.log(`## Submission: ${URLS} URLs, ${LATENCY_MS} ms added latency, ${RATE} calls/s`);
    console.log(`exit code            ${result.exitCode}, submitted ${result.outputs['submitted-count']}`);
    console.log(
      `calls                ${emulator.calls.length} (${pushes.length} PushObjectCache), throttled ${throttled}`,
    );
    console.log(
      `floor                ${floor.toFixed(2)} s  (${pushes.length} calls / ${RATE} per s + one round trip)`,
    );
    console.log(
      `submission window    ${((last - first) / 1000 + LATENCY_MS / 1000).toFixed(2)} s  (first arrival to last answer, + one round trip)`,
    );
    console.log(`action wall time     ${wall.toFixed(2)} s  (node start, quota read, submission, report)`);
    console.log(`wall / floor         ${(wall / floor).toFixed(2)}x  (target <= 1.3x, zero throttled)`);
  } finally {
    await emulator.close();
    removeWorkspaces();
  }
}

const SECTIONS = ['submission', 'soak', 'follow', 'sitemap', 'site', 'freshness'];
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !SECTIONS.includes(name));
if (unknown.length > 0) {
  console.error(`npm run bench: no section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const sections = asked.length > 0 ? SECTIONS.filter((name) => asked.includes(name)) : SECTIONS;

removeOnSignal();
if (sections.includes('submission')) await submissionBench();
// The other sections run in their own processes, so that each one's peak memory is its own.
for (const section of sections.filter((name) => name !== 'submission')) {
  const file = new URL(`./bench-${section}.ts`, import.meta.url);
  if (!existsSync(file)) continue;
  if (section !== sections[0]) console.log('');
  const child = spawnSync(process.execPath, ['--import', 'tsx', file.pathname], { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = child.status ?? 1;
}
