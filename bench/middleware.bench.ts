/**
 * What the go-live / execution-class middleware costs: GET /api/deals on the real app with the hook
 * on and on the same app with it off, interleaved rounds, medians. `npm run bench:middleware`.
 * Env: BENCH_ROUNDS (default 5), BENCH_SECONDS per run (default 5), BENCH_CONNECTIONS (default 32).
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '#platform';
import { createApp } from '../apps/api/src/create-app.js';
import { autocannon, benchDatabase, median, table, type LoadResult } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TOKEN = 'bench-admin-token-0000000000';

async function start(url: string, goLiveMiddleware: boolean): Promise<{ app: NestFastifyApplication; base: string }> {
  const config = loadConfig({ DATABASE_URL: url, WARDEN_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', GO_LIVE_ENFORCE: '1', JOBS_ENABLED: '0' });
  const app = await createApp({ config, goLiveMiddleware });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  return { app, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const on = await start(db.url, true);
  const off = await start(db.url, false);
  // Enforcement is on; let traffic through so every request takes the full "allowed" path of the hook.
  const res = await fetch(`${on.base}/api/governance/go-live/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (res.status !== 200) throw new Error('cannot read go-live state');
  const { DataSource } = await import('typeorm');
  await on.app.get(DataSource).query(`UPDATE go_live_state SET go_live_enabled = true, version = version + 1; SELECT pg_notify('warden_go_live', 'bench')`);
  await new Promise((r) => setTimeout(r, 500));
  const check = await fetch(`${on.base}/api/deals`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (check.status !== 200) throw new Error(`GET /api/deals through the hook answered ${check.status}`);

  const headers = { authorization: `Bearer ${TOKEN}` };
  const load = (base: string, seconds = SECONDS) => autocannon(`${base}/api/deals`, { connections: CONNECTIONS, seconds, headers });
  await load(on.base, 2);
  await load(off.base, 2);

  const results: Record<'on' | 'off', LoadResult[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Array<'on' | 'off'> = round % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    for (const variant of order) {
      const r = await load(variant === 'on' ? on.base : off.base);
      if (r.non2xx || r.errors) throw new Error(`${variant}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      results[variant].push(r);
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${variant}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms\n`);
    }
  }
  const row = (variant: 'on' | 'off') => ({
    variant: variant === 'on' ? 'middleware on' : 'middleware off',
    'req/s (median)': median(results[variant].map((r) => r.rps)).toFixed(0),
    'p50 ms': median(results[variant].map((r) => r.p50)).toFixed(1),
    'p99 ms': median(results[variant].map((r) => r.p99)).toFixed(1),
  });
  const ratio = median(results.on.map((r) => r.rps)) / median(results.off.map((r) => r.rps));
  console.log(`\nGET /api/deals, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds x ${SECONDS}s each\n`);
  console.log(table([row('on'), row('off')]));
  console.log(`\nthroughput ratio on/off: ${ratio.toFixed(3)}  (goal >= 0.95: the hook costs at most 5%)`);

  await on.app.close();
  await off.app.close();
  await db.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
