/**
 * previous-ref: the baseline is the sitemap file as committed at a git ref, read through the GitHub
 * contents API so that a shallow checkout (the default) works. The raw media type is used because
 * the JSON form carries no content for files above 1 MB.
 */
import { readText, type Response } from '../http/fetch.js';
import { DocumentNotFoundError, ConfigError } from '../base/errors.js';
import { discard, getFollowingRedirects, type OpenedResponse } from '../http/download.js';

/** What is needed to read files of the workflow's repository. */
export interface GitHubRepoAccess {
  /** The `github-token` input. */
  token: string;
  /** `GITHUB_API_URL`, e.g. https://api.github.com (GHES has its own). */
  apiUrl: string;
  owner: string;
  repo: string;
}

/** A file at a git ref: `path` is relative to the repository root, with forward slashes. */
export interface GitRefFile {
  path: string;
  ref: string;
  github: GitHubRepoAccess;
}

export function contentsUrl(file: GitRefFile): string {
  const { apiUrl, owner, repo } = file.github;
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  return (
    `${apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}` +
    `/contents/${path}?ref=${encodeURIComponent(file.ref)}`
  );
}

/**
 * Requests the raw file. 404 becomes DocumentNotFoundError (no baseline); 401/403 a
 * ConfigError (the token cannot read the repository: the step must fail, not quietly
 * prefetch everything); any other status a plain Error (the caller warns and goes on without it).
 */
export async function openAtRef(
  file: GitRefFile,
  options: { label: string; timeoutMs: number; maxRedirects: number; signal?: AbortSignal | undefined },
): Promise<OpenedResponse> {
  const opened = await getFollowingRedirects(contentsUrl(file), {
    ...options,
    headers: {
      Accept: 'application/vnd.github.raw',
      Authorization: `Bearer ${file.github.token}`,
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'cdn-prefetch',
    },
  });
  const { response } = opened;
  if (response.ok) return opened;
  const detail = await gitHubMessage(response);
  if (response.status === 404) {
    throw new DocumentNotFoundError(`${options.label} does not exist (is the file committed at that ref?)`);
  }
  if (response.status === 401 || response.status === 403) {
    const rateLimited =
      response.headers.get('x-ratelimit-remaining') === '0' ? ' (API rate limit exhausted)' : '';
    throw new ConfigError(
      `previous-ref: GitHub answered HTTP ${response.status}${rateLimited} reading ${options.label}${detail}. ` +
        'Pass a token that can read this repository in github-token, and give the job `permissions: contents: read`.',
    );
  }
  throw new Error(`${options.label}: GitHub answered HTTP ${response.status}${detail}`);
}

/** GitHub's JSON error `message`, if the body has one, as `: message`. */
async function gitHubMessage(response: Response): Promise<string> {
  try {
    const text = (await readText(response)).slice(0, 2000);
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' && message !== '' ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  } finally {
    discard(response);
  }
}
