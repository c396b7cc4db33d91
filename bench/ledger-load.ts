/**
 * Load generator for `bench:ledger`, run as its own process (so it never shares the server's event
 * loop): each of N connections loops check-and-reserve then settle of the same correlation_id.
 * argv[2] = JSON {url, token, engines, prefix, connections, seconds, amount}. Prints autocannon's result as JSON.
 */
import autocannon from 'autocannon';

interface LoadArgs {
  url: string;
  token: string;
  engines: string[];
  prefix: string;
  connections: number;
  seconds: number;
  amount: string;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as LoadArgs;
  let n = 0;
  const result = await autocannon({
    url: args.url,
    connections: args.connections,
    duration: args.seconds,
    headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/api/governance/risk/check-and-reserve',
        setupRequest: (req, context) => {
          const i = n++;
          context.cid = `${args.prefix}-${i}`;
          return { ...req, body: JSON.stringify({ engine: args.engines[i % args.engines.length], amount: args.amount, correlation_id: context.cid }) };
        },
      },
      {
        method: 'POST',
        path: '/api/governance/risk/settle',
        setupRequest: (req, context) => ({ ...req, body: JSON.stringify({ correlation_id: context.cid, realized_loss: '0' }) }),
      },
    ],
  });
  process.stdout.write(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
