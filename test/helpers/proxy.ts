/**
 * A small forward (absolute-URI) and CONNECT proxy on 127.0.0.1 for tests. It resolves host names from
 * its own table only, so a name in that table (`cdn.proxy-only.test`) is reachable through the proxy
 * and nowhere else: a request that bypassed the proxy fails to resolve. Headers, Host included, are
 * forwarded unchanged (the CDN API verifies the signed host). Every request is logged.
 */
import http, { type IncomingMessage } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface ProxyLogEntry {
  kind: 'connect' | 'forward';
  /** `host:port` as the client asked for it. */
  target: string;
  /** The Host header of a forwarded request. */
  hostHeader?: string;
  /** Whether the request carried the expected Proxy-Authorization (true when none is required). */
  authorized: boolean;
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT` (with user:password@ when the proxy requires them). */
  readonly url: string;
  readonly log: ProxyLogEntry[];
  /** The log's targets, without the ports. */
  hostsSeen(): string[];
  /** Client connections (CONNECT tunnels included) still open, once those kept alive idle are closed. */
  openConnections(): number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Host name → IP address the proxy connects to (the port is kept). */
  hosts: Record<string, string>;
  /** Basic credentials the proxy requires (407 without them). */
  auth?: { username: string; password: string };
  /**
   * What the proxy does with the CONNECT number `index` (1-based): `close` the connection without a
   * word, or stay `silent` for ever; undefined tunnels as usual.
   */
  onConnect?: (index: number) => 'close' | 'silent' | undefined;
  /** A careless proxy: forwards Proxy-Authorization to the server along with the request. */
  forwardProxyAuthorization?: boolean;
}

export async function startProxy(options: ProxyOptions): Promise<TestProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  let connects = 0;
  const expected = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
    : undefined;
  const authorized = (req: IncomingMessage): boolean =>
    expected === undefined || req.headers['proxy-authorization'] === expected;
  const resolve = (host: string): string | undefined =>
    options.hosts[host.toLowerCase()] ?? (net.isIP(host) ? host : undefined);

  const server = http.createServer((req, res) => {
    clients.add(req.socket);
    req.socket.once('close', () => clients.delete(req.socket));
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('a proxy request needs an absolute URL');
      return;
    }
    const entry: ProxyLogEntry = {
      kind: 'forward',
      target: `${target.hostname}:${target.port || '80'}`,
      hostHeader: req.headers.host ?? '',
      authorized: authorized(req),
    };
    log.push(entry);
    if (!entry.authorized) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const address = resolve(target.hostname);
    if (address === undefined) {
      res.writeHead(502).end(`proxy: cannot resolve ${target.hostname}`);
      return;
    }
    const headers = { ...req.headers };
    if (!options.forwardProxyAuthorization) delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: address,
        port: Number(target.port || 80),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    clients.add(client);
    client.on('close', () => {
      sockets.delete(client);
      clients.delete(client);
    });
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(target.slice(colon + 1));
    const entry: ProxyLogEntry = { kind: 'connect', target, authorized: authorized(req) };
    log.push(entry);
    const behaviour = options.onConnect?.(++connects);
    if (behaviour === 'close') return void client.destroy();
    if (behaviour === 'silent') return;
    if (!entry.authorized) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const address = resolve(host);
    if (address === undefined || !(port > 0)) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.username)}:${encodeURIComponent(options.auth.password)}@`
    : '';
  return {
    url: `http://${credentials}127.0.0.1:${port}`,
    log,
    hostsSeen: () => log.map((entry) => entry.target.replace(/:\d+$/, '')),
    openConnections: () => {
      server.closeIdleConnections();
      return [...clients].filter((socket) => !socket.destroyed).length;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeAllConnections();
      await closed;
    },
  };
}
