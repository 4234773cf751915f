/**
 * Proxy settings from the environment, read the way GitHub's runner and its own actions read them, so
 * that a self-hosted runner behind a proxy needs nothing beyond the variables it already has:
 * https URLs use https_proxy / HTTPS_PROXY, http URLs http_proxy / HTTP_PROXY (lower case first);
 * no_proxy / NO_PROXY lists what goes direct; loopback always goes direct.
 *
 * Tunnelling is left to maintained agents (CONNECT for https, absolute-URI forwarding for http).
 */
import type { Agent } from 'node:http';
import net from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** The proxy a request to `target` goes through, or undefined when it connects directly. */
export function proxyFor(target: URL, env: ProxyEnv = process.env): URL | undefined {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
  if (isLoopback(target.hostname)) return undefined;
  if (bypassesProxy(target, firstSet(env, 'no_proxy', 'NO_PROXY')?.value ?? '')) return undefined;
  const scheme = target.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
  const setting = firstSet(env, scheme, scheme.toUpperCase());
  return setting ? parseProxyUrl(setting.name, setting.value) : undefined;
}

/**
 * Whether a NO_PROXY list (comma- or space-separated) sends `target` direct. `*` matches every host;
 * `example.com` and `.example.com` (and `*.example.com`) match the domain and all its subdomains;
 * an entry with `:port` matches that port only; IP addresses match exactly.
 */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = bareHost(target.hostname);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const entry of noProxy.split(/[\s,]+/)) {
    if (entry === '') continue;
    if (entry === '*') return true;
    const { host: pattern, port: entryPort } = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = pattern.replace(/^\*?\./, '');
    if (domain === '') continue;
    if (host === domain || (!net.isIP(domain) && host.endsWith(`.${domain}`))) return true;
  }
  return false;
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped): never sent to a proxy. */
export function isLoopback(hostname: string): boolean {
  const host = bareHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) {
    // The WHATWG URL parser has already compressed IPv6 (0:0:0:0:0:0:0:1 → ::1, ::ffff:127.0.0.1 → ::ffff:7f00:1).
    return host === '::1' || /^::ffff:7f[0-9a-f]{2}:/.test(host) || /^::ffff:127\./.test(host);
  }
  return false;
}

const agents = new Map<string, Agent>();

/**
 * The agent for a request to `target`: a proxy agent when the environment says so, otherwise
 * undefined (Node's default agent). Agents are kept per proxy so that connections are reused.
 */
export function proxyAgentFor(target: URL, env: ProxyEnv = process.env): Agent | undefined {
  const proxy = proxyFor(target, env);
  if (proxy === undefined) return undefined;
  const key = `${target.protocol} ${proxy.href}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent =
      target.protocol === 'https:'
        ? new HttpsProxyAgent(proxy, { keepAlive: true })
        : new HttpProxyAgent(proxy, { keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

/** The password of each proxy URL in the environment, so that the adapter can mask it. */
export function proxyPasswords(env: ProxyEnv = process.env): string[] {
  const passwords = new Set<string>();
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
    const value = env[name]?.trim();
    if (!value) continue;
    try {
      const password = decodeURIComponent(new URL(withScheme(value)).password);
      if (password !== '') passwords.add(password);
    } catch {
      // Not a URL: proxyFor reports it when a request would use it.
    }
  }
  return [...passwords];
}

function firstSet(env: ProxyEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function parseProxyUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(withScheme(value));
  } catch {
    // The value is not repeated: it may hold a password.
    throw new Error(`${name} is not a proxy URL; write it like http://proxy.example.com:3128`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name}: only http:// and https:// proxies are supported, not ${url.protocol}//`);
  }
  return url;
}

/** `proxy:3128` means `http://proxy:3128`, as curl and @actions/http-client read it. */
function withScheme(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
}

function splitEntry(entry: string): { host: string; port?: string } {
  const lower = entry.toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(lower);
  if (bracketed) return { host: bracketed[1] ?? '', ...(bracketed[2] ? { port: bracketed[2] } : {}) };
  if (net.isIPv6(lower)) return { host: lower };
  const withPort = /^(.*):(\d+)$/.exec(lower);
  if (withPort) return { host: stripDot(withPort[1] ?? ''), port: withPort[2] ?? '' };
  return { host: stripDot(lower) };
}

function bareHost(hostname: string): string {
  return stripDot(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
}

/** A fully qualified name's trailing dot (`example.com.`) changes nothing. */
function stripDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * The no_proxy list rewritten so that @actions/http-client — through which @actions/core asks GitHub
 * for the ID token — reads it as `bypassesProxy` does: it splits on commas only, and matches a bare
 * domain (never a dotted one) against the domain itself. Undefined when no list is set.
 */
export function noProxyForActionsHttpClient(env: ProxyEnv = process.env): string | undefined {
  const setting = firstSet(env, 'no_proxy', 'NO_PROXY');
  if (setting === undefined) return undefined;
  return setting.value
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry) => entry.replace(/^\*?\.(?=[^.])/, ''))
    .join(',');
}
