/**
 * `npm run docs`: regenerates everything derived from action.yml and examples/, so that none of it can
 * drift (as actions/checkout does for its README):
 *   - src/config/inputs.generated.ts, the inputs the CLI turns into flags (`npm run build` refreshes it too);
 *   - README.md's blocks between `<!-- name:start -->` and `<!-- name:end -->` markers: the inputs and
 *     outputs tables, the CLI's --help text, and the workflows copied from examples/.
 * `--check` writes nothing and exits 1 naming what is stale (CI runs it). `--inputs-only` skips README.
 * Every mode first checks that action.yml and the input spec (src/config/inputs.ts) agree on the
 * inputs' names, order, defaults and required, and exits 1 naming each difference when they do not.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { parse } from 'yaml';
import type { ActionInput } from '../src/config/inputs.generated.js';
import { flagSpecs } from '../src/cli/flags.js';
import { renderHelp } from '../src/cli/help.js';
import { specMismatches } from '../src/config/inputs.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const INPUTS_MODULE = 'src/config/inputs.generated.ts';

export interface ActionOutput {
  name: string;
  description: string;
}

export interface ActionMetadata {
  inputs: ActionInput[];
  outputs: ActionOutput[];
}

interface ActionYaml {
  inputs?: Record<string, { description?: string; required?: boolean | string; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
}

export function parseActionYaml(text: string): ActionMetadata {
  const action = parse(text) as ActionYaml;
  return {
    inputs: Object.entries(action.inputs ?? {}).map(([name, spec]) => ({
      name,
      description: oneLine(spec.description ?? ''),
      default: spec.default === undefined || spec.default === null ? '' : String(spec.default),
      required: spec.required === true || spec.required === 'true',
    })),
    outputs: Object.entries(action.outputs ?? {}).map(([name, spec]) => ({
      name,
      description: oneLine(spec.description ?? ''),
    })),
  };
}

function oneLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

export async function renderInputsModule(inputs: readonly ActionInput[]): Promise<string> {
  const source = [
    '// Generated from action.yml by scripts/docs.ts (`npm run docs`; `npm run build` runs it too). Do not edit.',
    '',
    '/** One input of action.yml. */',
    'export interface ActionInput {',
    '  name: string;',
    '  description: string;',
    "  /** The default as written in action.yml; '' when there is none. */",
    '  default: string;',
    '  required: boolean;',
    '}',
    '',
    `export const ACTION_INPUTS: readonly ActionInput[] = ${JSON.stringify(inputs, null, 2)};`,
    '',
  ].join('\n');
  const options = await prettier.resolveConfig(path.join(ROOT, INPUTS_MODULE));
  return prettier.format(source, { ...options, filepath: INPUTS_MODULE });
}

export function inputsTable(inputs: readonly ActionInput[]): string {
  const rows = inputs.map(
    (input) =>
      `| \`${input.name}\` | ${input.required ? '**required**' : input.default === '' ? '' : code(input.default)} | ${cell(input.description)} |`,
  );
  return ['| input | default | description |', '|---|---|---|', ...rows].join('\n');
}

export function outputsTable(outputs: readonly ActionOutput[]): string {
  const rows = outputs.map((output) => `| \`${output.name}\` | ${cell(output.description)} |`);
  return ['| output | description |', '|---|---|', ...rows].join('\n');
}

function code(text: string): string {
  return text.includes('`') ? `<code>${text}</code>` : `\`${cell(text)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** Replaces what stands between `<!-- name:start ... -->` and `<!-- name:end -->`. */
export function replaceBlock(text: string, name: string, content: string): string {
  const start = new RegExp(`<!-- ${escape(name)}:start[^>]*-->\\n`);
  const end = `<!-- ${name}:end -->`;
  const open = start.exec(text);
  const close = open ? text.indexOf(end, open.index) : -1;
  if (!open || close < 0) throw new Error(`README.md has no <!-- ${name}:start --> … ${end} block`);
  const from = open.index + open[0].length;
  return text.slice(0, from) + content.trimEnd() + '\n' + text.slice(close);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function exampleFiles(root = ROOT): Promise<string[]> {
  const names = await readdir(path.join(root, 'examples'));
  return names.filter((name) => /\.ya?ml$/.test(name)).sort();
}

/** README with every generated block brought up to date. */
export async function renderReadme(readme: string, action: ActionMetadata, root = ROOT): Promise<string> {
  let text = replaceBlock(readme, 'inputs', inputsTable(action.inputs));
  text = replaceBlock(text, 'outputs', outputsTable(action.outputs));
  text = replaceBlock(text, 'cli-help', '```text\n' + renderHelp(flagSpecs(action.inputs)) + '```');
  for (const name of await exampleFiles(root)) {
    const block = `example examples/${name}`;
    if (!text.includes(`<!-- ${block}:start`)) continue;
    const workflow = await readFile(path.join(root, 'examples', name), 'utf8');
    text = replaceBlock(text, block, '```yaml\n' + workflow.trimEnd() + '\n```');
  }
  return text;
}

/** Every generated file, by path relative to the root, with the content it should have. */
export async function generate(root = ROOT, inputsOnly = false): Promise<Map<string, string>> {
  const action = parseActionYaml(await readFile(path.join(root, 'action.yml'), 'utf8'));
  const files = new Map<string, string>([[INPUTS_MODULE, await renderInputsModule(action.inputs)]]);
  if (!inputsOnly) {
    files.set(
      'README.md',
      await renderReadme(await readFile(path.join(root, 'README.md'), 'utf8'), action, root),
    );
  }
  return files;
}

/** The generated files whose content on disk differs from what they should be. */
export async function staleFiles(root = ROOT, inputsOnly = false): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, content] of await generate(root, inputsOnly)) {
    const current = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(file);
  }
  return stale;
}

/** Where action.yml and src/config/inputs.ts disagree; empty when they agree. */
export async function specProblems(root = ROOT): Promise<string[]> {
  return specMismatches(parseActionYaml(await readFile(path.join(root, 'action.yml'), 'utf8')).inputs);
}

async function main(args: string[]): Promise<void> {
  const inputsOnly = args.includes('--inputs-only');
  const disagreements = await specProblems();
  if (disagreements.length > 0) {
    console.error(
      `action.yml and the input spec (src/config/inputs.ts) disagree:\n${disagreements.map((d) => `  - ${d}`).join('\n')}\n` +
        'Change both together: action.yml says what users see, the spec how the value is read.',
    );
    process.exitCode = 1;
    return;
  }
  if (args.includes('--check')) {
    const stale = await staleFiles(ROOT, inputsOnly);
    if (stale.length > 0) {
      console.error(
        `Generated docs are stale: ${stale.join(', ')}. Run 'npm run docs' and commit the result.`,
      );
      process.exitCode = 1;
    }
    return;
  }
  for (const [file, content] of await generate(ROOT, inputsOnly)) {
    await writeFile(path.join(ROOT, file), content, 'utf8');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
