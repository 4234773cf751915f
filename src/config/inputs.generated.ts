// Generated from action.yml by scripts/docs.ts (`npm run docs`; `npm run build` runs it too). Do not edit.

/** One input of action.yml. */
export interface ActionInput {
  name: string;
  description: string;
  /** The default as written in action.yml; '' when there is none. */
  default: string;
  required: boolean;
}

export const ACTION_INPUTS: readonly ActionInput[] = [
  {
    name: 'urls',
    description:
      'URLs to prefetch, one per line. Blank lines and lines starting with # are ignored. Forms: https://host/path (http too), host/path or host:port/path (taken as https), and /path (resolved against base-url).',
    default: '',
    required: false,
  },
  {
    name: 'urls-file',
    description:
      'A workspace-relative file of URLs in the same format as urls. Use it for long lists: Linux refuses an input (environment variable) over 128 KiB.',
    default: '',
    required: false,
  },
  {
    name: 'base-url',
    description:
      "The site's address that /path entries are appended to, like https://www.example.com, with the folder it is served under if not the root (https://user.github.io/project); with site-dir, where the site is served (required then).",
    default: '',
    required: false,
  },
  {
    name: 'site-dir',
    description:
      'The folder your build writes (workspace-relative: public, _site, dist). Every file is hashed and compared with state; the URLs of the added and modified files are prefetched (folder/index.html as folder/), pages whose own content changed first. Needs base-url. Recommended with state.',
    default: '',
    required: false,
  },
  {
    name: 'state',
    description:
      'A workspace-relative file read at the start and replaced at the end (never in a dry run): the content hash of every file of the last deploy, and the URLs the quota, the timeout or a passing error left, carried to the next run. Keep it with actions/cache. Only a state is ever replaced: a path that holds another file is a configuration error, and a damaged state is kept aside. Alone (no site-dir), a run warms the carried URLs.',
    default: '',
    required: false,
  },
  {
    name: 'content-ignore',
    description:
      'Regular expressions, one per line, whose matches are removed from text files of site-dir before hashing: build times and random ids some generators stamp into every page (MkDocs: Build Date UTC : [^\\n]*). Written without slashes or flags; a pattern that takes over 2 s on a file is stopped there.',
    default: '',
    required: false,
  },
  {
    name: 'carry-days',
    description:
      'Days a carried URL is kept, from the day it was first planned; older ones are dropped with a notice. 0 to 365.',
    default: '7',
    required: false,
  },
  {
    name: 'domains',
    description:
      'Allow-list of hosts, one per line; *.example.com matches subdomains, not example.com itself. URLs on other hosts are skipped, not sent. Empty allows every host.',
    default: '',
    required: false,
  },
  {
    name: 'access-key-id',
    description: 'AccessKey ID. Falls back to the ALIBABA_CLOUD_ACCESS_KEY_ID environment variable.',
    default: '',
    required: false,
  },
  {
    name: 'access-key-secret',
    description: 'AccessKey secret. Falls back to the ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variable.',
    default: '',
    required: false,
  },
  {
    name: 'security-token',
    description:
      'STS security token, with temporary credentials. Falls back to ALIBABA_CLOUD_SECURITY_TOKEN.',
    default: '',
    required: false,
  },
  {
    name: 'endpoint',
    description:
      'CDN API endpoint: an origin like https://cdn.aliyuncs.com, no path (a host alone is taken as https). Plain http warns, except to this machine (a local emulator).',
    default: 'https://cdn.aliyuncs.com',
    required: false,
  },
  {
    name: 'signature-version',
    description: 'v3 (ACS3-HMAC-SHA256) or v1 (HMAC-SHA1, SignatureVersion 1.0).',
    default: 'v3',
    required: false,
  },
  {
    name: 'area',
    description:
      "Area to prefetch in: domestic (Chinese mainland) or overseas. Empty: the domain's own service area.",
    default: '',
    required: false,
  },
  {
    name: 'l2-preload',
    description: 'true to require the prefetch to reach L2 nodes (L2Preload). Empty: not sent.',
    default: '',
    required: false,
  },
  {
    name: 'with-header',
    description:
      'JSON object of header name to an array of values sent with the prefetch requests (WithHeader), like {"Accept-Encoding":["gzip"]}. Empty: not sent.',
    default: '',
    required: false,
  },
  {
    name: 'query-hashkey',
    description: "true to use the domain's cache key rules for the hash key (QueryHashkey). Empty: not sent.",
    default: '',
    required: false,
  },
  {
    name: 'batch-size',
    description: 'URLs per PushObjectCache call, 1 to 100.',
    default: '100',
    required: false,
  },
  {
    name: 'daily-quota',
    description:
      'auto reads the prefetch quota left today (DescribeRefreshQuota) and spends no more; a whole number caps this run instead.',
    default: 'auto',
    required: false,
  },
  {
    name: 'requests-per-second',
    description: "Calls per second, at most 50 (the API's limit).",
    default: '50',
    required: false,
  },
  {
    name: 'fail-on',
    description:
      'error: fail the step when any URL failed; skipped: also when any URL was skipped for quota or held back because its refresh did not complete; never: URL outcomes never fail the step. Configuration and credential errors always fail it.',
    default: 'error',
    required: false,
  },
  {
    name: 'dry-run',
    description:
      'true to plan and report without sending anything that changes state. Works without credentials.',
    default: 'false',
    required: false,
  },
  {
    name: 'request-timeout',
    description:
      "Seconds allowed for each HTTP request (connecting, the answer and its body) to the CDN API, STS, remote sitemaps, GitHub's contents API and, with verify, the site. Also how long a call whose answer was lost is looked up (at least 5 s) before it may be sent again.",
    default: '30',
    required: false,
  },
  {
    name: 'timeout',
    description:
      'Seconds allowed for the whole run. At the deadline sending stops, what was not sent is failed with reason deadline, and outputs, summary and report are written. Empty: 600, plus wait-timeout for each wait that may happen: the refresh wait (refresh: true, or changed with site-dir, state or sitemap) and wait.',
    default: '',
    required: false,
  },
  {
    name: 'refresh',
    description:
      'Which URLs are refreshed (RefreshObjectCaches) before their prefetch: a prefetch does not replace a copy the CDN already holds. changed: those whose content changed in place (modified files of site-dir or URLs of the sitemap diff, and carried ones not refreshed yet), never an added one or a urls / urls-file entry; true: every planned URL; false: none. Each is refreshed in this run, within the refresh quota (UrlRemain), even when its prefetch waits for a later run, and is prefetched only once its refresh task is Complete (waiting up to wait-timeout); otherwise it is held back (with state, carried to a later run).',
    default: 'changed',
    required: false,
  },
  {
    name: 'wait',
    description:
      'true to poll the prefetch tasks after submission (DescribeRefreshTaskById) until every submitted URL is Complete or Failed, or wait-timeout passes.',
    default: 'false',
    required: false,
  },
  {
    name: 'wait-timeout',
    description: 'Seconds each wait (the refresh wait, the prefetch wait) may last, from its own start.',
    default: '900',
    required: false,
  },
  {
    name: 'poll-interval',
    description:
      'Seconds between polls, at least 1. The pause grows x1.5 while nothing changes, up to 6 times this.',
    default: '10',
    required: false,
  },
  {
    name: 'verify',
    description:
      "true to ask the site itself, once the prefetch tasks have finished (verify waits for them as wait: true does), for each changed URL as a visitor does (GET, a browser's Accept-Encoding, no credentials, through the proxy settings), and compare the body with the file built for this deploy, hashed as the state hashes it (after content-ignore): each URL is fresh, stale, missing (4xx/5xx), redirect or error. With the default fail-on: error, a stale or missing URL fails the step. Without site-dir only the status and cache headers are reported.",
    default: 'false',
    required: false,
  },
  {
    name: 'verify-limit',
    description:
      'With verify: at most this many URLs are asked for, changed ones first in plan order, 8 at a time; the rest are counted as unchecked. 1 to 10000.',
    default: '200',
    required: false,
  },
  {
    name: 'role-arn',
    description:
      "RAM role to assume with the job's GitHub OIDC token (acs:ram::<uid>:role/<name>) instead of using AccessKeys. Needs permissions: id-token: write.",
    default: '',
    required: false,
  },
  {
    name: 'oidc-provider-arn',
    description:
      'The RAM OIDC provider for GitHub (acs:ram::<uid>:oidc-provider/<name>). Required with role-arn.',
    default: '',
    required: false,
  },
  {
    name: 'role-session-name',
    description:
      'RoleSessionName of the assumed role, 2 to 64 characters of letters, digits and . @ _ -. Empty: cdn-prefetch-<run id>.',
    default: '',
    required: false,
  },
  {
    name: 'audience',
    description: "Audience of the GitHub ID token; the OIDC provider's client ID list must contain it.",
    default: 'sts.aliyuncs.com',
    required: false,
  },
  {
    name: 'role-duration-seconds',
    description:
      "Lifetime of the assumed credentials, 900 up to the role's maximum session duration. Longer runs renew them.",
    default: '900',
    required: false,
  },
  {
    name: 'sts-endpoint',
    description:
      'STS API endpoint for AssumeRoleWithOIDC: an origin like https://sts.aliyuncs.com, no path (a host alone is taken as https). Plain http warns, except to this machine (a local emulator).',
    default: 'https://sts.aliyuncs.com',
    required: false,
  },
  {
    name: 'sitemap',
    description:
      'Workspace path or http(s) URL of the deployed sitemap or sitemap index (plain or gzip). Its added and changed URLs are prefetched, after any urls and urls-file entries. With site-dir it is no diff: it only gives the files their priorities and URL forms.',
    default: '',
    required: false,
  },
  {
    name: 'previous-sitemap',
    description:
      'Workspace path or http(s) URL of the sitemap before this deploy: the baseline of the diff. A flat file written by save-sitemap is the usual choice.',
    default: '',
    required: false,
  },
  {
    name: 'previous-ref',
    description:
      'A git ref or SHA: the baseline is the same path as sitemap at that ref in this repository, read through the GitHub API (a shallow checkout works). Needs sitemap to be a workspace path.',
    default: '',
    required: false,
  },
  {
    name: 'github-token',
    description: 'Token for reading previous-ref through the GitHub API; needs permissions: contents: read.',
    default: '${{ github.token }}',
    required: false,
  },
  {
    name: 'changes',
    description:
      'Which URLs of the sitemap diff or site-dir to prefetch: added,modified (new, or with a different lastmod or content), added, modified, or all (every URL or file, as for a first deploy; no baseline is read).',
    default: 'added,modified',
    required: false,
  },
  {
    name: 'include-images',
    description: 'true to prefetch the <image:loc> URLs of the selected pages too, right after each page.',
    default: 'false',
    required: false,
  },
  {
    name: 'exclude',
    description:
      'Glob patterns on the URL path, one per line (/tags/**), applied to every source; * stays within a segment, ** crosses segments, /x/** also matches /x.',
    default: '',
    required: false,
  },
  {
    name: 'save-sitemap',
    description:
      'A path: read sitemap (following every child) and write its URLs and lastmods there as one flat urlset, and send nothing. Run it before a deploy to keep a baseline.',
    default: '',
    required: false,
  },
];
