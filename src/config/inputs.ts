/**
 * The input spec: for every input of action.yml, its kind and its parser, and whether the CLI has it as
 * a flag. The action's config (parse.ts) and the CLI's flags (cli/flags.ts) both come from this table.
 * What users read stays in action.yml, defaults included: they are written there only, and reach the
 * spec through src/config/inputs.generated.ts, which `npm run docs` and `npm run build` generate from
 * action.yml and `npm run docs:check` (CI) checks. A test (and every one of those commands) fails when
 * the spec and action.yml disagree on the names, their order, `required`, or which inputs have a default.
 */
import { ConfigError } from '../base/errors.js';
import { LIMITS } from '../base/limits.js';
import { compileContentIgnore } from '../site/index.js';
import { parseChanges } from '../sitemap/diff.js';
import { compileExcludes } from '../urls/exclude.js';
import { parseDomainPatterns } from '../urls/domains.js';
import { ACTION_INPUTS } from './inputs.generated.js';
import {
  asConfigError,
  parseBaseUrl,
  parseChoice,
  parseDailyQuota,
  parseEndpoint,
  parseOidcProviderArn,
  parseRefresh,
  parseRoleArn,
  parseSessionName,
  parseSwitch,
  parseWhole,
  parseWithHeader,
  REFRESH_WORDS,
} from './values.js';

/**
 * text: one value. list: one entry per line (a repeatable flag). switch: true or false.
 * optional-switch: true, false, or empty for "not sent". whole: a whole number in a range.
 * choice: one of a few words. secret: never a flag, masked. path: a file, relative to the workspace.
 */
export type InputKind =
  'text' | 'list' | 'switch' | 'optional-switch' | 'whole' | 'choice' | 'secret' | 'path';

/** The CLI's side of an input: a flag by the same name (with a note where the CLI differs), or not a flag. */
export type CliUse = { flag: true; note?: string } | { flag: false; instead: string };

export interface InputSpec<T> {
  readonly kind: InputKind;
  /** The default exactly as action.yml writes it; '' for none. */
  readonly default: string;
  /**
   * The value is never empty, so never undefined: action.yml must give the input a default (a switch,
   * and a whole number or a choice marked DEFAULTED).
   */
  readonly defaulted: boolean;
  readonly required: boolean;
  readonly cli: CliUse;
  /** whole: the accepted range. */
  readonly range?: { readonly min: number; readonly max: number };
  /** choice: the accepted words. */
  readonly choices?: readonly string[];
  /** secret: the environment variable it falls back to. */
  readonly env?: string;
  /**
   * The value (trimmed, but for lists) or, when it is empty, the default → what the config holds.
   * Throws a ConfigError naming the input.
   */
  readonly parse: (value: string, name: string) => T;
}

const FLAG: CliUse = { flag: true };
const IN_CLI_RELATIVE = 'In the CLI: relative to the current directory.';
const OIDC_ONLY: CliUse = { flag: false, instead: 'GitHub OIDC exists only inside GitHub Actions' };

type Options<T> = { cli?: CliUse; parse?: (value: string, name: string) => T };

/** A whole number or a choice whose action.yml default is never empty: its value is never undefined. */
const DEFAULTED = { defaulted: true } as const;

/** A spec without its default, which withDefaults() takes from action.yml. */
function spec<T>(
  kind: InputKind,
  options: Options<T> & { defaulted?: boolean },
  parse: (value: string, name: string) => T,
): InputSpec<T> {
  const defaulted = options.defaulted ?? false;
  return { kind, default: '', defaulted, required: false, cli: options.cli ?? FLAG, parse };
}

/** One value, kept as given (trimmed) unless a parser is named. */
function text<T = string>(options: Options<T> = {}): InputSpec<T> {
  return spec('text', options, options.parse ?? ((value) => value as T));
}

/** One entry per line; the parser gets the text as given. */
function list<T = string>(options: Options<T> = {}): InputSpec<T> {
  return spec('list', options, options.parse ?? ((value) => value as T));
}

function path(options: Options<string> = {}): InputSpec<string> {
  return spec('path', options, (value) => value);
}

/** true or false: always given a default, as @actions/core's getBooleanInput needs one. */
function switchInput(): InputSpec<boolean> {
  return spec('switch', DEFAULTED, parseSwitch);
}

/** Empty means "not sent": the API's own default applies. */
function optionalSwitch(): InputSpec<boolean | undefined> {
  return spec('optional-switch', {}, (value, name) => (value === '' ? undefined : parseSwitch(value, name)));
}

function whole(min: number, max: number, options: Options<number> & typeof DEFAULTED): InputSpec<number>;
function whole(
  min: number,
  max: number,
  options?: Options<number | undefined>,
): InputSpec<number | undefined>;
function whole(
  min: number,
  max: number,
  options: Options<number | undefined> & { defaulted?: boolean } = {},
): InputSpec<number | undefined> {
  const parse = (value: string, name: string): number | undefined =>
    value === '' ? undefined : parseWhole(value, name, min, max);
  return { ...spec('whole', options, options.parse ?? parse), range: { min, max } };
}

