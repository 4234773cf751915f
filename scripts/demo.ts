/**
 * `npm run demo`: the whole job end to end with no Alibaba account, in the recommended setup
 * (`site-dir` + `state`). Starts the bundled emulator of the CDN API on 127.0.0.1, with its edge (the
 * CDN as visitors see it, in front of an origin serving the deployed folder), and runs the bundled
 * action (dist/index.js) exactly as the runner would, for three deploys of a small site: the first
 * warms everything, the second only what changed — within a quota too small for it, so the rest is
 * carried —, the third (no change) warms what was carried. Between runs the state file is handed on, as
 * actions/cache does in a workflow, and visitors request every page, so the edge holds the deploy they
 * saw. After each run, once the CDN's tasks have ended, it shows what the edge serves for each URL the
 * deploy changed: fresh and warm, fresh and cold, or stale (the previous deploy's copy).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Edge, type Freshness } from '../emulator/index.js';
import { runAction, type ActionRun } from '../emulator/harness.js';
import { removeOnSignal, removeWorkspaces } from '../emulator/workspaces.js';

const ACCESS_KEY_ID = 'demo-ak-id';
const ACCESS_KEY_SECRET = 'demo-ak-secret';
const STATE = '.cdn-prefetch/state.json';
const SITE = 'https://www.example.com';

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
    'index.html': page('Home', 'Welcome.', nav),
    'about/index.html': page('About', 'Who we are.', nav),
    'css/site.css': version === 1 ? 'body { color: #222 }' : 'body { color: #111 }',
    'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const n of posts) {
    const body = version === 2 && n === 2 ? 'Post 2, corrected.' : `Post ${n}.`;
    files[`blog/post-${n}/index.html`] = page(`Post ${n}`, body, nav);
  }
  return files;
}

/** The URL path a visitor asks for a file by (`a/index.html` → `/a/`). */
const urlPath = (file: string): string => `/${file.replace(/(^|\/)index\.html$/, '$1')}`;

/** The URLs whose content differs between two builds (all of `after`'s without `before`). */
function changedPaths(before: Record<string, string> | undefined, after: Record<string, string>): string[] {
  return Object.keys(after)
    .filter((file) => before?.[file] !== after[file])
    .map(urlPath)
    .sort();
}

async function writeDeploy(dir: string, files: Record<string, string>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** Visitors request every page of the site through the edge, as between two deploys. */
async function visitors(edge: Edge, files: Record<string, string>): Promise<void> {
  const { hostname, port } = new URL(edge.url);
  for (const file of Object.keys(files)) {
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: hostname, port, path: urlPath(file), headers: { host: 'www.example.com' } }, (res) =>
          res.resume().on('end', resolve),
        )
        .on('error', reject);
    });
  }
}

const LABELS: Record<Freshness, string> = {
  'fresh-warm': 'fresh, warm',
  'fresh-cold': 'fresh, cold',
  stale: 'STALE',
  absent: 'absent',
};

