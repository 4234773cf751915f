/**
 * The shape of src/: folders are layers, in the order a run flows through them, and every import points
 * down (to a lower layer) or stays within its folder. No file imports from a folder above it and there is
 * no import cycle, type-only imports included: a cycle is a design decision no one made.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Lowest first. A folder may import from its own folder and from the folders before it. */
const LAYERS = [
  'base', // the types and tools every phase shares: a URL's outcome, the run's result, the error family
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
  'report', // the JSON report, job summary, outputs, closing table, verdict
  'config', // inputs → one typed Config
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

/** Every relative module a file imports or re-exports, type-only and dynamic imports included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gms),
    ...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g),
  ].map((match) => match[1] ?? '');
  return specifiers
    .filter((specifier) => !specifier.endsWith('.json'))
    .map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
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

  it('imports only from its own folder or a lower layer', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => layerOf(target) !== layerOf(file) && rank(layerOf(target)) > rank(layerOf(file)))
        .map((target) => `${short(file)} (${layerOf(file)}) → ${short(target)} (${layerOf(target)})`),
    );
    expect(upward).toEqual([]);
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
