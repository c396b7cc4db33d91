import { join } from 'node:path';
import { gateEvalRemote } from './gate-commands.js';

const intent = join(process.cwd(), 'examples/policy/intents/intent_write.json');
const answer = (status: number, body: unknown) => {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fake, calls };
};

describe('gateEvalRemote (client of POST /api/governance/gate/evaluate)', () => {
  it('posts {intent, simulate} with the bearer token to the route', async () => {
    const { fake, calls } = answer(200, { verdict: 'allow', reason_codes: ['r'] });
    const r = await gateEvalRemote({ server: 'http://w.example/', token: 'tok', intent, simulate: true, json: true, fetch: fake });
    expect(calls[0].url).toBe('http://w.example/api/governance/gate/evaluate');
    expect((calls[0].init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    const body = JSON.parse(String(calls[0].init.body));
    expect(body.simulate).toBe(true);
    expect(body.intent.tool_name).toBe('tool.write');
    expect(r.exitCode).toBe(0);
  });

  it.each([
    [200, { verdict: 'dry_run' }, 0],
    [202, { verdict: 'require_approval', required_approvals: 2 }, 4],
    [403, { verdict: 'block', reason_codes: ['kill_switch_engaged'] }, 3],
    [400, { statusCode: 400, error: 'invalid_gate_input', message: 'context.identity is required' }, 6],
    [403, { statusCode: 403, error: 'forbidden', message: 'role' }, 1],
    [401, { statusCode: 401, error: 'unauthorized' }, 1],
    [503, { statusCode: 503, error: 'governance_unavailable' }, 1],
  ])('HTTP %i %j maps to exit %i', async (status, body, exit) => {
    const r = await gateEvalRemote({ server: 'http://w', token: 't', intent, json: true, fetch: answer(status, body).fake });
    expect(r.exitCode).toBe(exit);
    expect(JSON.parse(r.stdout).ok).toBe(exit === 0 || exit === 3 || exit === 4);
  });

  it('an unreachable server never exits 0', async () => {
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect((await gateEvalRemote({ server: 'http://w', token: 't', intent, fetch: down })).exitCode).toBe(1);
  });

  it('an unreadable intent is invalid input before any request', async () => {
    const { fake, calls } = answer(200, { verdict: 'allow' });
    expect((await gateEvalRemote({ server: 'http://w', token: 't', intent: 'nope.json', fetch: fake })).exitCode).toBe(6);
    expect(calls).toHaveLength(0);
  });
});
