/**
 * `npx tsx scripts/bench-follow.ts` (after `npm run build`): a 1,000-URL run with refresh and wait
 * against the emulator — refresh, wait for the refresh, prefetch, wait for the prefetch — and the figures:
 * wall time, each phase's span, and every API call the action made. Prints; asserts nothing.
 */
import { startEmulator, type CallRecord } from '../emulator/index.js';
import { runAction } from '../emulator/harness.js';
import { removeOnSignal, removeWorkspaces } from '../emulator/workspaces.js';

const URLS = 1000;
const HOSTS = ['www.example.com', 'static.example.com', 'cdn.example.com', 'example.com'];
const TASK_DURATION_MS = 3000;
const LATENCY_MS = 20;
const POLL_INTERVAL_S = 1;

removeOnSignal();
const emulator = await startEmulator({
  credentials: { bench: 'bench-secret' },
  taskDurationMs: TASK_DURATION_MS,
  latencyMs: LATENCY_MS,
});
try {
  const urls = Array.from({ length: URLS }, (_, i) => `https://${HOSTS[i % HOSTS.length]}/page/${i}.html`);
  const started = performance.now();
  const result = await runAction(
    {
      endpoint: emulator.url,
      'urls-file': 'urls.txt',
      refresh: 'true',
      wait: 'true',
      'poll-interval': String(POLL_INTERVAL_S),
      'wait-timeout': '120',
    },
    {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'bench', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bench-secret' },
      files: { 'urls.txt': urls.join('\n') },
      timeoutMs: 300_000,
    },
  );
  const wall = (performance.now() - started) / 1000;
  const calls = emulator.calls;
  const byAction = new Map<string, number>();
  for (const call of calls) byAction.set(call.action, (byAction.get(call.action) ?? 0) + 1);
  const of = (action: string): CallRecord[] => calls.filter((c) => c.action === action);
  const arrived = (list: CallRecord[]) => list.map((c) => c.arrivedAt);
  const answered = (list: CallRecord[]) => list.map((c) => c.answeredAt ?? c.arrivedAt);
  const pushes = of('PushObjectCache');
  const firstPush = Math.min(...arrived(pushes));
  const polls = of('DescribeRefreshTaskById');
  const refreshPolls = polls.filter((c) => c.arrivedAt < firstPush);
  const prefetchPolls = polls.filter((c) => c.arrivedAt > firstPush);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const o = result.outputs;

  console.log(
    `## Refresh + prefetch + wait: ${URLS} URLs on ${HOSTS.length} hosts, tasks take ${TASK_DURATION_MS / 1000} s, ` +
      `poll-interval ${POLL_INTERVAL_S} s, ${LATENCY_MS} ms added latency`,
  );
  console.log(`exit code              ${result.exitCode}`);
  console.log(
    `outputs                submitted ${o['submitted-count']}, completed ${o['completed-count']}, ` +
      `prefetch-failed ${o['prefetch-failed-count']}, pending ${o['pending-count']}, ` +
      `refresh tasks ${o['refresh-task-ids']?.split(',').length ?? 0}`,
  );
  console.log(`action wall time       ${wall.toFixed(2)} s  (node start to exit)`);
  console.log(
    `refresh + its wait     ${seconds(firstPush - Math.min(...arrived(of('RefreshObjectCaches'))))}  ` +
      `(first RefreshObjectCaches to first PushObjectCache; ${refreshPolls.length} polls)`,
  );
  console.log(
    `submission             ${seconds(Math.max(...answered(pushes)) - firstPush)}  (${pushes.length} calls)`,
  );
  console.log(
    `prefetch wait          ${seconds(Math.max(...answered(prefetchPolls)) - Math.max(...answered(pushes)))}  ` +
      `(last PushObjectCache to last poll; ${prefetchPolls.length} polls)`,
  );
  console.log(`API calls              ${calls.length}`);
  for (const [action, count] of byAction) console.log(`  ${action.padEnd(24)} ${count}`);
  const errors = calls.filter((c) => c.code !== undefined).length;
  console.log(`calls answered with an error: ${errors}`);
  process.exitCode = result.exitCode ?? 1;
} finally {
  await emulator.close();
  removeWorkspaces();
}
