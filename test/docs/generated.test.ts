/**
 * The documentation cannot drift from the code: README's tables, the --help block of docs/cli.md and the
 * CLI's flags are generated from action.yml; every workflow in examples/ is copied into one page, and
 * every workflow in README and docs/ uses only real inputs and outputs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  blockProblems,
  docFiles,
  exampleFiles,
  inputsTable,
  parseActionYaml,
  replaceBlock,
  ROOT,
  staleFiles,
} from '../../scripts/docs.js';
import { ACTION_INPUTS } from '../../src/config/inputs.generated.js';
import { configFrom } from '../helpers/inputs.js';

const action = parseActionYaml(await readFile(path.join(ROOT, 'action.yml'), 'utf8'));
const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
/** README.md and every page of docs/, by path. */
const docs = new Map<string, string>();
for (const file of await docFiles()) docs.set(file, await readFile(path.join(ROOT, file), 'utf8'));

/**
 * Inputs and outputs that examples/ already uses, added by features still on their own branches
 * (issues 3, 4, 5). Once merged they are in action.yml; delete the entries then, and this test checks
 * those names against action.yml like every other.
 */
const NOT_YET_MERGED = {
  inputs: [] as string[],
  outputs: [] as string[],
};

const inputs = new Set([...action.inputs.map((i) => i.name), ...NOT_YET_MERGED.inputs]);
const outputs = new Set([...action.outputs.map((o) => o.name), ...NOT_YET_MERGED.outputs]);

interface Step {
  uses?: unknown;
  id?: unknown;
  with?: Record<string, unknown>;
}

/** Every step object anywhere in a parsed workflow (or a list of steps, as README's snippets are). */
function steps(node: unknown): Step[] {
  if (Array.isArray(node)) return node.flatMap(steps);
  if (node === null || typeof node !== 'object') return [];
  const own = 'uses' in node ? [node as Step] : [];
  return [...own, ...Object.values(node).flatMap(steps)];
}

const isOurs = (step: Step): boolean =>
  typeof step.uses === 'string' && /^[^/]+\/cdn-prefetch@/.test(step.uses);

/** The mistakes in a workflow's use of the action: unknown inputs, unknown outputs of its steps. */
function misuses(text: string): string[] {
  const ours = steps(parse(text)).filter(isOurs);
  const problems = ours.flatMap((step) =>
    Object.keys(step.with ?? {})
      .filter((key) => !inputs.has(key))
      .map((key) => `with: ${key} is not an input`),
  );
  const ids = new Set(ours.map((step) => step.id).filter((id): id is string => typeof id === 'string'));
  for (const match of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const [, id, output] = match;
    if (id && ids.has(id) && output && !outputs.has(output)) problems.push(`${output} is not an output`);
  }
  return problems;
}

const examples = await exampleFiles();
const docsYaml = [...docs].flatMap(([file, text]) =>
  [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => ({ file, yaml: match[1] ?? '' })),
);

describe('generated from action.yml', () => {
  it('README, docs/ and src/config/inputs.generated.ts are up to date (npm run docs)', async () => {
    expect(await staleFiles()).toEqual([]);
  });

  it('the CLI reads the same inputs as action.yml declares', () => {
    expect(ACTION_INPUTS).toEqual(action.inputs);
  });

  it('escapes | inside a table cell', () => {
    const table = inputsTable([{ name: 'x', description: 'a | b', default: '', required: false }]);
    expect(table.split('\n')[2]).toBe('| `x` |  | a \\| b |');
  });

  it('refuses to generate into a README that lost its markers', () => {
    expect(() => replaceBlock('no markers here', 'inputs', 'x')).toThrow(/no <!-- inputs:start -->/);
    expect(() => replaceBlock('no markers', 'cli-help', 'x', 'docs/cli.md')).toThrow(/^docs\/cli.md has no/);
    expect(replaceBlock('a\n<!-- inputs:start (x) -->\nold\n<!-- inputs:end -->\nb', 'inputs', 'new')).toBe(
      'a\n<!-- inputs:start (x) -->\nnew\n<!-- inputs:end -->\nb',
    );
  });
});

