/**
 * Proxy settings from the environment, read the way GitHub's runner and its own actions read them, so
 * that a self-hosted runner behind a proxy needs nothing beyond the variables it already has:
 * https URLs use https_proxy / HTTPS_PROXY, http URLs http_proxy / HTTP_PROXY (lower case first);
 * no_proxy / NO_PROXY lists what goes direct; loopback always goes direct.
 *
 * Tunnelling is left to maintained agents (CONNECT for https, absolute-URI forwarding for http).
 */
import type { Agent, ClientRequest } from 'node:http';
import net, { type Socket } from 'node:net';
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

/** The proxy variable a request to `target` reads, and the proxy it names; undefined when it goes direct. */
export function proxySettingFor(
  target: URL,
  env: ProxyEnv = process.env,
): { variable: string; proxy: URL } | undefined {
  const proxy = proxyFor(target, env);
  if (proxy === undefined) return undefined;
  const scheme = target.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
  const variable = firstSet(env, scheme, scheme.toUpperCase())?.name ?? scheme.toUpperCase();
  return { variable, proxy };
}

/** `code` of the error when a proxy asks for credentials it was not given (HTTP 407). */
export const PROXY_AUTH_REQUIRED = 'ERR_PROXY_AUTH_REQUIRED';
/** `code` of the error when the tunnel through a proxy could not be opened: nothing reached the target. */
export const PROXY_TUNNEL_FAILED = 'ERR_PROXY_TUNNEL_FAILED';

/** A proxy's refusal, or a tunnel that could not be opened; `code` says which. */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly code: typeof PROXY_AUTH_REQUIRED | typeof PROXY_TUNNEL_FAILED,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }
}

/**
 * What a 407 means, naming the variable to fix and never its user or password (the message goes to
 * the log and the report).
 */
export function proxyAuthMessage(variable: string, proxy: URL): string {
  const given = proxy.username !== '' || proxy.password !== '';
  return (
    `the proxy ${proxy.host} (${variable}) answered 407 Proxy Authentication Required: ` +
    (given
      ? `it refused the user:password in ${variable}. Check them`
      : `${variable} has no user:password. Add them`) +
    // No URL in the hint: a message's URLs are cut to their origin (fetch.ts), and this one has none.
    ` (user:password@ before the proxy's host, with @ : / % in them percent-encoded)`
  );
}

type ConnectArgs = Parameters<HttpsProxyAgent<string>['connect']>;
type ForwardArgs = Parameters<HttpProxyAgent<string>['connect']>;
type ConnectOpts = HttpsProxyAgent<string>['connectOpts'];

/**
 * Opens the socket to the proxy with a signal that destroys it when the request is given up before the
 * proxy has answered: the agents keep no handle on it, and a proxy that never answers CONNECT would
 * otherwise hold it (and the process) open for ever. Both agents create that socket synchronously, at
 * the start of connect(), from `connectOpts`: the signal is set there for that one call.
 */
async function connectGivingUp(
  agent: { connectOpts: ConnectOpts },
  req: ClientRequest,
  connect: () => Promise<Socket>,
): Promise<Socket> {
  const tunnel = new AbortController();
  const giveUp = (): void => tunnel.abort();
  // node-fetch gives a request up with req.abort(), which emits 'abort'; 'close' covers a destroy.
  req.once('abort', giveUp);
  req.once('close', giveUp);
  // agent-base calls connect() a tick after the request was made: it may have been given up already.
  if (req.destroyed) giveUp();
  const shared = agent.connectOpts;
  agent.connectOpts = { ...shared, signal: tunnel.signal };
  let pending: Promise<Socket>;
  try {
    pending = connect();
  } finally {
    agent.connectOpts = shared;
  }
  try {
    return await pending;
  } finally {
    req.off('abort', giveUp);
    req.off('close', giveUp);
  }
}

