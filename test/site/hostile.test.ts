/**
 * Hostile trees, damaged states, careless patterns (issue 21), below the run: the scan never hangs on
 * a pattern or a FIFO and stays inside the site, the state never replaces a file that is not a state,
 * a damaged state still carries, and carried entries are checked one by one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { hashBytes } from '../../src/site/hash.js';
import {
  compileContentIgnore,
  planSiteChanges,
  readState,
  scanSite,
  writeState,
  type CarriedEntry,
  type SiteState,
} from '../../src/site/index.js';
import { readFiles } from '../../src/site/read.js';
import { parseChanges } from '../../src/sitemap/diff.js';
import { BASE, deploy, page, tempDir, writeSite } from '../helpers/site.js';

const ROOT_BASE = `${BASE}/`;

/** `text` repeated on one line to `bytes` long: a minified bundle or a search index. */
function oneLine(bytes: number, text = 'Build '): string {
  return text.repeat(Math.ceil(bytes / text.length)).slice(0, bytes);
}

async function scanOf(workspace: string, extra: Partial<Parameters<typeof scanSite>[0]> = {}) {
  return scanSite({ workspace, siteDir: 'public', baseUrl: BASE, ...extra });
}

describe('content-ignore runs under a time budget per file', () => {
  it('a pattern that backtracks without end on one file is stopped and named; the file is hashed as it is, the others filtered', async () => {
    const workspace = tempDir();
    const bundle = oneLine(64 * 1024); // `.*Build Date.*` is quadratic on one long line: seconds, then hours
    writeSite(path.join(workspace, 'public'), {
      'search/index.json': bundle,
      'index.html': page('Home', 'hello') + '<!-- Build Date 2026-03-01 -->\n',
    });
    const started = performance.now();
    const scan = await scanOf(workspace, {
      contentIgnore: compileContentIgnore('.*Build Date.*'),
      patternBudgetMs: 200,
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    const files = new Map(scan.files.map((f) => [f.path, f.hashes.content]));
    expect(files.get('search/index.json')).toBe(hashBytes(Buffer.from(bundle), false, undefined).content);
    expect(files.get('index.html')).toBe(
      hashBytes(Buffer.from(page('Home', 'hello') + '\n'), true, undefined).content,
    );
    expect(scan.warnings).toContainEqual(
      expect.stringMatching(
        /^content-ignore: line 1 "\.\*Build Date\.\*" was stopped on 1 file \(search\/index\.json\): it took more than 0\.2 s/,
      ),
    );
  });

  it('the deadline ends a scan whose reader is deep in a pattern, at once', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), { 'bundle.js': oneLine(64 * 1024), 'a.txt': 'a' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 300);
    const started = performance.now();
    await expect(
      scanOf(workspace, {
        contentIgnore: compileContentIgnore('.*Build Date.*'),
        patternBudgetMs: 600_000,
        signal: controller.signal,
      }),
    ).rejects.toThrow('deadline');
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('a pattern that removes all of a file, or almost all of most files, is a warning naming it', async () => {
    const workspace = tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`p${i}.html`] = page(`P${i}`, `text ${i}`);
    writeSite(path.join(workspace, 'public'), files);
    const everything = await scanOf(workspace, { contentIgnore: compileContentIgnore('[\\s\\S]*') });
    expect(everything.warnings).toEqual([
      expect.stringMatching(
        /^content-ignore: line 1 "\[\\s\\S\]\*" removes the whole text of 6 files \(p0\.html, …\)\. A change of what it removes is never seen/,
      ),
    ]);
    const lines = await scanOf(workspace, { contentIgnore: compileContentIgnore('\n.*') });
    expect(lines.warnings).toEqual([
      expect.stringMatching(
        /^content-ignore: line 2 "\.\*" removes 90 % or more of the text of 6 of the 6 text files of site-dir/,
      ),
    ]);
    // The documented patterns remove a stamp: nothing to say.
    const mkdocs = await scanOf(workspace, {
      contentIgnore: compileContentIgnore('Build Date UTC : [^\\n]*'),
    });
    expect(mkdocs.warnings).toEqual([]);
  });

  it('/pattern/flags is a configuration error that says how to write it', () => {
    let error: unknown;
    try {
      compileContentIgnore('Build Date UTC : [^\\n]*\n/build date/i');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /^content-ignore: line 2 "\/build date\/i" is written as \/pattern\/flags; write the pattern alone, without the slashes and flags: build date .*\[Bb\]uild/,
    );
    expect(() => compileContentIgnore('/docs/')).not.toThrow(); // slashes as text, no flags
  });

  it('the readers apply the patterns exactly as hashBytes does (so states written before stay valid)', async () => {
    const workspace = tempDir();
    const ignore = compileContentIgnore('x+\n\\uD83D\n[é😀]');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom('x', 'y', 'é', '😀', '\n', '<', 'a') }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (texts) => {
          writeSite(
            path.join(workspace, 'public'),
            Object.fromEntries(texts.map((t, i) => [`f${i}.txt`, t])),
          );
          const scan = await scanOf(workspace, { contentIgnore: ignore });
          for (const file of scan.files) {
            const bytes = readFileSync(path.join(workspace, 'public', file.path));
            expect(file.hashes).toEqual(hashBytes(bytes, false, ignore));
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('the tree cannot block the scan, or lead out of the site', () => {
  it('a FIFO swapped in after the listing is not opened for reading: it is reported, and the read goes on', async () => {
    const workspace = tempDir();
    writeSite(workspace, { 'a.txt': 'a', 'c.txt': 'c' });
    execFileSync('mkfifo', [path.join(workspace, 'b.txt')]);
    const results: [number, string][] = [];
    for await (const read of readFiles({
      root: workspace,
      files: ['a.txt', 'b.txt', 'c.txt'],
      wholeFileLimit: 100,
    })) {
      results.push([
        read.index,
        'bytes' in read ? read.bytes.toString() : 'special' in read ? 'special' : '?',
      ]);
    }
    expect(results).toEqual([
      [0, 'a'],
      [1, 'special'],
      [2, 'c'],
    ]);
  }, 10_000);

  it('a link swapped in where a file was listed is not followed', async () => {
    const workspace = tempDir();
    writeSite(workspace, { 'a.txt': 'a', 'secret.txt': 'outside' });
    mkdirSync(path.join(workspace, 'site'));
    symlinkSync(path.join(workspace, 'secret.txt'), path.join(workspace, 'site', 'a.txt'));
    const results = [];
    for await (const read of readFiles({
      root: path.join(workspace, 'site'),
      files: ['a.txt'],
      wholeFileLimit: 100,
    })) {
      results.push(read);
    }
    expect(results).toEqual([{ index: 0, special: true }]);
  });

  it('FIFOs in the listing are not regular files: counted in a notice, never opened', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), { 'index.html': 'home' });
    execFileSync('mkfifo', [path.join(workspace, 'public', 'pipe.html')]);
    const scan = await scanOf(workspace);
    expect(scan.files.map((f) => f.path)).toEqual(['index.html']);
    expect(scan.notices).toEqual([
      'site-dir: 1 entries are not regular files (FIFOs, sockets, devices) and were not read.',
    ]);
  });

  it('links out of site-dir, and to the state, are skipped with a notice that counts them; a link inside is followed', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), { 'index.html': 'home', 'assets/app.js': 'js' });
    writeFileSync(path.join(workspace, 'outside.txt'), 'not the site');
    mkdirSync(path.join(workspace, '.git'));
    writeFileSync(path.join(workspace, '.git', 'config'), '[core]');
    writeFileSync(path.join(workspace, 'state.json'), '{"format":"cdn-prefetch-state"}');
    const site = path.join(workspace, 'public');
    symlinkSync('/etc/passwd', path.join(site, 'passwd.txt'));
    symlinkSync('../.git/config', path.join(site, 'config.txt'));
    symlinkSync(path.join(workspace, 'outside.txt'), path.join(site, 'outside.txt'));
    symlinkSync('../state.json', path.join(site, 'state-link.json'));
    symlinkSync('assets/app.js', path.join(site, 'app.js'));
    const scan = await scanOf(workspace, { state: 'state.json' });
    expect(scan.files.map((f) => f.path)).toEqual(['app.js', 'assets/app.js', 'index.html']);
    expect(scan.notices).toEqual([
      'site-dir: 4 symbolic links were skipped (3 to files outside site-dir, 1 to the state file): only a link to a ' +
        'file of the site counts as a site file.',
    ]);
  });

  it('names that are not UTF-8 are reported by their bytes, in a notice with a count', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), {
      'index.html': 'home',
      'caf\uFFFD.txt': 'a real U+FFFD name',
    });
    const site = Buffer.from(path.join(workspace, 'public'));
    const latin1 = Buffer.concat([site, Buffer.from('/caf\xe9.html', 'latin1')]);
    writeFileSync(latin1, 'latin-1 name');
    mkdirSync(Buffer.concat([site, Buffer.from('/d\xfcr', 'latin1')]));
    const scan = await scanOf(workspace);
    expect(scan.files.map((f) => f.path)).toEqual(['caf\uFFFD.txt', 'index.html']);
    expect([...(scan.unreadableNames ?? [])].sort()).toEqual(['caf\\xE9.html', 'd\\xFCr']);
    expect(scan.notices).toEqual([
      expect.stringMatching(/^site-dir: 2 file or folder names are not UTF-8 \(.*\) and were skipped/),
    ]);
  });

  it('a site-dir that holds the repository (.git beside node_modules, package.json) is a warning naming what was found', async () => {
    const workspace = tempDir();
    writeSite(workspace, {
      'package.json': '{}',
      'node_modules/x/index.js': 'x',
      '.git/HEAD': 'ref',
      'public/index.html': 'home',
    });
    const scan = await scanSite({ workspace, siteDir: '.', baseUrl: BASE });
    expect(scan.warnings).toEqual([
      expect.stringMatching(
        /^site-dir: "\." \(.*\) holds \.git, node_modules, package\.json: it looks like the repository/,
      ),
    ]);
    expect((await scanOf(workspace)).warnings).toEqual([]);
  });
});

