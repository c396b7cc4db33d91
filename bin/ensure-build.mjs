#!/usr/bin/env node
// Builds dist/ only when a source changed since the last successful build.
//
// Why not just run `tsc` every time: tsc is already incremental (tsconfig `incremental`), but even
// with nothing to do it loads the whole program, Nest's and TypeORM's type declarations included,
// to compare hashes: 2.7 s on an idle 2-core machine, 10 s and more on a loaded one. Comparing the
// newest modification time under the source trees with the time the last good build started takes
// a few milliseconds. When something did change, the incremental tsc recompiles only what it must.
//
// Used by `npm start`, `npx warden` (bin/warden.mjs) and the tests that spawn the built app
// (test/support/build.ts). A lock directory keeps concurrent callers (two jest workers, two
// terminals) from compiling into dist/ together: the second waits, then finds dist/ fresh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampFile = join(dist, '.build-stamp');
const lockDir = join(dist, '.build-lock');
/** Everything tsconfig.build.json compiles, and the files that change how it compiles. */
const INPUTS = ['apps', 'libs', 'migrations', 'seeds', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** A full build measured 7 s idle and ~40 s loaded on 2 cores: a lock older than this is abandoned. */
const LOCK_WAIT_MS = 10 * 60_000;

/** Newest mtime (ms) of a file or tree; directories count too (a deleted or renamed file changes them). Specs are not built. */
function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return path.endsWith('.spec.ts') ? 0 : st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** When the last successful build started, or 0 if there is none. */
function lastBuildStart() {
  try {
    return Number(readFileSync(stampFile, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/**
 * A deployment (the Docker image) ships dist/ without the sources or the compiler: there is nothing
 * to compare and nothing to build with, so what is there is what runs.
 */
function canBuild() {
  return existsSync(join(root, 'tsconfig.build.json')) && existsSync(join(root, 'node_modules/typescript/bin/tsc'));
}

export function isStale() {
  if (!canBuild()) return false;
  const built = lastBuildStart();
  if (!built || !existsSync(join(dist, 'apps/api/src/main.js'))) return true;
  return INPUTS.some((input) => newestMtime(join(root, input)) > built);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the build lock (waiting for another builder), or returns false if dist/ became fresh meanwhile (unless `force`). */
function lock(force) {
  mkdirSync(dist, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return true;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      // the owner is between mkdir and writing its pid, or just released the lock
    }
    if ((owner && !alive(owner)) || Date.now() > deadline) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    sleep(200);
    if (!force && !existsSync(lockDir) && !isStale()) return false;
  }
}

/**
 * Builds if a source changed since the last good build. Returns true when it compiled. Throws when
 * the build fails (dist/ is then not stamped, so the next call tries again).
 */
export function ensureBuilt({ quiet = false, force = false } = {}) {
  if (force && !canBuild()) throw new Error('cannot build: tsconfig.build.json or the TypeScript compiler is missing');
  if (!force && !isStale()) return false;
  if (!lock(force)) return false;
  try {
    if (!force && !isStale()) return false;
    const started = Date.now();
    if (!quiet && !force) {
      const why = lastBuildStart() ? 'sources changed since the last build' : 'first build';
      process.stderr.write(`warden: ${why}: compiling (incremental)...\n`);
    }
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (tsc.status !== 0) throw new Error(`the TypeScript build failed (tsc exit ${tsc.status ?? tsc.signal})`);
    writeFileSync(stampFile, `${started}\n`);
    return true;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    // --force: `npm run build` compiles (incrementally) whatever the mtimes say, and stamps the result.
    ensureBuilt({ quiet: process.argv.includes('--quiet'), force: process.argv.includes('--force') });
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
