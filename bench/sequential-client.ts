/**
 * One connection, one request at a time, timed with the high-resolution clock (autocannon reports
 * whole milliseconds, too coarse for a sub-millisecond p50). Run as its own process by
 * `sequential()` in support.ts; prints one JSON line: {n, p50, p99, mean} in ms, and non2xx.
 * Args: url seconds method headers-json body.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, secondsArg, method, headersJson, body] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const headers = JSON.parse(headersJson) as Record<string, string>;
if (body) headers['content-length'] = String(Buffer.byteLength(body));

function once(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}

async function main(): Promise<void> {
  const until = performance.now() + Number(secondsArg) * 1000;
  const times: number[] = [];
  let non2xx = 0;
  while (performance.now() < until) {
    const t0 = performance.now();
    const status = await once();
    times.push(performance.now() - t0);
    if (status < 200 || status >= 300) non2xx++;
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  const mean = times.reduce((s, x) => s + x, 0) / times.length;
  process.stdout.write(JSON.stringify({ n: times.length, p50: at(0.5), p99: at(0.99), mean, non2xx }) + '\n');
  agent.destroy();
}

void main();