describe('where the generated blocks stand', () => {
  const block = (name: string): string => `<!-- ${name}:start (x) -->\nold\n<!-- ${name}:end -->\n`;
  const placed = new Map([
    ['README.md', block('inputs') + block('outputs') + block('example examples/a.yml')],
    ['docs/cli.md', block('cli-help')],
    ['docs/b.md', block('example examples/b.yml')],
  ]);

  it('accepts each block in exactly one page, the tables in README', () => {
    expect(blockProblems(placed, ['a.yml', 'b.yml'])).toEqual([]);
  });

  it('finds an example shown nowhere, or twice', () => {
    const problems = blockProblems(placed, ['a.yml', 'b.yml', 'c.yml']);
    expect(problems).toEqual([
      expect.stringMatching(/example examples\/c.yml:start --> .* it stands in none$/),
    ]);
    const twice = new Map([...placed, ['docs/d.md', block('example examples/b.yml')]]);
    expect(blockProblems(twice, ['a.yml', 'b.yml'])).toEqual([
      expect.stringMatching(/it stands in docs\/b.md, docs\/d.md$/),
    ]);
  });

  it('finds the inputs table outside README', () => {
    const moved = new Map([...placed, ['README.md', block('outputs') + block('example examples/a.yml')]]);
    moved.set('docs/cli.md', block('cli-help') + block('inputs'));
    expect(blockProblems(moved, ['a.yml', 'b.yml'])).toEqual([
      '<!-- inputs:start --> belongs in README.md, not in docs/cli.md',
    ]);
  });

  it('the pages on disk carry every block once', async () => {
    expect(blockProblems(docs, await exampleFiles())).toEqual([]);
  });
});

describe('workflows', () => {
  it('finds a wrong input or output (the check itself)', () => {
    const workflow = [
      'steps:',
      '  - uses: org/cdn-prefetch@v1',
      '    id: p',
      '    with: { urls: x, url-file: y }',
      '  - run: echo ${{ steps.p.outputs.task-id }} ${{ steps.other.outputs.whatever }}',
    ].join('\n');
    expect(misuses(workflow)).toEqual(['with: url-file is not an input', 'task-id is not an output']);
  });

  it.each(examples)('examples/%s is a workflow that uses only real inputs and outputs', async (name) => {
    const text = await readFile(path.join(ROOT, 'examples', name), 'utf8');
    const workflow = parse(text) as { on?: unknown; jobs?: Record<string, { 'runs-on'?: unknown }> };
    expect(workflow.on).toBeDefined();
    expect(Object.values(workflow.jobs ?? {}).every((job) => job['runs-on'])).toBe(true);
    expect(steps(workflow).filter(isOurs).length).toBeGreaterThan(0);
    expect(misuses(text)).toEqual([]);
    expect(readme).toContain(`(examples/${name})`);
    const shown = [...docs.values()].some((text) => text.includes(`<!-- example examples/${name}:start`));
    expect(shown).toBe(true);
  });

  it.each(examples)(
    "examples/%s: a job's timeout-minutes leaves the action its own deadline (600 s plus each wait)",
    async (name) => {
      const workflow = parse(await readFile(path.join(ROOT, 'examples', name), 'utf8')) as {
        jobs?: Record<string, { 'timeout-minutes'?: number }>;
      };
      for (const job of Object.values(workflow.jobs ?? {})) {
        const minutes = job['timeout-minutes'];
        if (minutes === undefined) continue; // GitHub's own 360 minutes
        for (const step of steps(job).filter(isOurs)) {
          const given = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)]));
          const { timeoutMs } = configFrom(given);
          // The build and the deploy before it get at least 5 minutes too.
          expect(minutes * 60_000, name).toBeGreaterThanOrEqual(timeoutMs + 5 * 60_000);
        }
      }
    },
  );

  it('every YAML block in README and docs/ parses and uses only real inputs and outputs', () => {
    expect(docsYaml.length).toBeGreaterThan(5);
    for (const { file, yaml } of docsYaml)
      expect({ file, problems: misuses(yaml) }).toEqual({ file, problems: [] });
  });
});
