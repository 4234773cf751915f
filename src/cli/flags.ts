/**
 * The CLI's flags are the action's inputs, by the same names. The input spec (config/inputs.ts) says
 * which inputs are flags, of what kind and with what default; the descriptions come from action.yml
 * (through inputs.generated.ts). Left out are the secrets (credentials come from the ALIBABA_CLOUD_*
 * variables, never from the command line, where they would land in shell history and `ps`) and what
 * only exists inside GitHub Actions. Parsing is Node's util.parseArgs; the checks after it exist to
 * word the errors.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../base/errors.js';
import { ACTION_INPUTS, type ActionInput } from '../config/inputs.generated.js';
import { effectiveDefault, INPUTS, INPUT_NAMES, type InputKind, type InputSpec } from '../config/inputs.js';

/** Inputs that are not flags, and what to use instead: the message for someone who tries one. */
export const NOT_FLAGS: Readonly<Record<string, string>> = Object.fromEntries(
  INPUT_NAMES.flatMap((name) => {
    const cli = INPUTS[name].cli;
    return cli.flag ? [] : [[name, cli.instead]];
  }),
);

/** Flags of the CLI itself, beside the inputs. */
export const CLI_FLAGS = [
  {
    name: 'json',
    usage: '--json',
    description:
      "Print the JSON report (the action's report file) on standard output instead of the closing table. The plan, progress and warnings still go to standard error.",
  },
  { name: 'verbose', usage: '--verbose', description: 'Also print every call and debug lines.' },
  { name: 'help', usage: '-h, --help', description: 'Print this help.' },
  { name: 'version', usage: '--version', description: 'Print the version.' },
] as const;

/**
 * switch: `--name` / `--no-name` (also `--name=true|false`), for the switches of the spec, the
 * optional ones included (unset means "not sent"). list: repeatable, the values joined by newlines.
 * value: one value.
 */
export type FlagKind = 'switch' | 'list' | 'value';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  /** The spec's default, or '' when the default only makes sense inside GitHub Actions. */
  default: string;
  description: string;
}

export function flagKind(kind: InputKind): FlagKind {
  if (kind === 'switch' || kind === 'optional-switch') return 'switch';
  return kind === 'list' ? 'list' : 'value';
}

/**
 * The flags, in the spec's order (action.yml's), with the descriptions and defaults `descriptions`
 * gives (action.yml's; scripts/docs.ts passes a fresh read of it).
 */
export function flagSpecs(descriptions: readonly ActionInput[] = ACTION_INPUTS): FlagSpec[] {
  const own = new Set<string>(CLI_FLAGS.map((flag) => flag.name));
  const described = new Map(descriptions.map((input) => [input.name, input]));
  return INPUT_NAMES.flatMap((name) => {
    const spec: InputSpec<unknown> = INPUTS[name];
    if (!spec.cli.flag) return [];
    if (own.has(name)) throw new Error(`input "${name}" collides with the CLI's own --${name}`);
    const input = described.get(name);
    if (input === undefined) throw new Error(`action.yml has no input "${name}" to describe the flag`);
    const { description } = input;
    const kind = flagKind(spec.kind);
    const note = [kind === 'list' ? 'Repeat the flag for more.' : '', spec.cli.note ?? '']
      .filter(Boolean)
      .join(' ');
    return [
      {
        name,
        kind,
        default: effectiveDefault(input),
        description: note ? `${description} ${note}` : description,
      },
    ];
  });
}

export interface ParsedFlags {
  /** The inputs given, by action.yml name; switches as 'true' / 'false', lists joined by newlines. */
  inputs: Record<string, string>;
  json: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parses the command line; a UsageError says what is wrong with it. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const options: ParseOptions = {};
  for (const spec of specs) {
    if (spec.kind === 'switch') {
      options[spec.name] = { type: 'boolean' };
      options[`no-${spec.name}`] = { type: 'boolean' };
    } else {
      options[spec.name] = { type: 'string', multiple: true };
    }
  }
  for (const flag of CLI_FLAGS) options[flag.name] = { type: 'boolean' };
  options['help'] = { type: 'boolean', short: 'h' };

  // Not strict: the tokens are checked below, so that each mistake gets a message naming the fix.
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const parsed: ParsedFlags = { inputs: {}, json: false, verbose: false, help: false, version: false };
  const lists = new Map<string, string[]>();
  let previous: string | undefined;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') throw new UsageError(positionalMessage(token.value, previous, byName));
    previous = token.name;
    const ownFlag = CLI_FLAGS.find((flag) => flag.name === token.name);
    if (ownFlag) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      parsed[ownFlag.name] = true;
      continue;
    }
    const negated = token.name.startsWith('no-') && byName.get(token.name.slice(3))?.kind === 'switch';
    const spec = byName.get(negated ? token.name.slice(3) : token.name);
    if (!spec) throw new UsageError(unknownFlagMessage(token.rawName, token.name, specs));
    if (spec.kind === 'switch') {
      parsed.inputs[spec.name] = String(switchValue(token.rawName, token.value, negated));
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.length > 1 && value.startsWith('-'))) {
      throw new UsageError(`--${spec.name} needs a value, like --${spec.name} ${example(spec)}`);
    }
    if (spec.kind === 'value' && parsed.inputs[spec.name] !== undefined) {
      throw new UsageError(`--${spec.name} is given twice; it takes one value`);
    }
    if (spec.kind === 'list') {
      const values = lists.get(spec.name) ?? [];
      values.push(value);
      lists.set(spec.name, values);
      parsed.inputs[spec.name] = values.join('\n');
    } else {
      parsed.inputs[spec.name] = value;
    }
  }
  return parsed;
}

function switchValue(rawName: string, value: string | undefined, negated: boolean): boolean {
  if (value === undefined) return !negated;
  if (!negated && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new UsageError(
    `${rawName} is a switch: write ${rawName.replace(/^--(no-)?/, '--')} or ${rawName.replace(/^--(no-)?/, '--no-')}`,
  );
}

function positionalMessage(
  value: string,
  previous: string | undefined,
  byName: ReadonlyMap<string, FlagSpec>,
): string {
  const spec = previous === undefined ? undefined : byName.get(previous.replace(/^no-/, ''));
  if (spec?.kind === 'switch') {
    return `unexpected "${value}": --${spec.name} is a switch and takes no value (write --${spec.name} or --no-${spec.name})`;
  }
  return `unexpected "${value}": every value belongs to a flag, like --urls ${/^https?:/.test(value) ? value : 'https://www.example.com/'}`;
}

function unknownFlagMessage(rawName: string, name: string, specs: readonly FlagSpec[]): string {
  const instead = NOT_FLAGS[name];
  if (instead) return `${rawName} is not a flag of the command line: ${instead}`;
  const names = [...specs.map((spec) => spec.name), ...CLI_FLAGS.map((flag) => flag.name)];
  const near = names
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0];
  return `unknown flag ${rawName}` + (near ? `; did you mean --${near.candidate}?` : '');
}

function example(spec: FlagSpec): string {
  if (spec.default !== '') return spec.default;
  if (spec.name.includes('file')) return 'urls.txt';
  return spec.kind === 'list' || spec.name.includes('url') ? 'https://www.example.com/' : '…';
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, substitution));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