function choice<T extends string>(
  choices: readonly T[],
  options: { cli?: CliUse } & typeof DEFAULTED,
): InputSpec<T>;
function choice<T extends string>(choices: readonly T[]): InputSpec<T | undefined>;
function choice<T extends string>(
  choices: readonly T[],
  options: { cli?: CliUse; defaulted?: boolean } = {},
): InputSpec<T | undefined> {
  const parse = (value: string, name: string): T | undefined =>
    value === '' ? undefined : parseChoice(value, name, choices);
  return { ...spec('choice', options, parse), choices };
}

/** Never a flag: on a command line it would land in shell history and `ps`. Empty is undefined. */
function secret(env: string | undefined, options: { instead?: string } = {}): InputSpec<string | undefined> {
  const instead = options.instead ?? `set the ${env} environment variable instead`;
  const parse = (value: string): string | undefined => (value === '' ? undefined : value);
  return { ...spec('secret', { cli: { flag: false, instead } }, parse), ...(env ? { env } : {}) };
}

/** An endpoint: an origin, and errors that show the default as the example of one. */
function endpoint(options: Options<string> = {}): InputSpec<string> {
  return text({ ...options, parse: (value, name) => parseEndpoint(value, name, actionDefault(name)) });
}

/** The default action.yml gives the input (through inputs.generated.ts); '' for none. */
function actionDefault(name: string): string {
  return ACTION_INPUTS.find((input) => input.name === name)?.default ?? '';
}

/**
 * The table with each input's default, as action.yml writes it. (Generic over any object, not a record
 * of specs: that contextual type would widen each parser's result.)
 */
function withDefaults<T extends object>(table: T): T {
  const specs = Object.entries(table) as [string, InputSpec<unknown>][];
  return Object.fromEntries(
    specs.map(([name, spec]) => [name, { ...spec, default: actionDefault(name) }]),
  ) as T;
}

