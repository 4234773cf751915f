import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { parseUrlList, readUrlFile } from '../../src/sources/list.js';
import type { UrlEntry } from '../../src/urls/prepare.js';

describe('parseUrlList', () => {
  it.each<[string, string, UrlEntry[]]>([
    ['empty text', '', []],
    ['one URL', 'https://a.com/x', [{ raw: 'https://a.com/x', source: 'urls: line 1' }]],
    [
      'line numbers count blank and comment lines',
      '# header\n\nhttps://a.com/1\n   \n  # note\nhttps://a.com/2\n',
      [
        { raw: 'https://a.com/1', source: 'urls: line 3' },
        { raw: 'https://a.com/2', source: 'urls: line 6' },
      ],
    ],
    [
      'CRLF',
      'https://a.com/1\r\n\r\nhttps://a.com/2\r\n',
      [
        { raw: 'https://a.com/1', source: 'urls: line 1' },
        { raw: 'https://a.com/2', source: 'urls: line 3' },
      ],
    ],
    [
      'lone CR and mixed line ends',
      'https://a.com/1\rhttps://a.com/2\nhttps://a.com/3\r\nhttps://a.com/4',
      [
        { raw: 'https://a.com/1', source: 'urls: line 1' },
        { raw: 'https://a.com/2', source: 'urls: line 2' },
        { raw: 'https://a.com/3', source: 'urls: line 3' },
        { raw: 'https://a.com/4', source: 'urls: line 4' },
      ],
    ],
    ['entries are trimmed', '\t https://a.com/x  \n', [{ raw: 'https://a.com/x', source: 'urls: line 1' }]],
    [
      'a # after the start is part of the entry',
      'https://a.com/x#frag',
      [{ raw: 'https://a.com/x#frag', source: 'urls: line 1' }],
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseUrlList(text, 'urls')).toEqual(expected);
  });

  it('uses the source name it is given', () => {
    expect(parseUrlList('\nhttps://a.com/', 'urls-file list.txt')).toEqual([
      { raw: 'https://a.com/', source: 'urls-file list.txt: line 2' },
    ]);
  });
});

describe('readUrlFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cdn-prefetch-sources-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real file with line numbers', async () => {
    const file = path.join(dir, 'urls.txt');
    await writeFile(file, '# deploy\nhttps://a.com/1\n\nhttps://a.com/2\n', 'utf8');
    expect(await readUrlFile(file, 'urls.txt')).toEqual([
      { raw: 'https://a.com/1', source: 'urls-file urls.txt: line 2' },
      { raw: 'https://a.com/2', source: 'urls-file urls.txt: line 4' },
    ]);
  });

  it('tolerates a UTF-8 BOM (the first URL is not corrupted)', async () => {
    const file = path.join(dir, 'bom.txt');
    await writeFile(file, '\uFEFFhttps://a.com/1\r\nhttps://a.com/é\r\n', 'utf8');
    const entries = await readUrlFile(file, 'bom.txt');
    expect(entries).toEqual([
      { raw: 'https://a.com/1', source: 'urls-file bom.txt: line 1' },
      { raw: 'https://a.com/é', source: 'urls-file bom.txt: line 2' },
    ]);
  });

  it('a BOM before a comment still leaves the comment ignored', async () => {
    const file = path.join(dir, 'bom-comment.txt');
    await writeFile(file, '\uFEFF# list\nhttps://a.com/1\n', 'utf8');
    expect(await readUrlFile(file, 'bom-comment.txt')).toEqual([
      { raw: 'https://a.com/1', source: 'urls-file bom-comment.txt: line 2' },
    ]);
  });

  it('an empty file gives no entries', async () => {
    const file = path.join(dir, 'empty.txt');
    await writeFile(file, '', 'utf8');
    expect(await readUrlFile(file, 'empty.txt')).toEqual([]);
  });

  it('a missing file is a ConfigError naming urls-file and the path', async () => {
    const file = path.join(dir, 'does-not-exist.txt');
    const error = await readUrlFile(file, 'does-not-exist.txt').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('urls-file');
    expect(message).toContain('does-not-exist.txt');
    expect(message).toContain(file);
    expect(message).toMatch(/no such file/);
  });

  it('a folder is a ConfigError naming urls-file and the path', async () => {
    const folder = path.join(dir, 'a-folder');
    await mkdir(folder);
    const error = await readUrlFile(folder, 'a-folder').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('urls-file');
    expect((error as Error).message).toContain(folder);
  });
});