describe('the state never replaces another file', () => {
  it('a file that is not a state is "foreign": never read as one', async () => {
    const workspace = tempDir();
    for (const [name, text] of [
      ['README.md', '# My site\n'],
      ['index.html', page('Home', 'hello')],
      ['other.json', '{"version":1,"files":{}}'],
      ['list.json', '[1,2]'],
    ]) {
      writeFileSync(path.join(workspace, name!), text!);
      expect(await readState(path.join(workspace, name!), name)).toMatchObject({
        kind: 'foreign',
        label: name,
      });
    }
    execFileSync('mkfifo', [path.join(workspace, 'fifo')]);
    expect(await readState(path.join(workspace, 'fifo'))).toMatchObject({ kind: 'foreign' });
  }, 10_000);

  it('writeState does not replace a file that is not a state, nor a folder', async () => {
    const workspace = tempDir();
    const readme = path.join(workspace, 'README.md');
    writeFileSync(readme, '# My site\n');
    const state: SiteState = { baseUrl: ROOT_BASE, savedAt: 'now', files: new Map(), carried: [] };
    await expect(writeState(readme, state)).rejects.toThrow(/not a cdn-prefetch state, and is not replaced/);
    expect(readFileSync(readme, 'utf8')).toBe('# My site\n');
    mkdirSync(path.join(workspace, 'folder'));
    await expect(writeState(path.join(workspace, 'folder'), state)).rejects.toThrow(/it is a folder/);
    expect(readdirSync(workspace).sort()).toEqual(['README.md', 'folder']); // no temporary file left
  });

  it('temporary files left by a killed write are removed by the next write; a running writer keeps its own', async () => {
    const workspace = tempDir();
    const file = path.join(workspace, 'state.json');
    const dead = `.state.json.999999999-0badc0de.tmp`;
    const alive = `.state.json.${process.ppid}-00c0ffee.tmp`;
    writeFileSync(path.join(workspace, dead), '{"format":"cdn-pre');
    writeFileSync(path.join(workspace, alive), '{"format":"cdn-pre');
    writeFileSync(path.join(workspace, '.other.json.999999999-0badc0de.tmp'), 'not ours');
    await writeState(file, { baseUrl: ROOT_BASE, savedAt: 'now', files: new Map(), carried: [] });
    expect(readdirSync(workspace).sort()).toEqual([
      '.other.json.999999999-0badc0de.tmp',
      alive,
      'state.json',
    ]);
  });
});

