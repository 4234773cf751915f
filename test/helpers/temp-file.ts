/**
 * Set up before every test file: the file gets its own temporary folder (TMPDIR, so os.tmpdir() and
 * every folder made under it go there), inside the run's (temp-run.ts). After the file's tests — passed
 * or failed — the workspaces of its action and CLI runs are removed, and the file fails if anything of
 * ours (a cdn-prefetch-* entry) is still in its folder: every test removes what it made.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import { removeWorkspaces } from '../../emulator/workspaces.js';

const fileTemp = mkdtempSync(path.join(inject('tempRoot'), 'file-'));
const previous = { TMPDIR: process.env['TMPDIR'], TMP: process.env['TMP'], TEMP: process.env['TEMP'] };
for (const name of Object.keys(previous)) process.env[name] = fileTemp;

afterAll(() => {
  removeWorkspaces();
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const left = readdirSync(fileTemp).filter((name) => name.startsWith('cdn-prefetch-'));
  rmSync(fileTemp, { recursive: true, force: true });
  expect(left, 'temporary folders this file left behind').toEqual([]);
});
