/** Lists far longer than a function's argument limit: every line is read, in order (issue 13, item 12). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryLogger } from '../helpers/logger.js';
import { gatherEntries, type SourceConfig } from '../../src/sources/gather.js';
import { compileExcludes } from '../../src/urls/exclude.js';

const LINES = 200_000;
const list = Array.from({ length: LINES }, (_, i) => `https://www.example.com/p/${i}`).join('\n') + '\n';

function config(extra: Partial<SourceConfig>): SourceConfig {
  return {
    urlsText: 'https://www.example.com/first',
    domains: [],
    exclude: compileExcludes(''),
    workspace: os.tmpdir(),
    ...extra,
  };
}

describe(`a list of ${LINES.toLocaleString('en')} lines`, () => {
  it('from urls-file: every line, in order, after the urls input', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cdn-prefetch-long-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'urls.txt');
    await writeFile(file, list);
    const { entries } = await gatherEntries(config({ urlsFile: file }), new MemoryLogger());
    expect(entries).toHaveLength(LINES + 1);
    expect(entries[1]).toEqual({ raw: 'https://www.example.com/p/0', source: 'urls-file urls.txt: line 1' });
    expect(entries.at(-1)).toEqual({
      raw: `https://www.example.com/p/${LINES - 1}`,
      source: `urls-file urls.txt: line ${LINES}`,
    });
  });

  it('from standard input (the CLI)', async () => {
    const { entries } = await gatherEntries(config({ cli: { urlsFileStdin: list } }), new MemoryLogger());
    expect(entries).toHaveLength(LINES + 1);
    expect(entries.at(-1)?.source).toBe(`urls-file (standard input): line ${LINES}`);
  });
});
