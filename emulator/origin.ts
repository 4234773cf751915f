/**
 * The origin behind the emulated CDN edge: a static file server on 127.0.0.1 over one folder (the
 * deploy), which a test switches between deploys with `serve(dir)`. URLs map to files as static hosts
 * map them: `/a/` → `a/index.html`, `/a` → the file `a`, else a 301 to `/a/` when `a/index.html`
 * exists, else `a.html`; anything else is a 404 (with the site's `404.html` as its body when it has
 * one). Files are read when asked for, so a deploy written in place is seen at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { listenOnLoopback } from './listen.js';

/** What the origin answers for a path: a file, a redirect, or a miss. */
export interface OriginAnswer {
  status: number;
  body: Buffer;
  contentType: string;
  /** The redirect's target (a 301 to the folder's URL). */
  location?: string;
}

export interface OriginRequest {
  host: string;
  /** The request target as received (path and query). */
  target: string;
  status: number;
}

export interface Origin {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The folder served now; undefined until `serve` (every path is then a 404). */
  readonly dir: string | undefined;
  /** Every request the origin received (the edge's pulls), in order. */
  readonly requests: readonly OriginRequest[];
  /** Serves `dir` from now on: a deploy. */
  serve(dir: string): void;
  /**
   * What the current deploy has for a URL path (`/a/`, percent-encoded as requested): the answer the
   * origin gives without faults. Freshness is measured against it.
   */
  deployed(urlPath: string): OriginAnswer;
  /** A fault: `urlPath` keeps answering what it answers now, whatever is deployed later. */
  keepOldCopy(urlPath: string): void;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.wasm': 'application/wasm',
  '.mp4': 'video/mp4',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function fileAnswer(file: string): OriginAnswer {
  return { status: 200, body: readFileSync(file), contentType: contentTypeOf(file) };
}

function notFound(dir: string | undefined): OriginAnswer {
  const page = dir === undefined ? undefined : path.join(dir, '404.html');
  if (page !== undefined && isFile(page)) return { ...fileAnswer(page), status: 404 };
  return { status: 404, body: Buffer.from('Not Found\n'), contentType: 'text/plain; charset=utf-8' };
}

/** The path's segments, decoded; undefined when one is not UTF-8 or would leave the folder. */
function segmentsOf(urlPath: string): string[] | undefined {
  try {
    const segments = urlPath.split('/').slice(1).map(decodeURIComponent);
    const unsafe = segments.some((s) => s === '..' || s === '.' || /[/\\\0]/.test(s));
    return unsafe ? undefined : segments;
  } catch {
    return undefined;
  }
}

/** The static host's answer for `urlPath` (no query) over `dir`. */
export function resolveStatic(dir: string | undefined, urlPath: string): OriginAnswer {
  const segments = segmentsOf(urlPath);
  if (dir === undefined || segments === undefined) return notFound(dir);
  const file = path.join(dir, ...segments);
  if (urlPath.endsWith('/')) {
    const index = path.join(file, 'index.html');
    return isFile(index) ? fileAnswer(index) : notFound(dir);
  }
  if (isFile(file)) return fileAnswer(file);
  if (isFile(path.join(file, 'index.html'))) {
    return {
      status: 301,
      body: Buffer.from(`Moved to ${urlPath}/\n`),
      contentType: 'text/plain; charset=utf-8',
      location: `${urlPath}/`,
    };
  }
  return isFile(`${file}.html`) ? fileAnswer(`${file}.html`) : notFound(dir);
}

/** Percent-encodes one path segment as site-dir's URLs spell it (RFC 3986's raw characters kept). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(?:24|26|2B|2C|3B|3D|3A|40)/g, decodeURIComponent);
}

/** Every file of `dir` with the URL path visitors ask for it by (`a/index.html` → `/a/`). */
export function sitePaths(dir: string): { file: string; urlPath: string }[] {
  const found: { file: string; urlPath: string }[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        const segments = child.split('/');
        if (segments[segments.length - 1] === 'index.html') segments[segments.length - 1] = '';
        found.push({ file: child, urlPath: `/${segments.map(encodeSegment).join('/')}` });
      }
    }
  };
  walk('');
  return found;
}

class OriginServer implements Origin {
  url = '';
  dir: string | undefined;
  readonly requests: OriginRequest[] = [];
  private readonly oldCopies = new Map<string, OriginAnswer>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  constructor(dir: string | undefined) {
    this.dir = dir;
  }

  async listen(port: number): Promise<void> {
    this.url = await listenOnLoopback(this.server, port);
  }

  serve(dir: string): void {
    this.dir = path.resolve(dir);
  }

  deployed(urlPath: string): OriginAnswer {
    return resolveStatic(this.dir, urlPath);
  }

  keepOldCopy(urlPath: string): void {
    this.oldCopies.set(urlPath, this.deployed(urlPath));
  }

  /** What the origin serves for a path now: the old copy a fault keeps, or the deploy's. */
  answerFor(urlPath: string): OriginAnswer {
    return this.oldCopies.get(urlPath) ?? this.deployed(urlPath);
  }

  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    return closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    const answer = this.answerFor(target.replace(/[?#].*$/s, ''));
    this.requests.push({ host: req.headers.host ?? '', target, status: answer.status });
    res.writeHead(answer.status, {
      'content-type': answer.contentType,
      'content-length': answer.body.length,
      ...(answer.location !== undefined ? { location: answer.location } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }
}

export async function startOrigin(
  options: { dir?: string | undefined; port?: number | undefined } = {},
): Promise<OriginServer> {
  const origin = new OriginServer(options.dir === undefined ? undefined : path.resolve(options.dir));
  await origin.listen(options.port ?? 0);
  return origin;
}

export type { OriginServer };
