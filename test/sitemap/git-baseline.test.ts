/** previous-ref against a local stub of the GitHub contents API. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { sitemapChanges, type SitemapSourceOptions } from '../../src/sitemap/changes.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { type GitHubRepoAccess } from '../../src/sitemap/git-baseline.js';
import { MemoryLogger } from '../helpers/logger.js';
import { DEFAULT_RETRY_POLICY } from '../../src/runtime/retry.js';
import {
  limits,
  serve,
  sitemapIndex,
  tempDir,
  urlset,
  writeFiles,
  type Handler,
} from '../helpers/sitemap.js';

const SITE = 'https://www.example.com';
const REF = 'v1.2.3';
const FAST_RETRY = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** The deployed build in a fresh workspace. */
function deployed(files: Record<string, string> = {}): string {
  const dir = tempDir();
  writeFiles(dir, {
    'public/sitemap.xml': sitemapIndex([`${SITE}/sitemaps/a.xml`, `${SITE}/sitemaps/b.xml`]),
    'public/sitemaps/a.xml': urlset([{ loc: `${SITE}/a1`, lastmod: '2026-02-01' }, { loc: `${SITE}/a2` }]),
    'public/sitemaps/b.xml': urlset([{ loc: `${SITE}/b1` }]),
    ...files,
  });
  return dir;
}

/** A contents API serving `files` (repository path -> content) at REF. */
async function contentsApi(
  files: Record<string, string | Buffer>,
  status?: number,
  body = '',
): Promise<{ github: GitHubRepoAccess; requests: { url: string; headers: Record<string, unknown> }[] }> {
  const requests: { url: string; headers: Record<string, unknown> }[] = [];
  const handler: Handler = (req, res) => {
    requests.push({ url: req.url!, headers: req.headers });
    if (status !== undefined) {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
      return;
    }
    const url = new URL(req.url!, 'http://x');
    const prefix = '/api/v3/repos/octo/site/contents/';
    const path = decodeURIComponent(url.pathname.slice(prefix.length));
    const content =
      url.pathname.startsWith(prefix) && url.searchParams.get('ref') === REF ? files[path] : undefined;
    if (content === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"Not Found"}');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/vnd.github.raw' });
      res.end(content);
    }
  };
  const { origin } = await serve(handler);
  return {
    github: { token: 'ghs_secret', apiUrl: `${origin}/api/v3/`, owner: 'octo', repo: 'site' },
    requests,
  };
}

function options(
  workspace: string,
  github: GitHubRepoAccess,
  extra: Partial<SitemapSourceOptions> = {},
): SitemapSourceOptions {
  return {
    workspace,
    sitemap: 'public/sitemap.xml',
    previousRef: REF,
    github,
    changes: parseChanges('added,modified'),
    includeImages: false,
    limits: limits(),
    retryPolicy: FAST_RETRY,
    ...extra,
  };
}