/** Every input of action.yml, in its order. */
export const INPUTS = withDefaults({
  urls: list(),
  'urls-file': path({
    cli: {
      flag: true,
      note: 'In the CLI: relative to the current directory; - reads the list from standard input.',
    },
  }),
  'base-url': text({ parse: parseBaseUrl }),
  'site-dir': path({ cli: { flag: true, note: IN_CLI_RELATIVE } }),
  state: path({ cli: { flag: true, note: IN_CLI_RELATIVE } }),
  'content-ignore': list({
    parse: (value) => asConfigError('content-ignore', () => compileContentIgnore(value)),
  }),
  'carry-days': whole(0, 365, DEFAULTED),
  domains: list({ parse: (value) => asConfigError('domains', () => parseDomainPatterns(value)) }),
  'access-key-id': secret('ALIBABA_CLOUD_ACCESS_KEY_ID'),
  'access-key-secret': secret('ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
  'security-token': secret('ALIBABA_CLOUD_SECURITY_TOKEN'),
  endpoint: endpoint(),
  'signature-version': choice(['v3', 'v1'] as const, DEFAULTED),
  area: choice(['domestic', 'overseas'] as const),
  'l2-preload': optionalSwitch(),
  'with-header': text({ parse: parseWithHeader }),
  'query-hashkey': optionalSwitch(),
  'batch-size': whole(1, LIMITS.maxBatchSize, DEFAULTED),
  'daily-quota': text({ parse: parseDailyQuota }),
  'requests-per-second': whole(1, LIMITS.maxRequestsPerSecond, DEFAULTED),
  'fail-on': choice(['error', 'skipped', 'never'] as const, {
    ...DEFAULTED,
    cli: { flag: true, note: 'In the CLI it decides the exit code: 1 where the step would fail.' },
  }),
  'dry-run': switchInput(),
  'request-timeout': whole(1, 600, DEFAULTED),
  // Empty: 600 s plus wait-timeout for each wait that is on (parse.ts), so it never cuts a wait short.
  timeout: whole(1, 6 * 3600),
  refresh: { ...spec('choice', DEFAULTED, parseRefresh), choices: REFRESH_WORDS },
  wait: switchInput(),
  'wait-timeout': whole(1, 6 * 3600, DEFAULTED),
  'poll-interval': whole(1, 3600, DEFAULTED),
  verify: switchInput(),
  'verify-limit': whole(1, 10_000, DEFAULTED),
  'role-arn': text({
    parse: parseRoleArn,
    cli: {
      flag: false,
      instead: 'GitHub OIDC exists only inside GitHub Actions; set the ALIBABA_CLOUD_* variables instead',
    },
  }),
  'oidc-provider-arn': text({ parse: parseOidcProviderArn, cli: OIDC_ONLY }),
  // Empty: cdn-prefetch-<run id> (parse.ts).
  'role-session-name': text({ parse: parseSessionName, cli: OIDC_ONLY }),
  audience: text({ cli: OIDC_ONLY }),
  'role-duration-seconds': whole(900, 43_200, { ...DEFAULTED, cli: OIDC_ONLY }),
  'sts-endpoint': endpoint({ cli: OIDC_ONLY }),
  sitemap: text(),
  'previous-sitemap': text(),
  'previous-ref': text({
    cli: {
      flag: false,
      instead: 'it reads the repository through GitHub, inside GitHub Actions only; use --previous-sitemap',
    },
  }),
  'github-token': secret(undefined, { instead: 'it exists only inside GitHub Actions' }),
  changes: text({ parse: (value) => asConfigError('changes', () => parseChanges(value)) }),
  'include-images': switchInput(),
  exclude: list({ parse: (value) => asConfigError('exclude', () => compileExcludes(value)) }),
  'save-sitemap': path(),
});
// Every entry is an InputSpec (not `satisfies`: its contextual type would widen each parser's result).
const SPECS: Readonly<Record<string, InputSpec<unknown>>> = INPUTS;

export type InputName = keyof typeof INPUTS;
export type InputValue<N extends InputName> = ReturnType<(typeof INPUTS)[N]['parse']>;
export type InputValues = { readonly [N in InputName]: InputValue<N> };

export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

/** The default the parser sees: one the runner expands (`${{ github.token }}`) means nothing elsewhere. */
export function effectiveDefault(input: { readonly default: string }): string {
  return input.default.includes('${{') ? '' : input.default;
}

/** Reads one input by its action.yml name; '' when unset. */
export type InputReader = (name: string) => string;

export interface ReadInputs {
  /** Every input's value; those that failed hold their default's value and are listed in `errors`. */
  values: InputValues;
  /** One error per input whose value cannot be used, in action.yml's order. */
  errors: ConfigError[];
  /** The inputs in `errors`. */
  failed: ReadonlySet<InputName>;
}

/** Parses every input, each on its own, so that every wrong value is reported, not just the first. */
export function readInputs(input: InputReader): ReadInputs {
  const values: Record<string, unknown> = {};
  const errors: ConfigError[] = [];
  const failed = new Set<InputName>();
  for (const name of INPUT_NAMES) {
    const spec = SPECS[name] as InputSpec<unknown>;
    const given = input(name);
    const value = spec.kind === 'list' ? given : given.trim();
    try {
      values[name] = spec.parse(value.trim() === '' ? effectiveDefault(spec) : value, name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error.input === undefined ? new ConfigError(error.message, name) : error);
      failed.add(name);
      values[name] = spec.parse(effectiveDefault(spec), name);
    }
  }
  return { values: values as InputValues, errors, failed };
}

/** An input of action.yml as scripts/docs.ts reads it: name, default as written, required. */
export interface DeclaredInput {
  name: string;
  default: string;
  required: boolean;
}

/**
 * Where action.yml and this spec disagree (names, order, required, which inputs have a default); empty
 * when they agree. The default values themselves are action.yml's alone.
 */
export function specMismatches(declared: readonly DeclaredInput[]): string[] {
  const problems: string[] = [];
  const inSpec = new Set<string>(INPUT_NAMES);
  const inYaml = new Set(declared.map((input) => input.name));
  for (const input of declared) {
    if (!inSpec.has(input.name)) {
      problems.push(`action.yml has input "${input.name}", which src/config/inputs.ts does not`);
      continue;
    }
    const spec = SPECS[input.name] as InputSpec<unknown>;
    if (spec.defaulted && input.default === '') {
      problems.push(
        `input "${input.name}": src/config/inputs.ts reads it as always set, but action.yml gives it no default`,
      );
    }
    if (!spec.defaulted && input.default !== '' && (spec.kind === 'whole' || spec.kind === 'choice')) {
      problems.push(
        `input "${input.name}": action.yml gives it a default, which src/config/inputs.ts does not expect (mark it DEFAULTED)`,
      );
    }
    if (spec.required !== input.required) {
      problems.push(
        `input "${input.name}": action.yml says required: ${input.required}, src/config/inputs.ts says ${spec.required}`,
      );
    }
  }
  for (const name of INPUT_NAMES) {
    if (!inYaml.has(name))
      problems.push(`src/config/inputs.ts has input "${name}", which action.yml does not`);
  }
  const shared = declared.map((input) => input.name).filter((name) => inSpec.has(name));
  const specOrder = INPUT_NAMES.filter((name) => inYaml.has(name));
  if (problems.length === 0 && shared.join() !== specOrder.join()) {
    problems.push('src/config/inputs.ts lists the inputs in another order than action.yml');
  }
  return problems;
}
