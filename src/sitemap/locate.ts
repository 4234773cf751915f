/**
 * Turns inputs and `<sitemap><loc>` URLs into places to read documents from. The rule that matters:
 * a deployed index may fall back to the live site, a baseline index never does (the live site
 * already serves the new version, so reading it would hide every change).
 */
import * as path from 'node:path';
import { ConfigError } from '../base/errors.js';
import type { GitHubRepoAccess } from './git-baseline.js';
import type { DocumentLocation } from './document.js';

/** A file path (relative to the workspace, or absolute) or an http(s) URL, as given in an input. */
export function locateInput(input: string, workspace: string, inputName: string): DocumentLocation {
  const value = input.trim();
  if (value === '') throw new ConfigError(`${inputName}: is empty`, inputName);
  if (/^https?:\/\//i.test(value)) {
    try {
      return { kind: 'url', url: new URL(value).href, label: value };
    } catch {
      throw new ConfigError(`${inputName}: "${value}" is not a valid URL`, inputName);
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    throw new ConfigError(`${inputName}: "${value}" is neither a file path nor an http(s) URL`, inputName);
  }
  // Named as given: an absolute path stays absolute, rather than `../../../` from the workspace.
  return { kind: 'file', path: path.resolve(workspace, value), label: value };
}

/** The same workspace file as `sitemap`, as committed at `ref`. */
export function locateAtRef(
  sitemapInput: string,
  workspace: string,
  ref: string,
  github: GitHubRepoAccess,
): DocumentLocation {
  const value = sitemapInput.trim();
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    throw new ConfigError(
      'previous-ref: reads the sitemap file from the repository, so sitemap must be a workspace path, ' +
        `not a URL ("${value}"); use previous-sitemap for a URL baseline`,
    );
  }
  const relative = toPosix(path.relative(workspace, path.resolve(workspace, value)));
  if (relative === '' || relative.startsWith('../') || relative === '..' || path.isAbsolute(relative)) {
    throw new ConfigError(`previous-ref: sitemap "${value}" is not a file inside the workspace`);
  }
  return { kind: 'ref', file: { path: relative, ref, github }, label: `${relative} at ${ref}` };
}

/**
 * Where to look for a child listed in an index, in order. For a workspace (or git-ref) index the
 * child's URL path is taken under the index's folder (`https://example.com/sitemaps/1.xml` ->
 * `public/sitemaps/1.xml` for `public/sitemap.xml`); when the site lives under a base path
 * (`/docs/sitemap-0.xml` on GitHub Pages) the leading segments are dropped one by one. A deployed
 * local index then falls back to fetching the URL itself; a baseline never reads the live site.
 */
export function childCandidates(
  parent: DocumentLocation,
  childUrl: string,
  side: 'deployed' | 'baseline',
): DocumentLocation[] {
  const url = new URL(childUrl);
  if (parent.kind === 'url') {
    if (side === 'deployed') return [{ kind: 'url', url: url.href, label: url.href }];
    return suffixes(url.pathname.split('/').slice(1)).map((suffix) => {
      // `./` so that a first segment such as `a:b` is not read as a scheme.
      const sibling = new URL(`./${suffix}${url.search}`, parent.url).href;
      return { kind: 'url', url: sibling, label: sibling };
    });
  }
  // A file cannot stand for one query of many (`sitemap_products_1.xml?from=1&to=9`).
  const segments = url.search === '' ? decodedSegments(url.pathname) : undefined;
  const local: DocumentLocation[] = [];
  for (const suffix of segments === undefined ? [] : suffixes(segments)) {
    if (parent.kind === 'file') {
      const file = path.join(path.dirname(parent.path), ...suffix.split('/'));
      local.push({
        kind: 'file',
        path: file,
        label: path.posix.join(path.posix.dirname(parent.label), suffix),
      });
    } else {
      const repoPath = path.posix.join(path.posix.dirname(parent.file.path), suffix);
      local.push({
        kind: 'ref',
        file: { ...parent.file, path: repoPath },
        label: `${repoPath} at ${parent.file.ref}`,
      });
    }
  }
  if (side === 'deployed' && parent.kind === 'file')
    local.push({ kind: 'url', url: url.href, label: url.href });
  return local;
}

/** `a/b/c` -> `a/b/c`, `b/c`, `c`. */
function suffixes(segments: string[]): string[] {
  return segments.map((_, i) => segments.slice(i).join('/')).filter((suffix) => suffix !== '');
}

/** Decoded path segments, or undefined when they cannot name a file safely inside the folder. */
function decodedSegments(pathname: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of pathname.split('/').slice(1)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // Decoding can produce "..", "/" or "\": a URL must never lead outside the index's folder.
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments.length === 0 ? undefined : segments;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
