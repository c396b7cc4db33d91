#!/usr/bin/env node
// Regenerates src/generated/openapi.d.ts from a Warden server's GET /docs-json.
//
//   npm run generate -w @warden/client                  # starts the built server (npm run build first)
//   npm run generate -w @warden/client -- --url http://127.0.0.1:3000
//
// Without --url it starts the repository's built API (dist/apps/api/src/main.js) on a free port
// with a throwaway embedded PostgreSQL, reads the document and stops it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import { GENERATED_PATH, renderTypes } from './openapi-types.mjs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function fetchDocument(url) {
  const res = await globalThis.fetch(`${url}/docs-json`);
  if (!res.ok) throw new Error(`GET ${url}/docs-json answered ${res.status}`);
  return res.json();
}

async function withLocalServer(read) {
  const main = join(REPO, 'dist/apps/api/src/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first, or pass --url`);
  const dataDir = await mkdtemp(join(tmpdir(), 'warden-generate-'));
  await chmod(dataDir, 0o711); // run as root, the embedded PostgreSQL runs as 'postgres' and must traverse it
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: '', WARDEN_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', WARDEN_BOOTSTRAP_TOKEN: `gen-${port}-000000000000000000` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering`);
      if (await globalThis.fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error('the server did not answer /health within 120 s');
      await sleep(200);
    }
    return await read(url);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--url');
const url = at !== -1 ? process.argv[at + 1] : undefined;
const document = url ? await fetchDocument(url) : await withLocalServer(fetchDocument);
await writeFile(GENERATED_PATH, await renderTypes(document));
process.stdout.write(`wrote ${fileURLToPath(GENERATED_PATH)}\n`);
