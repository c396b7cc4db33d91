#!/usr/bin/env node
// `npx warden ...` from the repository: runs the compiled CLI, compiling first only when a source
// changed since the last build (bin/ensure-build.mjs: a few ms when nothing did). Help and version
// never compile once dist/ exists — on a fresh clone the first call of any command builds once.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/apps/cli/src/main.js');
const args = process.argv.slice(2);
const informational = args.length === 0 || args[0] === 'help' || args.some((a) => ['-h', '--help', '-V', '--version'].includes(a));

if (!(informational && existsSync(entry))) {
  const { ensureBuilt } = await import('./ensure-build.mjs');
  try {
    ensureBuilt();
  } catch (err) {
    process.stderr.write(`warden: ${err.message}\n`);
    process.exit(1);
  }
}
await import(pathToFileURL(entry).href);
