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
    description: 'Scheme and host that /path entries resolve against, like https://www.example.com.',
    default: '',
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
    description: 'CDN API endpoint.',
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
      'error: fail the step when any URL failed; skipped: also when any URL was skipped for quota; never: URL outcomes never fail the step. Configuration and credential errors always fail it.',
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
    description: 'Seconds one HTTP request may take, from connecting to the end of the answer, 1 to 600.',
    default: '30',
    required: false,
  },
  {
    name: 'timeout',
    description:
      'Seconds the whole run may take, 1 to 21600. Then no new call starts, calls in flight get a few seconds to answer, and the unsent URLs are reported as failed.',
    default: '600',
    required: false,
  },
];