/** CONNECT tunnels for https URLs; any answer but 200 is an error with a code, never a fake response. */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly variable: string,
  ) {
    super(proxy, { keepAlive: true });
  }

  override async connect(req: ConnectArgs[0], opts: ConnectArgs[1]): Promise<Socket> {
    let answer: { statusCode: number; statusText: string } | undefined;
    const onAnswer = (connect: { statusCode: number; statusText: string }): void => {
      answer = connect;
    };
    req.once('proxyConnect', onAnswer);
    let socket: Socket;
    try {
      socket = await connectGivingUp(this, req, () => super.connect(req, opts));
    } catch (error) {
      throw new ProxyError(
        `the tunnel through the proxy ${this.proxy.host} (${this.variable}) was not opened: ` +
          describeSocketError(error),
        PROXY_TUNNEL_FAILED,
        { cause: error },
      );
    } finally {
      req.off('proxyConnect', onAnswer);
    }
    if (answer === undefined || answer.statusCode === 200) return socket;
    // The agent hands back a stand-in socket that replays the proxy's answer; we say what it means instead.
    socket.destroy();
    if (answer.statusCode === 407) {
      throw new ProxyError(proxyAuthMessage(this.variable, this.proxy), PROXY_AUTH_REQUIRED);
    }
    throw new ProxyError(
      `the proxy ${this.proxy.host} (${this.variable}) refused the tunnel: HTTP ${answer.statusCode} ` +
        `${answer.statusText}`.trimEnd(),
      PROXY_TUNNEL_FAILED,
    );
  }
}

/** Absolute-URI forwarding for http URLs; the socket to the proxy closes with a request given up. */
class ForwardAgent extends HttpProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly variable: string,
  ) {
    super(proxy, { keepAlive: true });
  }

  override async connect(req: ForwardArgs[0], opts: ForwardArgs[1]): Promise<Socket> {
    try {
      return await connectGivingUp(this, req, () => super.connect(req, opts));
    } catch (error) {
      throw new ProxyError(
        `cannot reach the proxy ${this.proxy.host} (${this.variable}): ${describeSocketError(error)}`,
        PROXY_TUNNEL_FAILED,
        { cause: error },
      );
    }
  }
}

function describeSocketError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} (${error.message})`
    : error.message;
}

const agents = new Map<string, Agent>();

/**
 * The agent for a request to `target`: a proxy agent when the environment says so, otherwise
 * undefined (Node's default agent). Agents are kept per proxy so that connections are reused.
 */
export function proxyAgentFor(target: URL, env: ProxyEnv = process.env): Agent | undefined {
  const setting = proxySettingFor(target, env);
  if (setting === undefined) return undefined;
  const { variable, proxy } = setting;
  const key = `${target.protocol} ${variable} ${proxy.href}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent =
      target.protocol === 'https:' ? new TunnelAgent(proxy, variable) : new ForwardAgent(proxy, variable);
    agents.set(key, agent);
  }
  return agent;
}

/** The password of each proxy URL in the environment, so that the adapter can mask it. */
export function proxyPasswords(env: ProxyEnv = process.env): string[] {
  return [...new Set(proxyUserinfo(env).map(({ password }) => password))];
}

/**
 * Every secret a proxy URL of the environment carries: its password, and `user:password`, which
 * Proxy-Authorization sends base64-encoded.
 */
export function proxySecrets(env: ProxyEnv = process.env): string[] {
  const secrets = new Set<string>();
  for (const { user, password } of proxyUserinfo(env)) {
    secrets.add(password);
    secrets.add(`${user}:${password}`);
  }
  return [...secrets];
}

function proxyUserinfo(env: ProxyEnv): { user: string; password: string }[] {
  const found: { user: string; password: string }[] = [];
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
    const value = env[name]?.trim();
    if (!value) continue;
    try {
      const url = new URL(withScheme(value));
      const password = decodeURIComponent(url.password);
      if (password !== '') found.push({ user: decodeURIComponent(url.username), password });
    } catch {
      // Not a URL: proxyFor reports it when a request would use it.
    }
  }
  return found;
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
