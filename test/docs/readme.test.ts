/**
 * A README a newcomer can finish: at most 30 KB, a contents line that lists every section, links that
 * lead somewhere (files and #anchors, in README, the contributor pages and every page of docs/), every
 * docs/ page reachable from README, and a Development section (in CONTRIBUTING.md) that names every
 * folder of src/ in the order a run flows through them (the order test/layers.test.ts enforces).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const README = 'README.md';
const CONTRIBUTING = 'CONTRIBUTING.md';
const MAX_README_BYTES = 30 * 1024;

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const pages = readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => `docs/${name}`);
const markdown = [README, CONTRIBUTING, 'RELEASING.md', 'SECURITY.md', ...pages];
const readme = read(README);

/** The text outside fenced code blocks (indented fences too, as inside a list item). */
function prose(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .filter((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return false;
      }
      return !fenced;
    })
    .join('\n');
}

/** GitHub's anchor for a heading's text (github-slugger): lower case, punctuation dropped, spaces → -. */
function slug(heading: string): string {
  const text = heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

interface Heading {
  level: number;
  anchor: string;
}

/** Every heading outside code, with its anchor; a repeated anchor gets -1, -2, … as on GitHub. */
function headings(text: string): Heading[] {
  const seen = new Map<string, number>();
  return [...prose(text).matchAll(/^(#{1,6}) +(.+?) *#* *$/gm)].map((match) => {
    const base = slug(match[2] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return { level: (match[1] ?? '').length, anchor: count === 0 ? base : `${base}-${count}` };
  });
}

/** The targets of every Markdown link outside code and HTML comments. */
function links(text: string): string[] {
  const visible = prose(text)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/`[^`\n]*`/g, '');
  return [...visible.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
}

/** What is wrong with a file's links: a missing file, or an anchor no heading of its target has. */
function brokenLinks(file: string, text = read(file)): string[] {
  return links(text).flatMap((target) => {
    if (/^[a-z][a-z+.-]*:/i.test(target)) return []; // https:, mailto:: not ours to check
    const [pathPart = '', anchor] = target.split('#');
    const resolved =
      pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
    if (!existsSync(path.join(ROOT, resolved))) return [`${file}: ${target} (no file ${resolved})`];
    if (anchor === undefined || !resolved.endsWith('.md')) return [];
    const found = headings(read(resolved)).some((heading) => heading.anchor === anchor);
    return found ? [] : [`${file}: ${target} (no heading #${anchor} in ${resolved})`];
  });
}

/** The text from a `## ` heading to the next one. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  const end = text.indexOf('\n## ', start + 1);
  return start < 0 ? '' : text.slice(start, end < 0 ? undefined : end);
}

describe('GitHub anchors', () => {
  it.each([
    ['Quick start', 'quick-start'],
    ['Credentials: secrets or GitHub OIDC', 'credentials-secrets-or-github-oidc'],
    ['With aliyun/configure-aliyun-credentials-action', 'with-aliyunconfigure-aliyun-credentials-action'],
    ['A URL list from `workflow_dispatch`', 'a-url-list-from-workflow_dispatch'],
    ['Limits, and how quota is spent', 'limits-and-how-quota-is-spent'],
    ['`--help`', '--help'],
    ['`refresh: true`', 'refresh-true'],
  ])('%s → #%s', (heading, anchor) => {
    expect(slug(heading)).toBe(anchor);
  });

  it('numbers a repeated heading as GitHub does', () => {
    expect(headings('# A\n## B\n```\n## not a heading\n```\n## B\n').map((h) => h.anchor)).toEqual([
      'a',
      'b',
      'b-1',
    ]);
  });

  it('finds a broken link (the check itself)', () => {
    expect(links('[a](docs/x.md#y) `[b](c)` <!-- [d](e) -->\n```\n[f](g)\n```\n[h](#i)')).toEqual([
      'docs/x.md#y',
      '#i',
    ]);
  });

  it('finds a missing file or anchor (the check itself)', () => {
    const text = '[a](docs/nope.md) [b](#nope) [c](docs/oidc.md#set-up-ram-once) [d](docs/oidc.md#nope)';
    expect(brokenLinks(README, text)).toEqual([
      'README.md: docs/nope.md (no file docs/nope.md)',
      'README.md: #nope (no heading #nope in README.md)',
      'README.md: docs/oidc.md#nope (no heading #nope in docs/oidc.md)',
    ]);
    expect(brokenLinks('docs/cli.md', '[a](../README.md#inputs) [b](report.md) [c](../examples/)')).toEqual(
      [],
    );
  });
});

describe('README', () => {
  it(`is at most ${MAX_README_BYTES} bytes`, () => {
    expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(MAX_README_BYTES);
  });

  it('has a contents line that lists every ## section, in order', () => {
    const start = readme.indexOf('**Contents:**');
    expect(start).toBeGreaterThan(0);
    const contents = readme.slice(start, readme.indexOf('\n\n', start));
    const listed = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
    const sections = headings(readme)
      .filter((heading) => heading.level === 2)
      .map((heading) => heading.anchor);
    expect(sections.length).toBeGreaterThan(5);
    expect(listed).toEqual(sections);
  });

  it('links every page of docs/', () => {
    const targets = new Set(links(readme).map((target) => target.split('#')[0]));
    expect(pages.filter((page) => !targets.has(page))).toEqual([]);
  });

  it('keeps the two contributor commands in the quick start, installing once, and CONTRIBUTING.md repeats them', () => {
    const commands = '```sh\nnpm ci && npm test\nnpm run demo\n```';
    const quickStart = section(readme, 'Quick start');
    expect(quickStart).toMatch(/for contributors/i);
    expect(quickStart).toContain(commands);
    expect(read(CONTRIBUTING)).toContain(commands);
  });

  it('names only npm scripts that package.json has, here and in CONTRIBUTING.md', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const named = [readme, read(CONTRIBUTING)].flatMap((text) =>
      [...text.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1] ?? ''),
    );
    expect(named).toEqual(expect.arrayContaining(['test:unit', 'test:e2e', 'demo']));
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });

  it('grants in its RAM policy every CDN action the action calls (its defaults refresh what changed, so they call them all)', () => {
    const section = readme.slice(readme.indexOf('## RAM policy'));
    const policy = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '{}') as {
      Statement?: { Action?: string[] }[];
    };
    const granted = new Set(policy.Statement?.flatMap((statement) => statement.Action ?? []));
    const called = [...read('src/alibaba/operations.ts').matchAll(/client\.call\(\s*'(\w+)'/g)].map(
      (m) => m[1],
    );
    expect(called.length).toBeGreaterThanOrEqual(5);
    for (const action of called) {
      expect(granted, action).toContain(`cdn:${action}`);
      // And the table says what each one is for.
      expect(section, action).toContain(`| \`cdn:${action}\` |`);
    }
  });

  it('links CONTRIBUTING.md and SECURITY.md', () => {
    expect(links(section(readme, 'Contributing'))).toEqual(
      expect.arrayContaining([CONTRIBUTING, 'SECURITY.md']),
    );
  });
});

describe.each(markdown)('%s', (file) => {
  it('has only links that resolve: files that exist, anchors that a heading has', () => {
    expect(brokenLinks(file)).toEqual([]);
  });
});

describe("CONTRIBUTING.md's Development section", () => {
  const SRC = path.join(ROOT, 'src');
  /** The layers, lowest first, as test/layers.test.ts declares them. */
  const layers = [
    ...(/const LAYERS = \[([\s\S]*?)\] as const/.exec(read('test/layers.test.ts'))?.[1] ?? '')
      .replace(/\/\/.*$/gm, '')
      .matchAll(/'([\w-]+)'/g),
  ].map((match) => match[1] ?? '');
  const layerOf = (name: string): string =>
    name.endsWith('/') ? name.slice(0, -1) : name === 'run.ts' ? 'run' : 'adapters';
  /** What the section's table names under src/, in order: `base/`, …, `run.ts`, `main.ts`, …. */
  const named = [...section(read(CONTRIBUTING), 'Development').matchAll(/`src\/([\w.-]+\/?)`/g)].map(
    (m) => m[1] ?? '',
  );
  const onDisk = readdirSync(SRC).map((name) =>
    statSync(path.join(SRC, name)).isDirectory() ? `${name}/` : name,
  );

  it('reads the layer order from layers.test.ts', () => {
    expect(layers.slice(0, 3)).toEqual(['base', 'runtime', 'http']);
    expect(layers.at(-1)).toBe('adapters');
  });

  it('names every folder and top-level file of src/, and nothing that is not there', () => {
    const missing = onDisk.filter((name) => !named.includes(name));
    const absent = named.filter((name) => !onDisk.includes(name));
    expect({ missing, absent }).toEqual({ missing: [], absent: [] });
  });

  it('lists them in the order a run flows through them, lowest layer first', () => {
    const ranks = named.map((name) => layers.indexOf(layerOf(name)));
    expect(ranks.filter((rank) => rank < 0)).toEqual([]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });
});