describe('previous-ref', () => {
  it('reads the same path at the ref, raw, with the token, and its children beside it', async () => {
    const { github, requests } = await contentsApi({
      'public/sitemap.xml': sitemapIndex([`${SITE}/sitemaps/a.xml`, `${SITE}/sitemaps/b.xml`]),
      'public/sitemaps/a.xml': gzipSync(
        urlset([{ loc: `${SITE}/a1`, lastmod: '2026-01-01' }, { loc: `${SITE}/a2` }]),
      ),
      'public/sitemaps/b.xml': urlset([{ loc: `${SITE}/b1` }]),
    });
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(deployed(), github), logger);
    expect(result.urls).toEqual([`${SITE}/a1`]);
    expect(result.counts).toMatchObject({
      baseline: 3,
      added: 0,
      modified: 1,
      unchanged: 0,
      notComparable: 2,
    });
    expect(result.baseline).toBe(`public/sitemap.xml at ${REF}`);
    expect(requests.map((r) => r.url)).toEqual([
      `/api/v3/repos/octo/site/contents/public/sitemap.xml?ref=${REF}`,
      `/api/v3/repos/octo/site/contents/public/sitemaps/a.xml?ref=${REF}`,
      `/api/v3/repos/octo/site/contents/public/sitemaps/b.xml?ref=${REF}`,
    ]);
    expect(requests[0]?.headers).toMatchObject({
      accept: 'application/vnd.github.raw',
      authorization: 'Bearer ghs_secret',
      'x-github-api-version': '2022-11-28',
    });
    expect(logger.lines.map((line) => line.message).join('\n')).not.toContain('ghs_secret');
  });

  it('encodes the path and the ref', async () => {
    const { github, requests } = await contentsApi({});
    const dir = deployed({ 'site map/サイト.xml': urlset([{ loc: `${SITE}/x` }]) });
    await sitemapChanges(
      options(dir, github, { sitemap: 'site map/サイト.xml', previousRef: 'feature/a#1' }),
      new MemoryLogger(),
    );
    expect(requests[0]?.url).toBe(
      '/api/v3/repos/octo/site/contents/site%20map/%E3%82%B5%E3%82%A4%E3%83%88.xml?ref=feature%2Fa%231',
    );
  });

  it('a child missing at the ref: a warning, and its URLs count as new', async () => {
    const { github } = await contentsApi({
      'public/sitemap.xml': sitemapIndex([`${SITE}/sitemaps/a.xml`, `${SITE}/sitemaps/b.xml`]),
      'public/sitemaps/a.xml': urlset([{ loc: `${SITE}/a1`, lastmod: '2026-02-01' }, { loc: `${SITE}/a2` }]),
    });
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(deployed(), github), logger);
    expect(result.urls).toEqual([`${SITE}/b1`]);
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^Baseline public\/sitemap\.xml at v1\.2\.3 lists https:\/\/www\.example\.com\/sitemaps\/b\.xml, which is missing \(looked at public\/sitemaps\/b\.xml at v1\.2\.3, public\/b\.xml at v1\.2\.3\); its URLs count as new\.$/,
      ),
    ]);
  });

  it('no such file at the ref (404): no baseline, with a notice', async () => {
    const { github } = await contentsApi({});
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(deployed(), github), logger);
    expect(result.counts).toMatchObject({ deployed: 3, added: 3, baseline: undefined });
    expect(logger.messages('notice')).toEqual([
      'No baseline: public/sitemap.xml at v1.2.3 does not exist (is the file committed at that ref, and is the ref in the repository?). Every URL of the sitemap counts as added.',
    ]);
    expect(logger.messages('warning')).toEqual([]);
  });

  it('a commit GitHub does not have (422, as after a force-push): no baseline, with a notice', async () => {
    const { github } = await contentsApi({}, 422, '{"message":"No commit found for SHA: 5f1e2d3c"}');
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(deployed(), github, { previousRef: '5f1e2d3c' }), logger);
    expect(result.counts).toMatchObject({ deployed: 3, added: 3, baseline: undefined });
    expect(logger.messages('notice')).toEqual([
      'No baseline: public/sitemap.xml at 5f1e2d3c: GitHub does not know the ref: No commit found for SHA: 5f1e2d3c. ' +
        'Every URL of the sitemap counts as added.',
    ]);
    expect(logger.messages('warning')).toEqual([]);
  });

  it("the all-zero SHA (a branch's first push): no baseline, with a notice, and no request", async () => {
    const { github, requests } = await contentsApi({});
    const logger = new MemoryLogger();
    const zero = '0'.repeat(40);
    const result = await sitemapChanges(options(deployed(), github, { previousRef: zero }), logger);
    expect(result.counts).toMatchObject({ deployed: 3, added: 3, baseline: undefined });
    expect(requests).toEqual([]);
    expect(logger.messages('notice')).toEqual([
      `No baseline: public/sitemap.xml at ${zero} does not exist: previous-ref is the all-zero SHA, which GitHub ` +
        "gives as github.event.before on a branch's first push. Every URL of the sitemap counts as added.",
    ]);
    expect(logger.messages('warning')).toEqual([]);
  });

  it.each([401, 403])('HTTP %i: an error naming github-token and the permission', async (status) => {
    const { github } = await contentsApi({}, status, '{"message":"Resource not accessible by integration"}');
    const promise = sitemapChanges(options(deployed(), github), new MemoryLogger());
    await expect(promise).rejects.toThrow(ConfigError);
    await expect(promise).rejects.toThrow(
      `previous-ref: GitHub answered HTTP ${status} reading public/sitemap.xml at v1.2.3: Resource not accessible by integration. ` +
        'Pass a token that can read this repository in github-token, and give the job `permissions: contents: read`.',
    );
  });

  it('HTTP 500, again and again: retried, then a warning, and nothing is selected', async () => {
    const { github, requests } = await contentsApi({}, 500, '{"message":"Server Error"}');
    const logger = new MemoryLogger();
    const result = await sitemapChanges(options(deployed(), github), logger);
    expect(requests).toHaveLength(FAST_RETRY.maxAttempts);
    expect(result.urls).toEqual([]);
    expect(result.counts).toMatchObject({ deployed: 3, added: 0, unknown: 3 });
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^previous-ref: the baseline cannot be read: public\/sitemap\.xml at v1\.2\.3: GitHub answered HTTP 500: Server Error \(3 attempts\)\. Nothing from the sitemap is selected/,
      ),
    ]);
  });

  it('does not send the token to another host on a redirect', async () => {
    const { origin: other, requests: otherRequests } = await serve((_req, res) =>
      res.end(urlset([{ loc: `${SITE}/a1` }])),
    );
    const { origin } = await serve((_req, res) => {
      res.writeHead(302, { Location: `${other.replace('127.0.0.1', 'localhost')}/raw/sitemap.xml` });
      res.end();
    });
    const github = { token: 'ghs_secret', apiUrl: origin, owner: 'octo', repo: 'site' };
    const result = await sitemapChanges(
      options(deployed({ 'public/sitemap.xml': urlset([{ loc: `${SITE}/a1` }]) }), github),
      new MemoryLogger(),
    );
    expect(result.counts).toMatchObject({ baseline: 1, notComparable: 1 });
    expect(otherRequests).toHaveLength(1);
    expect(otherRequests[0]?.headers.authorization).toBeUndefined();
  });

  it('needs a token', async () => {
    await expect(
      sitemapChanges(
        options(deployed(), { token: '', apiUrl: 'http://x', owner: 'o', repo: 'r' }),
        new MemoryLogger(),
      ),
    ).rejects.toThrow('previous-ref: needs github-token');
  });

  it('needs the sitemap inside the workspace', async () => {
    const { github } = await contentsApi({});
    await expect(
      sitemapChanges(
        options(deployed(), github, { sitemap: '../elsewhere/sitemap.xml' }),
        new MemoryLogger(),
      ),
    ).rejects.toThrow('previous-ref: sitemap "../elsewhere/sitemap.xml" is not a file inside the workspace');
  });
});
