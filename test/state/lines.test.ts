/**
 * readState reads the files of a state line by line when it is written as writeState writes it (a
 * million files parsed as one JSON document took seconds and hundreds of MB): the same result as
 * JSON.parse for any file name, and a state reformatted by hand is still read, as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readState, writeState, type FileHashes, type SiteState } from '../../src/state/state.js';
import { tempDir } from '../helpers/site.js';

const hash = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'), minLength: 16, maxLength: 16 });
const name = fc.string({
  unit: fc.constantFrom('a', '/', '"', '\\', ':', '","', '":"', 'é', '日', '\n', '\t', '}}', ','),
  minLength: 1,
});
const hashes: fc.Arbitrary<FileHashes> = fc.oneof(
  hash.map((content) => ({ content })),
  fc.tuple(hash, hash).map(([content, own]) => ({ content, own })),
);

describe('readState: the files line by line', () => {
  it('reads back any file names and hashes, as written and reformatted by hand', async () => {
    const folder = tempDir();
    const file = path.join(folder, 'state.json');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, hashes), { maxLength: 30 }), async (entries) => {
        const state: SiteState = {
          baseUrl: 'https://www.example.com/',
          savedAt: '2026-03-02T10:00:00.000Z',
          files: new Map(entries),
          carried: [],
        };
        await writeState(file, state);
        expect(await readState(file)).toEqual({ kind: 'found', state });
        const document = JSON.parse(readFileSync(file, 'utf8'));
        writeFileSync(file, JSON.stringify(document, null, 2)); // no longer one file a line
        const reformatted = await readState(file);
        expect(reformatted).toMatchObject({ kind: 'found' });
        if (reformatted.kind === 'found')
          expect(reformatted.state.files).toEqual(
            new Map(Object.entries(document.files).map(([k, v]) => [k, toHashes(v as string)])),
          );
      }),
      { numRuns: 60 },
    );
  });

  it('a state cut anywhere in its files is not read as whole', async () => {
    const file = path.join(tempDir(), 'state.json');
    const files = new Map<string, FileHashes>();
    for (let i = 0; i < 50; i++) files.set(`p/${i}.html`, { content: 'A'.repeat(16), own: 'B'.repeat(16) });
    await writeState(file, { baseUrl: 'https://www.example.com/', savedAt: 'x', files, carried: [] });
    const whole = readFileSync(file);
    for (const cut of [
      whole.length - 2,
      whole.length - 3,
      Math.floor(whole.length / 2),
      whole.indexOf('"files"') + 12,
    ]) {
      writeFileSync(file, whole.subarray(0, cut));
      expect((await readState(file)).kind).toBe('unusable');
    }
  });
});

function toHashes(value: string): FileHashes {
  return value.length === 16 ? { content: value } : { content: value.slice(0, 16), own: value.slice(17) };
}
