/**
 * Node 24, the runners' runtime for this action, warns on every run of two deprecated APIs that code
 * bundled here still calls: node-fetch 2 reads each request's URL with `url.parse()` (DEP0169, after
 * checking it with the WHATWG parser), and its URL library loads Node's `punycode` module (DEP0040).
 * The warnings name nothing a user can act on, and in a step's log they read as if something were
 * wrong; those two codes, and only they, are not printed. Every other warning is.
 *
 * A module of its own, imported first by the entry points: it must run before the bundled modules that
 * warn as they load.
 */

/** The deprecations of bundled dependencies, by code. */
export const BUNDLED_DEPRECATIONS: ReadonlySet<string> = new Set(['DEP0040', 'DEP0169']);

const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = codeOf(rest);
  if (code !== undefined && BUNDLED_DEPRECATIONS.has(code)) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

/** The code of emitWarning(warning, type, code) or emitWarning(warning, { code }). */
function codeOf(rest: readonly unknown[]): string | undefined {
  const [typeOrOptions, code] = rest;
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null) {
    const given = (typeOrOptions as { code?: unknown }).code;
    return typeof given === 'string' ? given : undefined;
  }
  return typeof code === 'string' ? code : undefined;
}
