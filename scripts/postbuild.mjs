// ncc writes an ESM bundle as index.js; tell Node it is ESM without a package.json lookup surprise.
import { writeFileSync } from 'node:fs';
writeFileSync(
  new URL('../dist/package.json', import.meta.url),
  JSON.stringify({ type: 'module' }, null, 2) + '\n',
);
