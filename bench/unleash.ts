/**
 * The Unleash peer for bench:propagation: unleash-server (a dev dependency; 8.x needs Node 22, as
 * CI's `.ci/run` installs) in its own process on a scratch database of the bench's PostgreSQL,
 * authentication off, on loopback; unleash-client polling it at the shortest interval the SDK
 * accepts (any positive number of ms: 1 ms, back to back).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitForHttp } from './support.js';

export const UNLEASH_FLAG = 'kill-switch';

export interface UnleashServer {
  url: string;
  version: string;
  /** Turns the flag on or off through the admin API; resolves on the server's acknowledgement. */
  toggle: (on: boolean) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startUnleash(databaseUrl: string): Promise<UnleashServer> {
  const major = Number(process.versions.node.split('.')[0]);
  // Its package.json is not exported: read it beside the resolved entry point.
  const entry = createRequire(import.meta.url).resolve('unleash-server');
  const root = entry.slice(0, entry.lastIndexOf('/dist/'));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  if (major < 22) throw new Error(`unleash-server ${version} needs Node 22 (this is ${process.version}): run with the Node .ci/run installs`);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS unleash_bench');
  await admin.query('CREATE DATABASE unleash_bench');
  await admin.end();
  const db = new URL(databaseUrl);
  const port = await freePort();
  const options = {
    db: { host: db.hostname, port: Number(db.port), user: decodeURIComponent(db.username), password: decodeURIComponent(db.password), database: 'unleash_bench', ssl: false },
    server: { port, host: '127.0.0.1' },
    authentication: { type: 'none' },
    logLevel: 'error',
    versionCheck: { enable: false },
    telemetry: false,
  };
  const script = `import('unleash-server').then((u) => u.start(${JSON.stringify(options)})).catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SEND_TELEMETRY: 'false', CHECK_VERSION: 'false' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, 180_000);
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`Unleash ${path} answered ${res.status}: ${await res.text()}`);
  };
  const feature = `/api/admin/projects/default/features/${UNLEASH_FLAG}/environments/development`;
  await call('/api/admin/projects/default/features', { name: UNLEASH_FLAG });
  await call(`${feature}/strategies`, { name: 'default' });
  return {
    url,
    version,
    toggle: (on) => call(`${feature}/${on ? 'on' : 'off'}`),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