describe('a damaged state still carries, and carried entries are checked one by one', () => {
  const entry = (url: string, extra: Partial<CarriedEntry> = {}): CarriedEntry => ({
    url,
    change: 'modified',
    cause: 'quota',
    reason: 'quota',
    since: '2026-03-01',
    ...extra,
  });

  it('a truncated state: a warning that says so (not a first deploy), its carried list read up to the cut, and what the quota cuts is carried', async () => {
    const workspace = tempDir();
    const site: Record<string, string> = {};
    for (let i = 0; i < 20; i++) site[`p/${i}.html`] = page(`P${i}`, 'v1');
    writeSite(path.join(workspace, 'public'), site);
    await deploy(workspace, { day: '2026-03-01' });
    const statePath = path.join(workspace, 'state/site.json');
    // A carried entry, then the state cut in the middle of its files.
    const written = readFileSync(statePath, 'utf8').replace(
      '"carried":[',
      `"carried":[\n${JSON.stringify(entry(`${BASE}/p/3.html`, { file: 'p/3.html' }))}`,
    );
    writeFileSync(statePath, written.slice(0, Math.floor(written.length * 0.6)));
    for (const i of [4, 11, 17]) site[`p/${i}.html`] = page(`P${i}`, 'v2: edited');
    writeSite(path.join(workspace, 'public'), site);
    const second = await deploy(workspace, { quota: 5, day: '2026-03-02' });
    expect(second.plan.warnings).toEqual([
      expect.stringMatching(
        /^state: state\/site\.json cannot be used \(it is not JSON: cut short\?\)\. This is not a first deploy/,
      ),
    ]);
    expect(second.plan.notices).toEqual([]);
    expect(second.plan.counts).toMatchObject({ added: 20, carriedSuperseded: 1 });
    expect(second.next).toMatchObject({ carried: 15, leftCold: 0 });
    // Every edit is warmed within ⌈20 / 5⌉ runs.
    const warmed = new Set(second.outcomes.filter((o) => o.status === 'submitted').map((o) => o.url));
    for (const day of ['2026-03-03', '2026-03-04', '2026-03-05']) {
      const next = await deploy(workspace, { quota: 5, day });
      for (const o of next.outcomes) if (o.status === 'submitted') warmed.add(o.url);
    }
    for (const i of [4, 11, 17]) expect(warmed).toContain(`${BASE}/p/${i}.html`);
    expect(warmed.size).toBe(20);
  });

  it('carried entries not under base-url, of no site file, or without a real day up to today are dropped with a notice that counts them', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), { 'index.html': 'home', 'a.html': 'a', 'b.html': 'b' });
    const first = await deploy(workspace);
    const statePath = path.join(workspace, 'state/site.json');
    const state: SiteState = {
      baseUrl: ROOT_BASE,
      savedAt: 'x',
      files: new Map(first.scan.files.map((f) => [f.path, f.hashes])),
      carried: [
        entry(`${BASE}/a.html`, { file: 'a.html' }),
        entry(`${BASE}/b.html`), // no file recorded: found by its URL
        entry('https://evil.example.org/a.html', { file: 'a.html' }),
        entry('javascript:alert(1)'),
        entry(`${BASE}/no-such-page.html`),
        entry(`${BASE}/index.html`, { since: '2020-99-99' }),
        entry(`${BASE}/`, { since: '2026-03-09' }), // later than the run's day
      ],
    };
    await writeState(statePath, state);
    const text = readFileSync(statePath, 'utf8').replace('"carried":[', '"carried":[\n{"url":7},');
    writeFileSync(statePath, text);
    const read = await readState(statePath);
    expect(read).toMatchObject({ kind: 'found', malformedCarried: 1 });
    const scan = await scanOf(workspace, { state: 'state/site.json' });
    const plan = planSiteChanges(scan, read, {
      changes: parseChanges(''),
      carryDays: 7,
      now: new Date('2026-03-02T10:00:00Z'),
    });
    expect(plan.urls.map((u) => u.url)).toEqual([`${BASE}/a.html`, `${BASE}/b.html`]);
    expect(plan.urls[1]).toMatchObject({ file: 'b.html', change: 'carried' });
    expect(plan.counts).toMatchObject({ carriedIn: 2, carriedInvalid: 6 });
    expect(plan.notices).toEqual([
      expect.stringMatching(
        /^state: 6 carried entries were dropped as not usable \(2 not under base-url, 1 whose URL is no file of the site, 2 whose since is no real day up to today, 1 that are not entries/,
      ),
    ]);
  });

  it('a state kept inside site-dir, and those set aside beside it, are not site files', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), {
      'index.html': 'home',
      'state.json': '{"format":"cdn-prefetch-state"}',
      'state.json.unusable-2026-03-02T10-00-00Z': '{"format":"cdn-prefetch-state"',
    });
    const scan = await scanOf(workspace, { state: 'public/state.json' });
    expect(scan.files.map((f) => f.path)).toEqual(['index.html']);
  });
});
