/**
 * `content-ignore`: regular expressions, one a line, whose matches are removed from a text file before
 * it is hashed, for generators that stamp build times or random ids into every page (MkDocs' `Build
 * Date UTC : …` comment, Hexo's timestamps and `cuid` ids). A redeploy with no content change then
 * hashes the same as the deploy before it.
 *
 * The patterns run on the reader threads (read.ts), under a time budget per file. What they did comes
 * back as a PatternReport, and the warnings about careless patterns are worded here.
 */
import { ConfigError } from '../base/errors.js';
import type { PatternReport } from './read.js';

export interface ContentIgnore {
  /** The compiled patterns (global), in input order. */
  readonly patterns: readonly RegExp[];
  /** The input line of each pattern (1-based), for messages. */
  readonly lines?: readonly number[] | undefined;
}

/** `/pattern/flags`, as a pattern is written in JavaScript code: the slashes would be taken as text. */
const LITERAL = /^\/(.+)\/([dgimsuvy]+)$/;

/**
 * Compiles the input's lines; blank lines are skipped (a pattern with surrounding spaces must use
 * `\s` or `[ ]`, since lines are trimmed). Patterns are JavaScript regular expressions without flags.
 * Throws a ConfigError naming `content-ignore` and the line for one that does not compile, or that is
 * written `/pattern/flags`.
 */
export function compileContentIgnore(text: string | undefined): ContentIgnore {
  const patterns: RegExp[] = [];
  const lines: number[] = [];
  (text ?? '').split(/\r?\n/).forEach((line, i) => {
    const source = line.trim();
    if (source === '') return;
    const literal = LITERAL.exec(source);
    if (literal !== null) {
      throw new ConfigError(
        `content-ignore: line ${i + 1} "${source}" is written as /pattern/flags; write the pattern alone, ` +
          `without the slashes and flags: ${literal[1]} (patterns take no flags: for a case-insensitive ` +
          'match, list both cases, e.g. [Bb]uild [Dd]ate). To match the slashes as text, escape them: ' +
          `${source.replace(/\//g, '\\/')}.`,
        'content-ignore',
      );
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(source, 'g');
    } catch (error) {
      // V8 says `Invalid regular expression: /<source>/g: Unterminated group`: keep what is wrong.
      const why =
        error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/g: /s, '') : '';
      throw new ConfigError(
        `content-ignore: line ${i + 1} "${source}" is not a valid regular expression (${why}).`,
        'content-ignore',
      );
    }
    patterns.push(pattern);
    lines.push(i + 1);
  });
  return { patterns, lines };
}

/** `text` with every match of every pattern removed (the same text when nothing matched). */
export function removeIgnored(text: string, ignore: ContentIgnore): string {
  let result = text;
  for (const pattern of ignore.patterns) result = result.replace(pattern, '');
  return result;
}

/** `line 2 "…"`: a pattern as the input has it. */
export function patternName(ignore: ContentIgnore, pattern: number): string {
  const line = ignore.lines?.[pattern] ?? pattern + 1;
  return `line ${line} "${ignore.patterns[pattern]?.source ?? ''}"`;
}

/**
 * The warnings for patterns that remove all of a file, or almost all of most files: each hides every
 * change of the files it empties, so their edits would never be warmed. `fileOf` names a file index.
 */
export function carelessPatterns(
  ignore: ContentIgnore,
  report: PatternReport,
  fileOf: (index: number) => string,
): string[] {
  const warnings: string[] = [];
  ignore.patterns.forEach((_, p) => {
    const emptied = report.emptied[p] ?? 0;
    const mostly = report.mostly[p] ?? 0;
    const fix =
      'A change of what it removes is never seen, so those files are not warmed when they change. Make the ' +
      'pattern match only the stamp (e.g. Build Date UTC : [^\\n]*), or remove it.';
    if (mostly > 0 && (emptied + mostly) * 2 > report.textFiles) {
      warnings.push(
        `content-ignore: ${patternName(ignore, p)} removes 90 % or more of the text of ${emptied + mostly} of the ` +
          `${report.textFiles} text files of site-dir${emptied > 0 ? ` (all of it in ${emptied})` : ''}. ${fix}`,
      );
    } else if (emptied > 0) {
      const first = report.firstEmptied[p]!;
      warnings.push(
        `content-ignore: ${patternName(ignore, p)} removes the whole text of ${emptied} file${emptied === 1 ? '' : 's'}` +
          `${first >= 0 ? ` (${fileOf(first)}${emptied > 1 ? ', …' : ''})` : ''}. ${fix}`,
      );
    }
  });
  return warnings;
}
