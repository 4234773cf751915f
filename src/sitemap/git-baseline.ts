/**
 * previous-ref: the baseline is the sitemap file as committed at a git ref, read through the GitHub
 * contents API so that a shallow checkout (the default) works. The raw media type is used because
 * the JSON form carries no content for files above 1 MB.
 */
import { readText, type Response } from '../http/fetch.js';
import { ConfigError } from '../base/errors.js';
import { DocumentNotFoundError, DocumentReadError } from './errors.js';
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

/** The SHA GitHub gives for "no commit" (`github.event.before` when a branch is created). */
const NULL_SHA = /^0{40}$/;

export function contentsUrl(file: GitRefFile): string {
  const { apiUrl, owner, repo } = file.github;
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  return (
    `${apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}` +
    `/contents/${path}?ref=${encodeURIComponent(file.ref)}`
  );
}

/**
 * Requests the raw file. The all-zero SHA, 404 and 422 (no such commit) become DocumentNotFoundError
 * (no baseline); 401/403 a ConfigError (the token cannot read the repository: the step must fail,
 * not quietly prefetch everything); any other status a DocumentReadError, transient for 5xx, 408 and 429.
 */
export async function openAtRef(
  file: GitRefFile,
  options: { label: string; timeoutMs: number; maxRedirects: number; signal?: AbortSignal | undefined },
): Promise<OpenedResponse> {
  if (NULL_SHA.test(file.ref)) {
    // github.event.before on a branch's first push: there is no commit before it, so nothing to ask.
    throw new DocumentNotFoundError(
      `${options.label} does not exist: previous-ref is the all-zero SHA, which GitHub gives as ` +
        "github.event.before on a branch's first push",
    );
  }
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
    throw new DocumentNotFoundError(
      `${options.label} does not exist (is the file committed at that ref, and is the ref in the repository?)`,
    );
  }
  if (response.status === 422) {
    // GitHub's answer for a commit it does not have, like github.event.before after a force-push.
    throw new DocumentNotFoundError(`${options.label}: GitHub does not know the ref${detail}`);
  }
  if (response.status === 401 || response.status === 403) {
    const rateLimited =
      response.headers.get('x-ratelimit-remaining') === '0' ? ' (API rate limit exhausted)' : '';
    throw new ConfigError(
      `previous-ref: GitHub answered HTTP ${response.status}${rateLimited} reading ${options.label}${detail}. ` +
        'Pass a token that can read this repository in github-token, and give the job `permissions: contents: read`.',
    );
  }
  throw new DocumentReadError(
    `${options.label}: GitHub answered HTTP ${response.status}${detail}`,
    isTransientStatus(response.status),
  );
}

/** HTTP statuses worth another try: the server is overloaded, restarting or asks us to slow down. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
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
