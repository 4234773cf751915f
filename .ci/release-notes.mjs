// Prints the section of CHANGELOG.md for one version — the lines under `## [X.Y.Z]` (with or without a
// date) up to the next `## ` heading or the link definitions at the end — for the release's notes.
// Fails when there is no such section or it is empty, so that no release goes out without notes.
//
//   node .ci/release-notes.mjs 1.2.3
import { readFileSync } from 'node:fs';
import path from 'node:path';

const version = process.argv[2] ?? '';
if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
  console.error(`Usage: node .ci/release-notes.mjs X.Y.Z (got '${version}')`);
  process.exit(2);
}
const file = path.resolve(import.meta.dirname, '../CHANGELOG.md');
const lines = readFileSync(file, 'utf8').split('\n');
const heading = `## [${version}]`;
const start = lines.findIndex((line) => line === heading || line.startsWith(`${heading} `));
if (start < 0) {
  console.error(
    `CHANGELOG.md has no section '${heading} - YYYY-MM-DD': move the [Unreleased] entries under it (RELEASING.md, step 1).`,
  );
  process.exit(1);
}
const rest = lines.slice(start + 1);
const end = rest.findIndex((line) => line.startsWith('## ') || /^\[[^\]]+\]: /.test(line));
const notes = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
if (notes === '') {
  console.error(`CHANGELOG.md: the section '${heading}' is empty; say what changed.`);
  process.exit(1);
}
console.log(notes);
