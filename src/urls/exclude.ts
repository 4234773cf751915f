/**
 * The `exclude` input: glob patterns on the URL path, one per line, applied to every URL source.
 * Patterns match the *decoded* path without the query, so `/博客/**` and `/%E5%8D%9A%E5%AE%A2/**`
 * mean the same thing, and a pattern never has to guess at query strings.
 *
 * `*` matches within one path segment, `**` (a whole segment) matches any number of segments, and
 * `/x/**` also matches `/x` itself. Blank lines and lines starting with `#` are ignored.
 */

export interface ExcludeMatcher {
  /** The pattern (as written) that matches the URL's path, or undefined when none does. */
  match(url: string): string | undefined;
  /** How many patterns there are; 0 means match() never matches. */
  readonly size: number;
}

interface Compiled {
  pattern: string;
  regex: RegExp;
}

/**
 * Compiles the patterns; throws an Error naming the line for an invalid one, e.g.
 * `exclude: line 2 "tag/**" must start with "/"`. Accepts the input's text or its lines.
 */
export function compileExcludes(patterns: string | readonly string[]): ExcludeMatcher {
  const lines = typeof patterns === 'string' ? patterns.split(/\r?\n/) : patterns;
  const compiled: Compiled[] = [];
  lines.forEach((line, i) => {
    const pattern = line.trim();
    if (pattern === '' || pattern.startsWith('#')) return;
    compiled.push({ pattern, regex: toRegex(pattern, i + 1) });
  });
  return {
    size: compiled.length,
    match(url: string): string | undefined {
      if (compiled.length === 0) return undefined;
      const path = decodedPath(url);
      for (const { pattern, regex } of compiled) if (regex.test(path)) return pattern;
      return undefined;
    },
  };
}

function toRegex(pattern: string, line: number): RegExp {
  const invalid = (why: string): Error => new Error(`exclude: line ${line} "${pattern}" ${why}`);
  if (!pattern.startsWith('/')) throw invalid('must start with "/" (it matches the URL path)');
  if (pattern.includes('?')) throw invalid('contains "?": patterns match the URL path, without its query');
  const segments = decodePath(pattern).split('/').slice(1);
  let source = '';
  for (const segment of segments) {
    if (segment === '**') {
      // Zero or more whole segments: `/x/**` matches `/x`, `/x/a/b`; `/**/y` matches `/y`, `/a/y`.
      source += '(?:/.*)?';
      continue;
    }
    if (segment.includes('**'))
      throw invalid('uses "**" inside a segment; "**" must stand alone between slashes, as in /docs/**');
    source += '/' + segment.split('*').map(escapeRegex).join('[^/]*');
  }
  return new RegExp(`^${source}$`);
}

/** The URL's path (no query or fragment), percent-decoded; `/` when it has none. */
function decodedPath(url: string): string {
  let rest = url;
  const schemeEnd = url.indexOf('://');
  if (schemeEnd !== -1) {
    const hostEnd = url.slice(schemeEnd + 3).search(/[/?#]/);
    rest = hostEnd === -1 ? '' : url.slice(schemeEnd + 3 + hostEnd);
  }
  const queryAt = rest.search(/[?#]/);
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  return path === '' ? '/' : decodePath(path);
}

/** Decodes each segment on its own, so that an encoded "/" (%2F) stays inside its segment. */
function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment).replace(/\//g, '%2F');
      } catch {
        return segment; // not valid UTF-8 escapes: match it as written
      }
    })
    .join('/');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
