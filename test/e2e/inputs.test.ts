/**
 * The inputs through the bundled action and CLI: every configuration error at once, previous-ref
 * without a usable baseline (a branch's first push, a force-push), the run's context from
 * @actions/github, long lists, save-sitemap beside a list, endpoints, and unsendable entries.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { concurrentTest } from '../helpers/emulator.js';
import { runCliBundle } from '../../emulator/cli-harness.js';
import { runAction } from '../../emulator/harness.js';

const AK_ID = 'inputs-ak-id';
const AK_SECRET = 'inputs-ak-secret';
const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: AK_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: AK_SECRET };
const SITE = 'https://www.example.com';

const it = concurrentTest({ credentials: { [AK_ID]: AK_SECRET } });

/** The `::error::` line of a failed step, with @actions/core's %0A turned back into newlines. */
function errorLine(log: string): string {
  return (/^::error::(.*)$/m.exec(log)?.[1] ?? '').replace(/%0A/g, '\n');
}

describe('every configuration error at once', () => {
  const both =
    /2 problems to fix:\n {2}- area: "mars" must be one of domestic, overseas\n {2}- credentials: no AccessKey found/;

  it('the action: area: mars and no credentials fail the step naming both', async ({ emulator }) => {
    const result = await runAction({ endpoint: emulator.url, urls: `${SITE}/`, area: 'mars' }, { env: {} });
    expect(result.exitCode).toBe(1);
    expect(errorLine(result.log)).toMatch(new RegExp(`^Configuration error: ${both.source}`));
    expect(emulator.calls).toHaveLength(0);
  });

  it('the CLI: --area mars and no credentials exit 2 naming both as the command line sets them', async ({
    emulator,
  }) => {
    const run = await runCliBundle(['--endpoint', emulator.url, '--urls', `${SITE}/`, '--area', 'mars']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /^Configuration error: 2 problems to fix:\n {2}- --area: "mars" must be one of domestic, overseas\n {2}- credentials: no AccessKey found\. Export ALIBABA_CLOUD_ACCESS_KEY_ID/,
    );
    expect(run.stderr).not.toMatch(/role-arn|dry-run: true/);
    expect(emulator.calls).toHaveLength(0);
  });
});

