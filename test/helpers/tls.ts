/**
 * TLS for tests: a throw-away self-signed certificate (made with the openssl command, which every CI
 * image has), and a TLS front that decrypts and hands the bytes to a plain HTTP server unchanged, so
 * that the emulator can be reached as https://cdn.proxy-only.test through a CONNECT proxy. A child
 * process trusts the certificate with NODE_EXTRA_CA_CERTS=<certFile>.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net, { type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface Certificate {
  key: Buffer;
  cert: Buffer;
  /** PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
  certFile: string;
  /** Removes the certificate's files once no process needs certFile any more. */
  remove(): void;
}

/** A self-signed certificate valid for one day for `names`. */
export function makeCertificate(names: string[]): Certificate {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cdn-prefetch-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${names[0] ?? 'localhost'}`,
      '-addext',
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TlsFront {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with TLS and pipes each connection, decrypted, to 127.0.0.1:`targetPort`. */
export async function startTlsFront(certificate: Certificate, targetPort: number): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (secure) => {
    const plain = net.connect(targetPort, '127.0.0.1');
    track(secure);
    track(plain);
    secure.pipe(plain);
    plain.pipe(secure);
    secure.on('close', () => plain.destroy());
    plain.on('close', () => secure.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
