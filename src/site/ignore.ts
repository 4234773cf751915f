/**
 * `content-ignore`: regular expressions, one a line, whose matches are removed from a text file before
 * it is hashed, for generators that stamp build times or random ids into every page (MkDocs' `Build
 * Date UTC : …` comment, Hexo's timestamps and `cuid` ids). A redeploy with no content change then
 * hashes the same as the deploy before it.
 */
import { ConfigError } from '../base/errors.js';

export interface ContentIgnore {
  /** The compiled patterns (global), in input order. */
  readonly patterns: readonly RegExp[];
}

/**
 * Compiles the input's lines; blank lines are skipped (a pattern with surrounding spaces must use
 * `\s` or `[ ]`, since lines are trimmed). Patterns are JavaScript regular expressions without flags.
 * Throws a ConfigError naming `content-ignore` and the line for one that does not compile.
 */
export function compileContentIgnore(text: string | undefined): ContentIgnore {
  const patterns: RegExp[] = [];
  (text ?? '').split(/\r?\n/).forEach((line, i) => {
    const source = line.trim();
    if (source === '') return;
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
  });
  return { patterns };
}

/** `text` with every match of every pattern removed (the same text when nothing matched). */
export function removeIgnored(text: string, ignore: ContentIgnore): string {
  let result = text;
  for (const pattern of ignore.patterns) result = result.replace(pattern, '');
  return result;
}