/** A stub of GitHub's contents API: `answer` decides each request; every request is kept. */
async function githubApi(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sitemap = (paths: string[]): string =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
  paths.map((p) => `  <url><loc>${SITE}${p}</loc><lastmod>2026-03-01</lastmod></url>\n`).join('') +
  '</urlset>\n';
const PAGES = ['/', '/a/', '/b/'];

/** Writes a push event's payload, as the runner does, and returns GITHUB_EVENT_PATH. */
async function pushEvent(folder: string, payload: object): Promise<string> {
  const file = path.join(folder, 'event.json');
  await writeFile(file, JSON.stringify(payload));
  return file;
}

describe('previous-ref without a baseline: a notice, every URL added, and the step passes', () => {
  it("the all-zero SHA of a branch's first push: GitHub is not even asked", async ({ emulator }) => {
    const api = await githubApi((_req, res) => void res.writeHead(500).end());
    const zero = '0'.repeat(40);
    try {
      const result = await runAction(
        {
          endpoint: emulator.url,
          sitemap: 'public/sitemap.xml',
          'previous-ref': zero,
          'github-token': 'ghs_x',
        },
        {
          env: { ...env, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/site' },
          files: { 'public/sitemap.xml': sitemap(PAGES) },
        },
      );
      expect(result.exitCode).toBe(0);
      expect(api.requests).toEqual([]);
      expect(result.log).toContain(
        `::notice::No baseline: public/sitemap.xml at ${zero} does not exist: previous-ref is the all-zero SHA`,
      );
      expect(result.log).not.toContain('::warning::');
      expect(result.log).not.toContain('::error::');
      expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual(PAGES.map((p) => SITE + p));
    } finally {
      await api.close();
    }
  });

  it.for([
    [
      422,
      '{"message":"No commit found for SHA: 5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"}',
      'GitHub does not know the ref',
    ],
    [
      404,
      '{"message":"No commit found for the ref 5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"}',
      'does not exist',
    ],
  ] as const)(
    'a SHA the repository no longer has (HTTP %i, after a force-push), with the repository from the event payload',
    async ([status, body, said], { emulator, tempDir }) => {
      const before = '5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6';
      const api = await githubApi(
        (_req, res) => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(body),
      );
      // No GITHUB_REPOSITORY: @actions/github reads the repository from the payload.
      const eventPath = await pushEvent(tempDir(), {
        before,
        forced: true,
        repository: { name: 'site', owner: { login: 'acme' } },
      });
      try {
        const result = await runAction(
          {
            endpoint: emulator.url,
            sitemap: 'public/sitemap.xml',
            'previous-ref': before,
            'github-token': 'ghs_x',
          },
          {
            env: { ...env, GITHUB_API_URL: api.url, GITHUB_EVENT_PATH: eventPath, GITHUB_EVENT_NAME: 'push' },
            files: { 'public/sitemap.xml': sitemap(PAGES) },
          },
        );
        expect(result.exitCode).toBe(0);
        expect(api.requests).toEqual([`/repos/acme/site/contents/public/sitemap.xml?ref=${before}`]);
        expect(result.log).toContain(
          `::notice::previous-ref ${before} is the commit before this forced push`,
        );
        expect(result.log).toMatch(
          new RegExp(`::notice::No baseline: public/sitemap.xml at ${before}.*${said}`),
        );
        expect(result.log).not.toContain('::warning::');
        expect(emulator.acceptedPrefetches()).toHaveLength(PAGES.length);
      } finally {
        await api.close();
      }
    },
  );

  it('outside any repository context, previous-ref is a configuration error', async ({ emulator }) => {
    const result = await runAction(
      { endpoint: emulator.url, sitemap: 'public/sitemap.xml', 'previous-ref': 'abc123' },
      { env, files: { 'public/sitemap.xml': sitemap(PAGES) } },
    );
    expect(result.exitCode).toBe(1);
    expect(errorLine(result.log)).toMatch(
      /^Configuration error: previous-ref: the repository to read from is unknown/,
    );
  });
});

describe('a urls-file of 200,000 lines', () => {
  it('is read whole and planned, every URL accounted for', async ({ start }) => {
    const emulator = await start({ preloadQuota: 200_000 });
    const lines = Array.from({ length: 200_000 }, (_, i) => `${SITE}/p/${i}`);
    const result = await runAction(
      { endpoint: emulator.url, 'urls-file': 'urls.txt', 'dry-run': 'true' },
      { env, files: { 'urls.txt': lines.join('\n') }, timeoutMs: 120_000 },
    );
    expect(result.log).not.toContain('Maximum call stack size exceeded');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['planned-count']).toBe('200000');
    expect(result.report?.urls).toHaveLength(200_000);
    expect(emulator.calls.map((call) => call.action)).toEqual(['DescribeRefreshQuota']);
  }, 150_000);
});

describe('save-sitemap', () => {
  it('beside urls is a configuration error: the urls would never be sent', async ({ emulator }) => {
    const result = await runAction(
      {
        endpoint: emulator.url,
        urls: `${SITE}/x`,
        sitemap: 'public/sitemap.xml',
        'save-sitemap': 'public/sitemap.xml',
      },
      { env, files: { 'public/sitemap.xml': sitemap(PAGES) } },
    );
    expect(result.exitCode).toBe(1);
    const error = errorLine(result.log);
    expect(error).toMatch(/^Configuration error: 2 problems to fix:/);
    expect(error).toContain(
      '- save-sitemap: "public/sitemap.xml" is the sitemap itself, which saving would overwrite',
    );
    expect(error).toContain(
      '- save-sitemap only saves the sitemap and sends nothing, so urls would never be sent',
    );
    expect(emulator.calls).toHaveLength(0);
  });
});

describe('endpoint', () => {
  it('plain http to another host: a warning, and the run goes on (a dry run here)', async () => {
    const result = await runAction(
      { endpoint: 'http://cdn.example.invalid', urls: `${SITE}/`, 'dry-run': 'true' },
      { env: {} },
    );
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(
      '::warning::endpoint: http://cdn.example.invalid is plain http, so signed API calls',
    );
  });

  it('plain http to this machine (the emulator): no warning', async ({ emulator }) => {
    const result = await runAction({ endpoint: emulator.url, urls: `${SITE}/` }, { env });
    expect(result.exitCode).toBe(0);
    expect(result.log).not.toContain('plain http');
  });

  it('with a user name and password: a configuration error that never shows the password', async ({
    emulator,
  }) => {
    const url = new URL(emulator.url);
    const result = await runAction(
      { endpoint: `http://admin:pw-5c4b3a@${url.host}/api`, urls: `${SITE}/` },
      { env },
    );
    expect(result.exitCode).toBe(1);
    expect(errorLine(result.log)).toContain('endpoint: a user name or password in the URL is never used');
    expect(result.log + result.summary).not.toContain('pw-5c4b3a');
    expect(emulator.calls).toHaveLength(0);
  });
});

describe('entries the URL parser would change', () => {
  it('a tab inside an entry fails it with its line; the entry it would have merged with is sent', async ({
    emulator,
  }) => {
    const result = await runAction(
      { endpoint: emulator.url, urls: `${SITE}/a\tb\n${SITE}/ab\n${SITE}:0/c` },
      { env },
    );
    expect(result.exitCode).toBe(1);
    expect(emulator.acceptedPrefetches().map((a) => a.url)).toEqual([`${SITE}/ab`]);
    const reasons = result.report?.urls.filter((u) => u.status === 'failed').map((u) => u.reason);
    expect(reasons).toEqual([
      `urls: line 1 "${SITE}/a\\tb" contains a tab at character 26; a URL cannot hold control characters`,
      `urls: line 3 "${SITE}:0/c" has port 0, which no server listens on`,
    ]);
  });
});
