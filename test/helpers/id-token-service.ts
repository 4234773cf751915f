/**
 * A stand-in for GitHub's ID-token service, as @actions/core's getIDToken calls it: GET
 * `${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=<aud>` with `Authorization: Bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
 * answered `{"value": "<jwt>"}`. Each token is distinct and carries the audience asked for.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fakeJwt } from './sdk-client.js';
import type { Certificate } from './tls.js';

export interface IdTokenRequest {
  audience: string | null;
  authorized: boolean;
}

export interface IdTokenService {
  /** The variables the runner sets with `permissions: id-token: write`. */
  readonly env: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string };
  readonly requests: IdTokenRequest[];
  /** Every token handed out, in order. */
  readonly issued: string[];
  close(): Promise<void>;
}

export interface IdTokenServiceOptions {
  /** Host name to put in the URL instead of 127.0.0.1 (e.g. one only a proxy resolves). */
  hostName?: string;
  /** Serve https with this certificate. */
  tls?: Certificate;
}

export async function startIdTokenService(options: IdTokenServiceOptions = {}): Promise<IdTokenService> {
  const requestToken = `request-token-${randomUUID()}`;
  const requests: IdTokenRequest[] = [];
  const issued: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const request = {
      audience: url.searchParams.get('audience'),
      authorized: req.headers.authorization === `Bearer ${requestToken}`,
    };
    requests.push(request);
    if (!request.authorized || url.pathname !== '/_apis/idtoken') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"unauthorized"}');
      return;
    }
    const token = fakeJwt({ aud: request.audience ?? 'https://github.com/acme', jti: randomUUID() });
    issued.push(token);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token }));
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return {
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${scheme}://${options.hostName ?? '127.0.0.1'}:${port}/_apis/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    },
    requests,
    issued,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
