// After ncc: the action's bundle is dist/index.js; the CLI's, built into .build/cli, becomes
// dist/cli.js, a single self-contained executable file (`node dist/cli.js` needs no node_modules).
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
// ncc writes ESM bundles; tell Node they are ESM without a package.json lookup surprise.
writeFileSync(new URL('dist/package.json', root), JSON.stringify({ type: 'module' }, null, 2) + '\n');

const cliBuild = new URL('.build/cli/', root);
// ncc also writes a package.json saying "type": "module", as dist/package.json does.
const emitted = readdirSync(cliBuild).filter((name) => name !== 'package.json');
if (emitted.length !== 1 || emitted[0] !== 'index.js') {
  // A chunk or an asset beside the bundle would not travel with dist/cli.js.
  throw new Error(`ncc emitted more than one file for the CLI: ${emitted.join(', ')}`);
}
const code = readFileSync(new URL('index.js', cliBuild), 'utf8');
const shebang = '#!/usr/bin/env node\n';
writeFileSync(new URL('dist/cli.js', root), code.startsWith('#!') ? code : shebang + code);
chmodSync(new URL('dist/cli.js', root), 0o755);
rmSync(new URL('.build/', root), { recursive: true, force: true });
