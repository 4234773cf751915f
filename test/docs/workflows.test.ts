/**
 * The workflows a site owner copies survive GitHub as it is: every snippet names the same two
 * secrets (a copy with other names runs with empty credentials); the state's cache key has the run's
 * attempt (a re-run must save its own state: an entry is never overwritten); the runs that share the
 * state share one concurrency group in which none cancels another (queue: max); every example uploads
 * the report under the name the summary gives; and a job's timeout-minutes leaves each step of the
 * action its own deadline, computed from the step's inputs as the action computes it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { docFiles, exampleFiles, ROOT } from '../../scripts/docs.js';
import { REPORT_ARTIFACT } from '../../src/report/listing.js';
import { configFrom } from '../helpers/inputs.js';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'timeout-minutes'?: number;
  steps?: Step[];
}
interface Workflow {
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean; queue?: string };
  jobs?: Record<string, Job>;
}

const SECRETS = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'ALIYUN_ACCESS_KEY_ID',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ALIYUN_ACCESS_KEY_SECRET',
};
/** GitHub's limit for a job that sets no timeout-minutes. */
const DEFAULT_JOB_MINUTES = 360;
/** What a job's other steps (checkout, build, deploy, cache, upload) get at least, besides the action. */
const OTHER_STEPS_MINUTES = 5;

const examples = await Promise.all(
  (await exampleFiles()).map(async (name) => ({
    file: `examples/${name}`,
    text: await readFile(path.join(ROOT, 'examples', name), 'utf8'),
  })),
);
/** Every YAML block of README and docs/, and every example. */
const snippets = [
  ...examples,
  ...(
    await Promise.all(
      (await docFiles()).map(async (file) => ({ file, text: await readFile(path.join(ROOT, file), 'utf8') })),
    )
  ).flatMap(({ file, text }) =>
    [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => ({ file, text: m[1] ?? '' })),
  ),
];
const isOurs = (step: Step): boolean => /^[^/]+\/cdn-prefetch@/.test(step.uses ?? '');

/** What a step's `with:` values stand for here: an expression becomes a plausible value of its input. */
function inputsOf(step: Step): Record<string, string> {
  return Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => {
      const text = String(value);
      if (!text.includes('${{')) return [name, text];
      return [
        name,
        /dry-run|refresh|wait|verify/.test(name) ? 'false' : text.replace(/\$\{\{[^}]*\}\}/g, '/tmp/x'),
      ];
    }),
  );
}

describe('the workflows a site owner copies', () => {
  it('name the same two secrets everywhere, each for its own variable', () => {
    const found = new Set<string>();
    for (const { file, text } of snippets) {
      for (const match of text.matchAll(/(\w+):\s*\$\{\{\s*secrets\.(\w+)\s*\}\}/g)) {
        const [, variable = '', secret = ''] = match;
        found.add(secret);
        expect({ file, variable, secret }).toEqual({
          file,
          variable,
          secret: SECRETS[variable as keyof typeof SECRETS] ?? `a secret named for ${variable}`,
        });
      }
    }
    expect([...found].sort()).toEqual(Object.values(SECRETS).sort());
  });

  it('finds another secret name (the check itself)', () => {
    const text = 'env:\n  ALIBABA_CLOUD_ACCESS_KEY_ID: ${{ secrets.ALIYUN_AK_ID }}\n';
    const [match] = [...text.matchAll(/(\w+):\s*\$\{\{\s*secrets\.(\w+)\s*\}\}/g)];
    expect(SECRETS[match?.[1] as keyof typeof SECRETS]).not.toBe(match?.[2]);
  });

  it.each(examples.map((e) => [e.file, e.text]))(
    '%s: the state survives re-runs and concurrent runs',
    (_file, text) => {
      const workflow = parse(text) as Workflow;
      const steps = Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
      const caches = steps.filter((step) => /^actions\/cache\/(save|restore)@/.test(step.uses ?? ''));
      if (caches.length === 0) return;
      // A re-run is the same run_id: only the attempt makes its key new.
      for (const cache of caches)
        expect(String(cache.with?.['key'])).toMatch(
          /\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/,
        );
      // Deploys and the drain share one group, and a pending run never cancels another.
      expect(workflow.concurrency).toEqual({
        group: 'cdn-prefetch-state-${{ github.ref }}',
        'cancel-in-progress': false,
        queue: 'max',
      });
    },
  );

  it.each(examples.map((e) => [e.file, e.text]))(
    '%s: uploads the report under the name the summary gives',
    (_file, text) => {
      const steps = Object.values((parse(text) as Workflow).jobs ?? {}).flatMap((job) => job.steps ?? []);
      const ours = steps.filter(
        (step) => isOurs(step) && step.id !== undefined && !step.with?.['save-sitemap'],
      );
      expect(ours.length).toBeGreaterThan(0);
      for (const step of ours) {
        const upload = steps.find(
          (s) =>
            /^actions\/upload-artifact@/.test(s.uses ?? '') &&
            s.with?.['path'] === `\${{ steps.${step.id}.outputs.report }}`,
        );
        expect(upload?.with).toMatchObject({ name: REPORT_ARTIFACT, overwrite: true });
      }
    },
  );

  it.each(examples.map((e) => [e.file, e.text]))(
    "%s: the job's timeout leaves the action its own deadline",
    (_file, text) => {
      for (const job of Object.values((parse(text) as Workflow).jobs ?? {})) {
        const deadlines = (job.steps ?? [])
          .filter(isOurs)
          .map((step) => configFrom(inputsOf(step)).timeoutMs / 60_000);
        if (deadlines.length === 0) continue;
        const needed = deadlines.reduce((sum, minutes) => sum + minutes, 0) + OTHER_STEPS_MINUTES;
        expect(job['timeout-minutes'] ?? DEFAULT_JOB_MINUTES).toBeGreaterThanOrEqual(needed);
      }
    },
  );

  it('computes a deadline the way the action does (the check itself)', () => {
    // refresh-and-wait's settings: two waits of 1800 s past the 600 s: 70 minutes, more than 45.
    const inputs = { 'urls-file': 'u.txt', refresh: 'true', wait: 'true', 'wait-timeout': '1800' };
    expect(configFrom(inputs).timeoutMs / 60_000).toBe(70);
    // site-dir with state: the refresh of what changed in place may wait (refresh: changed).
    expect(
      configFrom({ 'site-dir': 'public', 'base-url': 'https://www.example.com', state: 's.json' }).timeoutMs /
        60_000,
    ).toBe(25);
  });
});