const root = await mkdtemp(path.join(os.tmpdir(), 'cdn-prefetch-demo-'));
removeOnSignal([root]);
const emulator = await startEmulator({
  credentials: { [ACCESS_KEY_ID]: ACCESS_KEY_SECRET },
  latencyMs: 30,
  taskDurationMs: 200,
  refreshTaskDurationMs: 400,
  edge: {},
});
try {
  console.log(
    `Emulator of the Alibaba CDN API listening on ${emulator.url}, its edge on ${emulator.edge.url}\n`,
  );
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
  let previous: Record<string, string> | undefined;
  let changed: string[] = [];
  let changedBy = '';
  for (const [index, deploy] of deploys.entries()) {
    const files = site(deploy.version);
    if (previous) await visitors(emulator.edge, previous);
    const dir = path.join(root, `deploy-${index + 1}`);
    await writeDeploy(dir, files);
    emulator.edge.origin.serve(dir);
    emulator.setPreloadRemain(deploy.quota);
    const notFilledBefore = emulator.edge.totals().prefetchesNotFilled;
    const eventsBefore = emulator.edge.events.length;
    // What visitors left warm and fresh already, before this run: a prefetch of it fills nothing.
    const warmBefore = new Set<string>();
    for (const p of changed) {
      if ((await emulator.edge.inspect(SITE + p)).freshness === 'fresh-warm') warmBefore.add(SITE + p);
    }
    const run = await runAction(
      // The recommended inputs; a poll-interval of 1 s, as the emulator's tasks take a few hundred ms.
      { endpoint: emulator.url, 'site-dir': 'public', 'base-url': SITE, state: STATE, 'poll-interval': '1' },
      {
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
        },
        files: {
          ...Object.fromEntries(Object.entries(files).map(([name, text]) => [`public/${name}`, text])),
          ...(state ? { [STATE]: state } : {}),
        },
      },
    );
    state = await readFile(path.join(run.workspace, STATE), 'utf8').catch(() => state);
    await emulator.edge.settled();
    const since = changedPaths(previous, files);
    if (since.length > 0) {
      changed = since;
      changedBy = `deploy ${index + 1}`;
    }
    const edge = new Map<string, Freshness>();
    for (const p of changed) edge.set(p, (await emulator.edge.inspect(SITE + p)).freshness);
    show(deploy.title, run, edge);
    const notFilled = emulator.edge.totals().prefetchesNotFilled - notFilledBefore;
    const visited = emulator.edge.events
      .slice(eventsBefore)
      .filter((event) => event.kind === 'prefetch-not-filled' && warmBefore.has(event.url)).length;
    const counts = (f: Freshness): number => [...edge.values()].filter((v) => v === f).length;
    console.log(
      `  edge, for the ${changed.length} URLs ${changedBy} changed: ` +
        `${counts('fresh-warm')} fresh and warm, ${counts('fresh-cold')} fresh and cold, ${counts('stale')} stale; ` +
        `${notFilled} prefetches could not fill the cache` +
        (visited
          ? ` (${visited === notFilled ? 'all' : visited} of them: visitors had already pulled those pages fresh since ${changedBy})`
          : '') +
        '\n',
    );
    previous = files;
    exitCode ||= run.exitCode ?? 1;
  }
  const calls = emulator.calls.map((call) => `${call.action}${call.code ? ` (${call.code})` : ''}`);
  console.log(`The emulator received ${calls.length} calls: ${[...new Set(calls)].join(', ')}.`);
  console.log(
    `It accepted ${emulator.acceptedPrefetches().length} URLs for prefetch and ${emulator.acceptedRefreshes().length} for refresh over the three deploys.`,
  );
  console.log(
    'A prefetch does not replace a copy the edge holds: what changed in place is refreshed first, and prefetched once its refresh is Complete.',
  );
  process.exitCode = exitCode;
} finally {
  await emulator.close();
  await rm(root, { recursive: true, force: true });
  removeWorkspaces();
}

/** The action's own lines about the site and the run, then each URL's fate and what the edge serves for it. */
function show(title: string, run: ActionRun, edge: ReadonlyMap<string, Freshness>): void {
  console.log(`## ${title}`);
  const lines = run.stdout
    .split('\n')
    .filter((line) =>
      /^(Site |Plan:|state:|Done:|Refresh: \d+ URLs needed|Refresh: no URL|::warning::|::notice::)/.test(
        line,
      ),
    );
  for (const line of lines) console.log(`  ${line.replace(/^::(warning|notice)::/, '$1: ')}`);
  for (const url of run.report?.urls ?? []) {
    const urlPath = url.url.slice(SITE.length);
    const fresh = edge.get(urlPath);
    const why = [
      url.change,
      url.chromeOnly ? 'navigation only' : '',
      url.reason?.replace(/^quota: .*/, 'quota') ?? '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(
      `    ${url.status.padEnd(9)} ${urlPath.padEnd(16)} ${(fresh ? LABELS[fresh] : '').padEnd(11)} ${why}`,
    );
  }
  const outputs = ['submitted-count', 'skipped-count', 'failed-count', 'carried-count'];
  console.log(`  outputs: ${outputs.map((name) => `${name}=${run.outputs[name] ?? ''}`).join(' ')}`);
}
