/**
 * URL normalization: one canonical spelling per resource, so that duplicates are merged before they
 * cost quota, and so that what we send is what the CDN expects (UTF-8 percent-encoding, <= 1,024 chars).
 */

/** The longest URL the CDN accepts, counted after percent-encoding. */
export const MAX_URL_LENGTH = 1024;

export type NormalizeResult = { ok: true; url: string; host: string } | { ok: false; reason: string };

const SCHEME_WITH_SLASHES = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const OTHER_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(?!\d)/;
// The API's own scheme-less form: `host/path` or `host:port/path`. A host needs a dot (or is
// localhost) so that a forgotten leading slash (`blog/post`) is reported instead of sent to host "blog".
const SCHEMELESS_HOST =
  /^(?:localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)(?::\d{1,5})?(?:[/?#]|$)/;

// Already canonical: lower-case http(s) scheme and host, no default port, only unreserved, sub-delim
// and upper-case escapes in path and query, no fragment, no dot segments. Most sitemap URLs look like
// this, and skipping `new URL()` for them is what keeps a million-URL diff fast.
const CANONICAL =
  /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?(?::[1-9]\d{0,4})?(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*)+(?:\?(?:[A-Za-z0-9\-._~!$&()*+,;=:@/?]|%[0-9A-F]{2})*)?$/;
// Dot segments, plain or percent-encoded: the URL parser resolves both.
const DOT_SEGMENT = /\/(?:\.|%2E){1,2}(?:[/?]|$)/i;
const DEFAULT_PORT = /^(?:http:\/\/[^/?]*:80|https:\/\/[^/?]*:443)(?:[/?]|$)/;

/**
 * Normalizes one URL entry. Accepts `http(s)://host/path`, scheme-less `host[:port]/path` (taken as
 * https) and `/path` (resolved against `baseUrl`). Never throws: a bad entry gets a reason a person
 * can act on.
 */
export function normalizeUrl(raw: string, baseUrl?: string): NormalizeResult {
  const input = raw.trim();
  if (input === '') return { ok: false, reason: 'is empty' };
  if (isCanonical(input)) return { ok: true, url: input, host: hostOf(input) };
  const unusable = unusableCharacters(input);
  if (unusable !== undefined) return { ok: false, reason: unusable };

  let absolute: string;
  const scheme = SCHEME_WITH_SLASHES.exec(input)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') return { ok: false, reason: 'is not an http(s) URL' };
    if (input.charAt(scheme.length + 3) === '/' || input.length === scheme.length + 3) {
      return { ok: false, reason: 'has no host' };
    }
    absolute = input;
  } else if (input.startsWith('//')) {
    return { ok: false, reason: 'is protocol-relative: write https:// in front of it' };
  } else if (input.startsWith('/')) {
    if (baseUrl === undefined || baseUrl === '') {
      return { ok: false, reason: 'is a path: set base-url so that it can be resolved' };
    }
    absolute = baseUrl.replace(/\/+$/, '') + input;
  } else if (SCHEMELESS_HOST.test(input)) {
    absolute = `https://${input}`;
  } else if (OTHER_SCHEME.test(input)) {
    return { ok: false, reason: 'is not an http(s) URL' };
  } else {
    return { ok: false, reason: `has no host (a path must start with "/")` };
  }
  return canonicalize(absolute);
}

// Control characters: the URL parser deletes tabs and newlines silently (merging the entry with
// another) and encodes the rest, so that a URL nobody meant would be sent.
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// A `%` that does not start an escape; only the part before the fragment is sent.
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** Why `input` cannot be a URL as written, or undefined. */
function unusableCharacters(input: string): string | undefined {
  const control = CONTROL.exec(input);
  if (control) {
    const name = control[0] === '\t' ? 'a tab' : `the control character ${visible(control[0])}`;
    return `contains ${name} at character ${control.index + 1}; a URL cannot hold control characters`;
  }
  const beforeFragment = input.split('#', 1)[0] ?? '';
  const escape = BAD_ESCAPE.exec(beforeFragment);
  if (escape) {
    const text = beforeFragment.slice(escape.index, escape.index + 3);
    return `has "${text}", which is not a percent-escape (% and two hex digits); write a literal % as %25`;
  }
  return undefined;
}

/** Control characters spelled out (\t, \0, \u001b), so that a message shows what the line holds. */
export function visible(text: string): string {
  return text.replace(new RegExp(CONTROL.source, 'g'), (c) => {
    if (c === '\t') return '\\t';
    if (c === '\0') return '\\0';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Whether `url` is already in the form normalizeUrl gives (a quick test: no result is made). */
export function isCanonical(url: string): boolean {
  return (
    url.length <= MAX_URL_LENGTH &&
    CANONICAL.test(url) &&
    !DOT_SEGMENT.test(url) &&
    !DEFAULT_PORT.test(url) &&
    portInRange(url) &&
    // Punycode labels are validated by the URL parser; leave them to it.
    !url.includes('xn--')
  );
}

function portInRange(url: string): boolean {
  const port = /^https?:\/\/[^/?]*:(\d+)/.exec(url)?.[1];
  return port === undefined || Number(port) <= 65535;
}

function hostOf(canonicalUrl: string): string {
  const start = canonicalUrl.indexOf('//') + 2;
  let end = start;
  while (end < canonicalUrl.length) {
    const c = canonicalUrl.charCodeAt(end);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x3a /* : */) break;
    end++;
  }
  return canonicalUrl.slice(start, end);
}

function canonicalize(absolute: string): NormalizeResult {
  let parsed: URL;
  try {
    parsed = new URL(absolute);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: 'is not an http(s) URL' };
  }
  if (parsed.hostname === '') return { ok: false, reason: 'has no host' };
  if (parsed.port === '0') return { ok: false, reason: 'has port 0, which no server listens on' };
  if (parsed.hostname.endsWith('.')) {
    const host = parsed.hostname.replace(/\.+$/, '');
    return { ok: false, reason: `has a host that ends in a dot (${parsed.hostname}); write ${host}` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, reason: 'carries a user name or password; the CDN cannot prefetch it' };
  }
  parsed.hash = '';
  // WHATWG serialization already lower-cases scheme and host, drops default ports, and encodes raw
  // non-ASCII and spaces as UTF-8; it leaves existing escapes alone, so upper-case those here.
  const url = parsed.href.replace(/%[0-9a-fA-F]{2}/g, (escape) => escape.toUpperCase());
  if (url.length > MAX_URL_LENGTH) {
    return {
      ok: false,
      reason: `is ${url.length} characters once encoded; the CDN accepts at most ${MAX_URL_LENGTH}`,
    };
  }
  return { ok: true, url, host: parsed.hostname };
}
