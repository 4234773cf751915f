/**
 * `npm run demo`: the whole job end to end with no Alibaba account, in the recommended setup
 * (`site-dir` + `state`). Starts the bundled emulator of the CDN API on 127.0.0.1 and runs the bundled
 * action (dist/index.js) exactly as the runner would, for three deploys of a small site: the first warms
 * everything, the second only what changed — within a quota too small for it, so the rest is carried —,
 * the third (no change) warms what was carried. Between runs the state file is handed on, as
 * actions/cache does in a workflow.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startEmulator } from '../emulator/index.js';
import { runAction, type ActionRun } from '../emulator/harness.js';

const ACCESS_KEY_ID = 'demo-ak-id';
const ACCESS_KEY_SECRET = 'demo-ak-secret';
const STATE = '.cdn-prefetch/state.json';

/** A page with the site's navigation around its own content, as generators write them. */
function page(title: string, body: string, nav: readonly string[]): string {
  const links = nav.map((href) => `<li><a href="${href}">${href}</a></li>`).join('');
  return `<!doctype html><html><head><title>${title}</title><link rel="stylesheet" href="/css/site.css"></head><body><nav><ul>${links}</ul></nav><main><h1>${title}</h1><p>${body}</p></main></body></html>`;
}

/** The built site, version 1 or 2: version 2 adds a post, edits one, and changes the stylesheet. */
function site(version: 1 | 2): Record<string, string> {
  const posts = version === 1 ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 6];
  const nav = ['/', ...posts.map((n) => `/blog/post-${n}/`)];
  const files: Record<string, string> = {
    'public/index.html': page('Home', 'Welcome.', nav),
    'public/about/index.html': page('About', 'Who we are.', nav),
    'public/css/site.css': version === 1 ? 'body { color: #222 }' : 'body { color: #111 }',
    'public/img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const n of posts) {
    const body = version === 2 && n === 2 ? 'Post 2, corrected.' : `Post ${n}.`;
    files[`public/blog/post-${n}/index.html`] = page(`Post ${n}`, body, nav);
  }
  return files;
}

const emulator = await startEmulator({ credentials: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET }, latencyMs: 30 });
try {
  console.log(`Emulator of the Alibaba CDN API listening on ${emulator.url}\n`);
  let state: string | undefined;
  const deploys = [
    { title: 'Deploy 1: the first deploy, no state yet', version: 1, quota: 1000 },
    {
      title: 'Deploy 2: one post added, one edited, the stylesheet changed; 4 URLs of quota left',
      version: 2,
      quota: 4,
    },
    { title: 'Deploy 3: a rebuild with no change, a new day of quota', version: 2, quota: 1000 },
  ] as const;
  let exitCode = 0;
  for (const deploy of deploys) {
    emulator.setPreloadRemain(deploy.quota);
    const run = await runAction(
      { endpoint: emulator.url, 'site-dir': 'public', 'base-url': 'https://www.example.com', state: STATE },
      {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
        },
        files: { ...site(deploy.version), ...(state ? { [STATE]: state } : {}) },
      },
    );
    state = await readFile(path.join(run.workspace, STATE), 'utf8').catch(() => state);
    show(deploy.title, run);
    exitCode ||= run.exitCode ?? 1;
  }
  const calls = emulator.calls.map((call) => `${call.action}${call.code ? ` (${call.code})` : ''}`);
  console.log(`The emulator received ${calls.length} calls: ${[...new Set(calls)].join(', ')}.`);
  console.log(
    `It accepted ${emulator.acceptedPrefetches().length} URLs for prefetch over the three deploys.`,
  );
  process.exitCode = exitCode;
} finally {
  await emulator.close();
}

/** The action's own lines about the site and the run, then each URL's fate, then the outputs. */
function show(title: string, run: ActionRun): void {
  console.log(`## ${title}`);
  const lines = run.stdout
    .split('\n')
    .filter((line) => /^(Site |Plan:|state:|Done:|::warning::|::notice::)/.test(line));
  for (const line of lines) console.log(`  ${line.replace(/^::(warning|notice)::/, '$1: ')}`);
  for (const url of run.report?.urls ?? []) {
    const why = [url.change, url.chromeOnly ? 'navigation only' : '', url.reason ?? '']
      .filter(Boolean)
      .join(', ');
    console.log(`    ${url.status.padEnd(9)} ${url.url.padEnd(40)} ${why}`);
  }
  const outputs = ['submitted-count', 'skipped-count', 'failed-count', 'carried-count', 'task-ids'];
  console.log(`  outputs: ${outputs.map((name) => `${name}=${run.outputs[name] ?? ''}`).join(' ')}\n`);
}
