/**
 * `npm run docs`: regenerates everything derived from action.yml and examples/, so that none of it can
 * drift (as actions/checkout does for its README):
 *   - src/config/inputs.generated.ts, the inputs the CLI turns into flags (`npm run build` refreshes it too);
 *   - the blocks between `<!-- name:start -->` and `<!-- name:end -->` markers in README.md and docs/*.md:
 *     the inputs and outputs tables (README), the CLI's --help text, and the workflows copied from
 *     examples/, each in exactly one page, so that every example is shown once, where its topic is.
 * `--check` writes nothing and exits 1 naming what is stale (CI runs it). `--inputs-only` skips the
 * Markdown.
 * Every mode first checks that action.yml and the input spec (src/config/inputs.ts) agree on the
 * inputs' names, order, required and which have a default, and exits 1 naming each difference when they
 * do not. The default values are written in action.yml only: the spec reads them from
 * src/config/inputs.generated.ts, and `--check` fails when that copy is stale.
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

function blockStart(name: string): RegExp {
  return new RegExp(`<!-- ${escape(name)}:start[^>]*-->\\n`);
}

/** Whether a Markdown text carries the generated block `name`. */
export function hasBlock(text: string, name: string): boolean {
  return blockStart(name).test(text);
}

/** Replaces what stands between `<!-- name:start ... -->` and `<!-- name:end -->`. */
export function replaceBlock(text: string, name: string, content: string, file = 'README.md'): string {
  const end = `<!-- ${name}:end -->`;
  const open = blockStart(name).exec(text);
  const close = open ? text.indexOf(end, open.index) : -1;
  if (!open || close < 0) throw new Error(`${file} has no <!-- ${name}:start --> … ${end} block`);
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

/** The Markdown files that carry generated blocks: README.md, then every page of docs/. */
export async function docFiles(root = ROOT): Promise<string[]> {
  const pages = await readdir(path.join(root, 'docs')).catch(() => [] as string[]);
  const markdown = pages.filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...markdown.map((name) => `docs/${name}`)];
}

/** The generated blocks: the fixed ones, then one per file of examples/. */
function blockNames(examples: readonly string[]): string[] {
  return ['inputs', 'outputs', 'cli-help', ...examples.map((name) => `example examples/${name}`)];
}

/**
 * What is wrong with where the blocks stand: the inputs and outputs tables belong in README, and every
 * block (each example's copy included) must stand in exactly one of the files, so that a new example
 * cannot go unshown and none is shown twice.
 */
export function blockProblems(docs: ReadonlyMap<string, string>, examples: readonly string[]): string[] {
  const problems: string[] = [];
  for (const name of blockNames(examples)) {
    const holders = [...docs].filter(([, text]) => hasBlock(text, name)).map(([file]) => file);
    if (holders.length !== 1) {
      const where = holders.length === 0 ? 'none' : holders.join(', ');
      problems.push(
        `<!-- ${name}:start --> must stand in exactly one of ${[...docs.keys()].join(', ')}; it stands in ${where}`,
      );
    } else if ((name === 'inputs' || name === 'outputs') && holders[0] !== 'README.md') {
      problems.push(`<!-- ${name}:start --> belongs in README.md, not in ${holders[0]}`);
    }
  }
  return problems;
}

/** A Markdown file with every generated block it carries brought up to date. */
export async function renderDoc(
  text: string,
  action: ActionMetadata,
  file = 'README.md',
  root = ROOT,
): Promise<string> {
  const content = new Map<string, () => Promise<string>>([
    ['inputs', () => Promise.resolve(inputsTable(action.inputs))],
    ['outputs', () => Promise.resolve(outputsTable(action.outputs))],
    ['cli-help', () => Promise.resolve('```text\n' + renderHelp(flagSpecs(action.inputs)) + '```')],
  ]);
  for (const name of await exampleFiles(root)) {
    content.set(`example examples/${name}`, async () => {
      const workflow = await readFile(path.join(root, 'examples', name), 'utf8');
      return '```yaml\n' + workflow.trimEnd() + '\n```';
    });
  }
  let rendered = text;
  for (const [name, render] of content) {
    if (hasBlock(rendered, name)) rendered = replaceBlock(rendered, name, await render(), file);
  }
  return rendered;
}

/** Every generated file, by path relative to the root, with the content it should have. */
export async function generate(root = ROOT, inputsOnly = false): Promise<Map<string, string>> {
  const action = parseActionYaml(await readFile(path.join(root, 'action.yml'), 'utf8'));
  const files = new Map<string, string>([[INPUTS_MODULE, await renderInputsModule(action.inputs)]]);
  if (inputsOnly) return files;
  const docs = new Map<string, string>();
  for (const file of await docFiles(root)) {
    docs.set(file, await readFile(path.join(root, file), 'utf8'));
  }
  const problems = blockProblems(docs, await exampleFiles(root));
  if (problems.length > 0) throw new Error(`Generated blocks misplaced:\n  ${problems.join('\n  ')}`);
  for (const [file, text] of docs) files.set(file, await renderDoc(text, action, file, root));
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
        'Change both together: action.yml says what users see (defaults included), the spec how the value is read.',
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
