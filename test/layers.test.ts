/**
 * The shape of src/: folders are layers, in the order a run flows through them, and every import points
 * down (to a lower layer) or stays within its folder. No file imports from a folder above it, nor from
 * outside src/, and there is no import cycle — whatever form the import takes (type-only, side-effect,
 * `import x = require()`, dynamic): a cycle is a design decision no one made.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Lowest first. A folder may import from its own folder and from the folders before it. */
const LAYERS = [
  'base', // the vocabulary every phase shares: a URL's outcome, the error family, the logger, the redactor, the limits
  'runtime', // run-wide tools: the stop signal, retries, the call gate and rate limiter, signals
  'http', // the one door for outgoing requests: timeouts, proxies, downloads
  'urls', // normalization, the domains allow-list, exclude, dedup into candidates
  'alibaba', // signing, one-attempt calls, answers, the error table
  'credentials', // AccessKeys, or a role assumed with GitHub's OIDC token
  'sitemap', // the sitemap diff
  'state', // the state file kept between runs
  'site', // the built site's files, hashed and compared with the state
  'sources', // every URL source of a run, gathered in quota order
  'batch', // URLs packed into calls within the API's limits and the quota
  'submit', // PushObjectCache calls, look-ups, the ledger of outcomes
  'follow', // refresh before, wait after
  'verify', // the site asked for each URL, what it serves compared with the build
  'report', // the run's result, and the JSON report, job summary, outputs, closing table, verdict built from it
  'config', // inputs → one typed Config
  'phases', // the run's context, and the phases that span features: the quota read, fresh then warm
  'run', // run.ts: the phases in order
  'cli', // the command-line adapter
  'adapters', // main.ts, cli.ts, index.ts: the entry points
] as const;

function layerOf(file: string): string {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative.length > 1) return relative[0] ?? '';
  return relative[0] === 'run.ts' ? 'run' : 'adapters';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Every module a source text names: imports and re-exports (type-only included), side-effect imports
 * (`import './x.js'`), `import x = require('./x.js')` and any `require()`, and dynamic `import()`.
 */
function specifiersIn(text: string): string[] {
  const quoted = String.raw`(['"])([^'"\n]+)\1`;
  const forms = [
    String.raw`^\s*(?:import|export)\s[^;]*?\sfrom\s+` + quoted, // import … from, export … from
    String.raw`^\s*import\s+` + quoted, // a side-effect import
    String.raw`\brequire\(\s*` + quoted + String.raw`\s*\)`, // import x = require(…), require(…)
    String.raw`\bimport\(\s*` + quoted + String.raw`\s*\)`, // a dynamic import
  ];
  return forms.flatMap((form) => [...text.matchAll(new RegExp(form, 'gms'))].map((match) => match[2] ?? ''));
}

/** The files of the relative modules `file` imports (JSON data aside). */
function importsIn(file: string, text: string): string[] {
  return specifiersIn(text)
    .filter((specifier) => specifier.startsWith('.') && !specifier.endsWith('.json'))
    .map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
}

function importsOf(file: string): string[] {
  return importsIn(file, readFileSync(file, 'utf8'));
}

/** Each import that points to a higher layer, as `from (layer) → to (layer)`. */
function upwardImports(imports: ReadonlyMap<string, readonly string[]>): string[] {
  return [...imports].flatMap(([file, targets]) =>
    targets
      .filter((target) => layerOf(target) !== layerOf(file) && rank(layerOf(target)) > rank(layerOf(file)))
      .map((target) => `${short(file)} (${layerOf(file)}) → ${short(target)} (${layerOf(target)})`),
  );
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const rank = (layer: string): number => (LAYERS as readonly string[]).indexOf(layer);
const short = (file: string): string => path.relative(SRC, file);

describe('the layers of src/', () => {
  it('places every folder of src/ in a layer', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(path.join(SRC, name)).isDirectory());
    expect(folders.filter((folder) => rank(folder) < 0)).toEqual([]);
  });

  it('resolves every relative import to a file', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) => `${short(file)} → ${short(target)}`),
    );
    expect(missing).toEqual([]);
  });

  it('imports nothing from outside src/: not the emulator, not a test helper, not a script', () => {
    const outside = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => short(target).startsWith('..'))
        .map((target) => `${short(file)} → ${short(target)}`),
    );
    expect(outside).toEqual([]);
  });

  it('imports only from its own folder or a lower layer', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(findCycles(graph).map((cycle) => cycle.map(short).join(' → '))).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one (the checks can fail)', () => {
    const a = path.join(SRC, 'base/a.ts');
    const b = path.join(SRC, 'base/b.ts');
    expect(
      findCycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toHaveLength(1);
    expect(rank(layerOf(path.join(SRC, 'report/x.ts')))).toBeGreaterThan(rank(layerOf(a)));
  });

  // Every way TypeScript can name a module, each written as base/a.ts reaching up into report/.
  it.each([
    ['an import', "import { x } from '../report/x.js';"],
    ['a type-only import', "import type { X } from '../report/x.js';"],
    ['an import over several lines', "import {\n  x,\n  type X,\n} from '../report/x.js';"],
    ['a re-export', "export * from '../report/x.js';"],
    ['a type-only re-export', "export type { X } from '../report/x.js';"],
    ['a side-effect import', "import '../report/x.js';"],
    ['a side-effect import in double quotes', 'import "../report/x.js";'],
    ['import x = require()', "import x = require('../report/x.js');"],
    ['import type x = require()', "import type X = require('../report/x.js');"],
    ['a require() call', "const x = require('../report/x.js');"],
    ['a dynamic import', "const x = await import('../report/x.js');"],
  ])('finds an upward import written as %s', (_form, text) => {
    const a = path.join(SRC, 'base/a.ts');
    const x = path.join(SRC, 'report/x.ts');
    const imports = new Map([[a, importsIn(a, `/** a */\n${text}\nexport const a = 1;\n`)]]);
    expect(imports.get(a)).toEqual([x]);
    expect(upwardImports(imports)).toEqual(['base/a.ts (base) → report/x.ts (report)']);
  });

  it('finds an import from outside src/', () => {
    const a = path.join(SRC, 'run.ts');
    expect(importsIn(a, "import '../emulator/index.js';").map(short)).toEqual(['../emulator/index.ts']);
  });
});

/** Each cycle once, as the files along it, by depth-first search over the import graph. */
function findCycles(imports: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of imports.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && imports.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of imports.keys()) if (!state.has(file)) visit(file);
  return cycles;
}
