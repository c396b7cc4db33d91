#!/usr/bin/env node
// Builds dist/: tsc with declarations, then the generated OpenAPI types beside them (tsc does not
// copy a hand-kept .d.ts, and dist/index.d.ts refers to it).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, URL } from 'node:url';

const here = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
rmSync(here('dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', here('tsconfig.json')], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
mkdirSync(here('dist/generated'), { recursive: true });
copyFileSync(here('src/generated/openapi.d.ts'), here('dist/generated/openapi.d.ts'));
