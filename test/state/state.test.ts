/**
 * The state file: round trip, compactness, atomic replacement (a failed or killed write leaves the old
 * state whole), and missing, corrupt and foreign files read as results, never as exceptions.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  readState,
  writeState,
  type FileHashes,
  type SiteState,
  STATE_FORMAT,
} from '../../src/state/state.js';
import { tempDir } from '../helpers/site.js';

const HASH_A = 'AAAAAAAAAAAAAAAA';
const HASH_B = 'Bb-_0123456789zZ';

function sample(files = 3): SiteState {
  const map = new Map<string, FileHashes>();
  for (let i = 0; i < files; i++) {
    map.set(
      i === 0 ? 'index.html' : `docs/page "${i}" é.html`,
      i % 2 ? { content: HASH_A } : { content: HASH_A, own: HASH_B },
    );
  }
  return {
    baseUrl: 'https://www.example.com/',
    savedAt: '2026-03-01T10:00:00.000Z',
    files: map,
    carried: [
      {
        url: 'https://www.example.com/docs/',
        file: 'docs/index.html',
        change: 'modified',
        cause: 'quota',
        reason: 'quota: the daily prefetch quota had 0 URLs left',
        since: '2026-02-27',
      },
      {
        url: 'https://www.example.com/x',
        change: 'added',
        cause: 'deadline',
        reason: 'deadline',
        since: '2026-03-01',
      },
    ],
  };
}

describe('writeState / readState', () => {
  it('reads back what it wrote, creating the parent folders', async () => {
    const file = path.join(tempDir(), 'a/b/state.json');
    const state = sample();
    await writeState(file, state);
    const read = await readState(file);
    expect(read).toEqual({ kind: 'found', state });
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: STATE_FORMAT, version: 1, hash: 'sha256/96' });
  });

  it('keeps when a carried URL was refreshed; a state without it (or with a value that is not a time) reads as not refreshed', async () => {
    const file = path.join(tempDir(), 'state.json');
    const state = sample();
    const refreshed = { ...state.carried[0]!, refreshedAt: '2026-03-01T10:00:00.000Z' };
    await writeState(file, { ...state, carried: [refreshed, state.carried[1]!] });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"since":"2026-02-27","refreshedAt":"2026-03-01T10:00:00.000Z"}');
    const read = await readState(file);
    expect(read.kind === 'found' && read.state.carried.map((c) => c.refreshedAt)).toEqual([
      '2026-03-01T10:00:00.000Z',
      undefined,
    ]);
    // The same format version: an earlier cdn-prefetch reads this state, and this one reads theirs.
    expect(JSON.parse(text)).toMatchObject({ version: 1 });
    writeFileSync(
      file,
      text.replace('"refreshedAt":"2026-03-01T10:00:00.000Z"', '"refreshedAt":"yesterday"'),
    );
    const odd = await readState(file);
    expect(odd.kind === 'found' && odd.state.carried.map((c) => c.refreshedAt)).toEqual([
      undefined,
      undefined,
    ]);
    expect(odd.kind === 'found' && odd.state.carried).toHaveLength(2);
  });

  it('stays compact: 100,000 files of realistic paths take well under 15 MB', async () => {
    const files = new Map<string, FileHashes>();
    for (let i = 0; i < 100_000; i++) {
      const page = `blog/${2000 + (i % 25)}/${(i % 12) + 1}/a-fairly-long-post-title-number-${i}/index.html`;
      files.set(page, { content: HASH_A, own: HASH_B });
    }
    const file = path.join(tempDir(), 'state.json');
    await writeState(file, { ...sample(), files });
    const size = readFileSync(file).length;
    expect(size).toBeLessThan(15 * 1024 * 1024);
    const read = await readState(file);
    expect(read.kind === 'found' && read.state.files.size).toBe(100_000);
  });

  it('leaves the old state whole and no temporary file behind when a write fails part-way', async () => {
    const folder = tempDir();
    const file = path.join(folder, 'state.json');
    await writeState(file, sample());
    const before = readFileSync(file, 'utf8');
    // A file list that fails after 50,000 entries, i.e. after several chunks are on disk.
    class Failing extends Map<string, FileHashes> {
      override *[Symbol.iterator](): MapIterator<[string, FileHashes]> {
        let n = 0;
        for (const entry of super[Symbol.iterator]()) {
          if (++n === 50_000) throw new Error('disk gone');
          yield entry;
        }
      }
    }
    const failing = new Failing();
    for (let i = 0; i < 60_000; i++) failing.set(`page-${i}-${'x'.repeat(40)}.html`, { content: HASH_A });
    await expect(writeState(file, { ...sample(), files: failing })).rejects.toThrow('disk gone');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(folder)).toEqual(['state.json']);
  });

  it('a process killed while writing leaves either the old state or the new one, never a part', async () => {
    const folder = tempDir();
    const file = path.join(folder, 'state.json');
    await writeState(file, sample());
    const script = path.join(folder, 'writer.mts');
    const stateModule = fileURLToPath(new URL('../../src/state/state.ts', import.meta.url));
    writeFileSync(
      script,
      `import { writeState } from ${JSON.stringify(stateModule)};\n` +
        `const files = new Map();\n` +
        `for (let i = 0; i < 300000; i++) files.set('p-' + i + '-' + 'y'.repeat(60) + '.html', { content: 'CCCCCCCCCCCCCCCC' });\n` +
        `process.stdout.write('ready\\n');\n` +
        `for (;;) await writeState(${JSON.stringify(file)}, { baseUrl: 'https://www.example.com/', savedAt: 'new', files, carried: [] });\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<boolean>((resolve) => {
      child.stdout.once('data', () => resolve(true));
      child.once('exit', () => resolve(false));
    });
    expect(started).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const read = await readState(file);
    expect(read.kind).toBe('found');
    if (read.kind !== 'found') return;
    if (read.state.savedAt === 'new') expect(read.state.files.size).toBe(300_000);
    else expect(read.state).toEqual(sample());
  });

  it('a missing file is "missing", with the label the notice names', async () => {
    expect(await readState(path.join(tempDir(), 'nope.json'), 'state/nope.json')).toEqual({
      kind: 'missing',
      label: 'state/nope.json',
    });
  });

  it.each([
    ['a truncated file', (text: string) => text.slice(0, text.length / 2), /is not JSON/],
    ['an empty file', () => '', /it is empty/],
    [
      'a newer format version',
      (text: string) => text.replace('"version":1', '"version":2'),
      /written by a newer cdn-prefetch \(format version 2\)/,
    ],
    [
      'other hashes',
      (text: string) => text.replace('sha256/96', 'md5'),
      /its hashes are "md5", not sha256\/96/,
    ],
    [
      'a bad hash',
      (text: string) => text.replace(`"${HASH_A}"`, '"short"'),
      /the hashes of ".*" are not sha256\/96/,
    ],
  ])('%s: "unusable", with a warning that names state', async (_name, corrupt, why) => {
    const file = path.join(tempDir(), 'state.json');
    await writeState(file, sample());
    writeFileSync(file, corrupt(readFileSync(file, 'utf8')));
    const read = await readState(file, 'state/site.json');
    expect(read.kind).toBe('unusable');
    if (read.kind !== 'unusable') return;
    expect(read.warning).toMatch(/^state: state\/site.json cannot be used \(/);
    expect(read.warning).toMatch(why);
    expect(read.warning).toContain('every file counts as added this run');
  });

  it('a folder where the file should be is "unusable"', async () => {
    const folder = tempDir();
    mkdirSync(path.join(folder, 'state.json'));
    const read = await readState(path.join(folder, 'state.json'));
    expect(read).toMatchObject({ kind: 'unusable', warning: expect.stringMatching(/it is a folder/) });
  });
});
