/**
 * Servers on 127.0.0.1 that count their connections and see each one close: a client that leaves a
 * socket open shows here as a connection that never closes. Closed after each test.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export interface Tracked {
  origin: string;
  /** Connections accepted and not yet closed (an HTTP server first closes those kept alive idle). */
  open(): number;
  accepted(): number;
  close(): Promise<void>;
}

const servers: Tracked[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

export async function track(server: net.Server): Promise<Tracked> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  const tracked: Tracked = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => {
      if (server instanceof http.Server) server.closeIdleConnections();
      return sockets.size;
    },
    accepted: () => accepted,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
  servers.push(tracked);
  return tracked;
}

export function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Tracked> {
  return track(http.createServer(handler));
}

/** Reads what it is sent (so that it sees the client close) and never answers. */
export function silentServer(): Promise<Tracked> {
  return track(net.createServer((socket) => socket.resume()));
}

/** Resolves once `server` has no open connection left; rejects after `ms`. */
export async function allClosed(server: { open(): number }, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (server.open() > 0) {
    if (Date.now() > until) throw new Error(`${server.open()} connection(s) still open after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Headers, then the first bytes of a body that never ends. */
export const stallAfterHeaders = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
  res.write('{"RequestId":"');
};
