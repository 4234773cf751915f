/**
 * The input spec (src/config/inputs.ts) against action.yml: the same inputs in the same order, the same
 * `required`, a default wherever the spec reads a value as always set; the defaults are action.yml's
 * (through the generated src/config/inputs.generated.ts) and are written nowhere else; each kind's
 * default is a value of that kind.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { INPUTS_MODULE, parseActionYaml, ROOT, specProblems, staleFiles } from '../../scripts/docs.js';
import {
  effectiveDefault,
  INPUTS,
  INPUT_NAMES,
  readInputs,
  specMismatches,
  type DeclaredInput,
  type InputSpec,
} from '../../src/config/inputs.js';

const actionYaml = await readFile(path.join(ROOT, 'action.yml'), 'utf8');
const declared: DeclaredInput[] = parseActionYaml(actionYaml).inputs;
const specs = INPUT_NAMES.map((name) => [name, INPUTS[name] as InputSpec<unknown>] as const);

describe('the input spec and action.yml', () => {
  it('agree on every name, the order, every default and required', () => {
    expect(specMismatches(declared)).toEqual([]);
    expect(INPUT_NAMES).toEqual(declared.map((input) => input.name));
    expect(specs.map(([name, spec]) => [name, spec.default])).toEqual(
      declared.map((input) => [input.name, input.default]),
    );
  });

  it('a default changed in action.yml is no disagreement: the spec takes its defaults from there', () => {
    const changed = declared.map((i) => (i.name === 'batch-size' ? { ...i, default: '50' } : i));
    expect(specMismatches(changed)).toEqual([]);
  });

  it.each<[string, (inputs: DeclaredInput[]) => DeclaredInput[], string]>([
    [
      'the default of an input read as always set removed',
      (inputs) => inputs.map((i) => (i.name === 'batch-size' ? { ...i, default: '' } : i)),
      'input "batch-size": src/config/inputs.ts reads it as always set, but action.yml gives it no default',
    ],
    [
      'a default given to a number the spec reads as optional',
      (inputs) => inputs.map((i) => (i.name === 'timeout' ? { ...i, default: '600' } : i)),
      'input "timeout": action.yml gives it a default, which src/config/inputs.ts does not expect (mark it DEFAULTED)',
    ],
    [
      'an input only action.yml has',
      (inputs) => [...inputs, { name: 'new-thing', default: '', required: false }],
      'action.yml has input "new-thing", which src/config/inputs.ts does not',
    ],
    [
      'an input action.yml lost',
      (inputs) => inputs.filter((i) => i.name !== 'wait'),
      'src/config/inputs.ts has input "wait", which action.yml does not',
    ],
    [
      'an input made required',
      (inputs) => inputs.map((i) => (i.name === 'urls' ? { ...i, required: true } : i)),
      'input "urls": action.yml says required: true, src/config/inputs.ts says false',
    ],
    [
      'two inputs swapped',
      (inputs) => [inputs[1] as DeclaredInput, inputs[0] as DeclaredInput, ...inputs.slice(2)],
      'src/config/inputs.ts lists the inputs in another order than action.yml',
    ],
  ])('a disagreement is named: %s', (_name, change, problem) => {
    expect(specMismatches(change(declared))).toEqual([problem]);
  });

  it('is what `npm run docs:check` (CI) checks, on the action.yml it finds', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cdn-prefetch-spec-'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    await mkdir(path.join(root, 'src/config'), { recursive: true });
    await writeFile(path.join(root, 'action.yml'), actionYaml);
    await writeFile(path.join(root, INPUTS_MODULE), await readFile(path.join(ROOT, INPUTS_MODULE)));
    expect(await specProblems(root)).toEqual([]);
    expect(await staleFiles(root, true)).toEqual([]);
    // A default changed in action.yml only: the generated copy the spec reads is stale until regenerated.
    const endpoint = "default: 'https://cdn.aliyuncs.com'";
    await writeFile(
      path.join(root, 'action.yml'),
      actionYaml.replace(endpoint, "default: 'https://cdn.example.com'"),
    );
    expect(await specProblems(root)).toEqual([]);
    expect(await staleFiles(root, true)).toEqual([INPUTS_MODULE]);
    // A default taken away from an input the spec reads as always set.
    await writeFile(path.join(root, 'action.yml'), actionYaml.replace("default: '100'", "default: ''"));
    expect(await specProblems(root)).toEqual([
      'input "batch-size": src/config/inputs.ts reads it as always set, but action.yml gives it no default',
    ]);
  });
});

describe('each kind', () => {
  it('every default parses (an empty run reads every input without error)', () => {
    expect(readInputs(() => '').errors).toEqual([]);
  });

  it.each(specs.filter(([, spec]) => spec.kind === 'switch'))(
    '%s: a switch defaults to true or false',
    (_n, spec) => {
      expect(['true', 'false']).toContain(spec.default);
    },
  );

  it.each(specs.filter(([, spec]) => spec.kind === 'optional-switch'))(
    '%s: an optional switch is empty by default (not sent)',
    (name, spec) => {
      expect(spec.default).toBe('');
      expect(spec.parse('', name)).toBeUndefined();
    },
  );

  it.each(specs.filter(([, spec]) => spec.kind === 'whole'))(
    '%s: a whole number defaults within its range',
    (name, spec) => {
      const range = spec.range as { min: number; max: number };
      const value = spec.parse(spec.default, name);
      if (spec.default === '') return expect(value).toBeUndefined();
      expect(value).toBeGreaterThanOrEqual(range.min);
      expect(value).toBeLessThanOrEqual(range.max);
      expect(() => spec.parse(String(range.max + 1), name)).toThrow(
        `${name}: "${range.max + 1}" must be a whole number`,
      );
    },
  );

  it.each(specs.filter(([, spec]) => spec.kind === 'choice'))(
    '%s: a choice defaults to one of its words',
    (_n, spec) => {
      if (spec.default !== '') expect(spec.choices).toContain(spec.default);
    },
  );

  it.each(specs.filter(([, spec]) => spec.kind === 'secret'))('%s: a secret is never a flag', (_n, spec) => {
    expect(spec.cli.flag).toBe(false);
  });

  it('every input that is not a flag says what to use instead', () => {
    for (const [, spec] of specs) if (!spec.cli.flag) expect(spec.cli.instead.length).toBeGreaterThan(10);
  });

  it('a default the runner expands (${{ github.token }}) reads as empty elsewhere', () => {
    expect(INPUTS['github-token'].default).toBe('${{ github.token }}');
    expect(effectiveDefault(INPUTS['github-token'])).toBe('');
    expect(readInputs(() => '').values['github-token']).toBeUndefined();
  });

  it('reads the documented defaults', () => {
    expect(readInputs(() => '').values).toMatchObject({
      endpoint: 'https://cdn.aliyuncs.com',
      'signature-version': 'v3',
      'batch-size': 100,
      'daily-quota': 'auto',
      'requests-per-second': 50,
      'fail-on': 'error',
      'dry-run': false,
      'request-timeout': 30,
      timeout: undefined,
      'wait-timeout': 900,
      'poll-interval': 10,
      audience: 'sts.aliyuncs.com',
      'role-duration-seconds': 900,
      'sts-endpoint': 'https://sts.aliyuncs.com',
      changes: { added: true, modified: true, all: false },
      area: undefined,
      'l2-preload': undefined,
    });
  });
});

describe('no default written twice', () => {
  // The defaults that are words (numbers like 10 or 900 are too common to search for).
  const words = specs
    .map(([, spec]) => spec.default)
    .filter((value) => value !== '' && !/^(\d+|true|false)$/.test(value) && !value.includes('${{'));

  it.each([
    'src/config/inputs.ts',
    'src/config/parse.ts',
    'src/cli/flags.ts',
    'src/cli/help.ts',
    'src/main.ts',
  ])('%s holds none of the defaults as a literal', async (file) => {
    expect(words.length).toBeGreaterThan(5);
    const source = await readFile(path.join(ROOT, file), 'utf8');
    // The spec lists a choice's words ('v3', 'v1'); which of them is the default is action.yml's to say.
    const choices = new Set(
      file.endsWith('inputs.ts') ? specs.flatMap(([, spec]) => spec.choices ?? []) : [],
    );
    for (const value of words.filter((word) => !choices.has(word))) {
      expect(source, value).not.toMatch(
        new RegExp(`['"\`]${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"\`]`),
      );
    }
  });

  it('the CLI decides switch and list from the spec: flags.ts never reads the description to decide', async () => {
    const source = await readFile(path.join(ROOT, 'src/cli/flags.ts'), 'utf8');
    expect(source).not.toMatch(/true to|one per line/i);
  });
});
