/** A built site written by the test, and one simulated deploy run over it with a small quota. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import type { StopReason } from '../../src/runtime/stop.js';
import {
  compileContentIgnore,
  nextState,
  planSiteChanges,
  readState,
  scanSite,
  writeState,
  type NextState,
  type PlanOptions,
  type SitePlan,
  type SiteScan,
} from '../../src/site/index.js';
import { parseChanges } from '../../src/sitemap/diff.js';

export const BASE = 'https://www.example.com';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdn-prefetch-site-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Replaces `dir`'s content with `files` (path -> text or bytes): a fresh build. */
export function writeSite(dir: string, files: Record<string, string | Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** A page as a generator writes it: navigation listing `nav`, then the page's own `<main>`. */
export function page(title: string, content: string, nav: readonly string[] = []): string {
  const links = nav.map((href) => `<li><a href="${href}">${href}</a></li>`).join('\n');
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title><link rel="stylesheet" href="/css/site.css"></head>\n` +
    `<body><nav><ul>\n${links}\n</ul></nav>\n<main><h1>${title}</h1>\n<p>${content}</p></main>\n` +
    `<footer>site</footer></body></html>\n`
  );
}

export interface DeployOptions extends Partial<PlanOptions> {
  /** How many URLs the CDN accepts this run; the rest are skipped for quota. */
  quota?: number;
  /** Outcome of a URL instead of submitted/skipped-for-quota (e.g. failed, cut by the deadline). */
  outcomeOf?: (url: string, order: number) => UrlOutcome | undefined;
  stopped?: StopReason;
  contentIgnore?: string;
  day?: string;
}

export interface Deploy {
  scan: SiteScan;
  plan: SitePlan;
  next: NextState;
  outcomes: UrlOutcome[];
}

/**
 * One run as run.ts will do it: read the state, scan, plan, "send" (the first `quota` URLs are
 * accepted, the rest skipped for quota, unless outcomeOf says otherwise), build and write the next state.
 */
export async function deploy(workspace: string, options: DeployOptions = {}): Promise<Deploy> {
  const statePath = path.join(workspace, 'state/site.json');
  const now = new Date(`${options.day ?? '2026-03-02'}T10:00:00Z`);
  const read = await readState(statePath, 'state/site.json');
  const scan = await scanSite({
    workspace,
    siteDir: 'public',
    baseUrl: BASE,
    contentIgnore: compileContentIgnore(options.contentIgnore),
    state: 'state/site.json',
    previous: read.kind === 'found' ? read.state.files : undefined,
  });
  const plan = planSiteChanges(scan, read, {
    changes: options.changes ?? parseChanges(''),
    exclude: options.exclude,
    carryDays: options.carryDays ?? 7,
    now,
    sitemap: options.sitemap,
  });
  const quota = options.quota ?? Infinity;
  const outcomes = plan.urls.map((planned, order): UrlOutcome => {
    const special = options.outcomeOf?.(planned.url, order);
    if (special !== undefined) return special;
    return order < quota
      ? { url: planned.url, status: 'submitted', taskId: `task-${order}`, order }
      : {
          url: planned.url,
          status: 'skipped',
          skip: 'quota',
          reason: `quota: the daily prefetch quota had ${quota} URLs left`,
          order,
        };
  });
  const next = nextState({ scan, plan, outcomes, stopped: options.stopped, now });
  await writeState(statePath, next.state);
  return { scan, plan, next, outcomes };
}

/** The plan's URLs without the base, for short assertions. */
export function paths(plan: SitePlan): string[] {
  return plan.urls.map((u) => u.url.slice(BASE.length));
}
