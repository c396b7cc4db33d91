/**
 * Runs the example engine once against a Warden server:
 *
 *   npm run build
 *   WARDEN_URL=http://127.0.0.1:3000 WARDEN_TOKEN=wdn_... node dist/examples/engine/main.js
 *
 * The token: an engine token bound to WHOLESALE that may claim the gate identity `example-engine`
 * (POST /api/governance/tokens {"name":"offers","role":"engine","engines":["WHOLESALE"],"identities":["example-engine"]}).
 */
import { runEngine } from './engine.js';

const baseUrl = process.env.WARDEN_URL ?? 'http://127.0.0.1:3000';
const token = process.env.WARDEN_TOKEN;
if (!token) {
  process.stderr.write('example engine: set WARDEN_TOKEN (and WARDEN_URL)\n');
  process.exit(2);
}
const stamp = Date.now().toString(36);
const offers = [
  { id: `${stamp}-1`, buyer: 'ACME', price: '40.00' },
  { id: `${stamp}-2`, buyer: 'Globex', price: '65.50' },
  { id: `${stamp}-3`, buyer: 'Initech', price: '250.00' },
];
for (const line of await runEngine(offers, { baseUrl, token })) process.stdout.write(`${line}\n`);
