import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { useChildProcesses } from './support/spawn.js';

// The offline commands as a CI job runs them: the real `warden` binary, no server, no database.
const spawn = useChildProcesses();

async function warden(...args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['bin/warden.mjs', ...args]);
  const { code } = await child.closed;
  return { code, stdout: child.stdout() };
}

beforeAll(() => buildDist(), BUILD_TIMEOUT_MS);

describe('warden policy / gate / promotion, offline', () => {
  it.each([
    ['intent_read.json', 0],
    ['intent_write.json', 4],
    ['intent_delete.json', 3],
    ['invalid_missing_identity.json', 6],
  ])('policy test on the high-risk policy with %s exits %i', async (intent, exit) => {
    expect((await warden('policy', 'test', 'examples/policy/base_high_risk.yaml', `examples/policy/intents/${intent}`, '--json')).code).toBe(exit);
  });

  it('gate eval --simulate never blocks, and prints the same bytes twice', async () => {
    const args = ['gate', 'eval', '--policy', 'examples/policy/base_high_risk.yaml', '--intent', 'examples/policy/intents/intent_delete.json', '--simulate', '--json'];
    const first = await warden(...args);
    const second = await warden(...args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ would_have_blocked: true });
    expect(second.stdout).toBe(first.stdout);
  });

  it('promotion evaluate maps verdicts to exit codes, and a usage error is invalid input', async () => {
    expect((await warden('promotion', 'evaluate', '--scorecard', 'examples/promotion/scorecard-strong.json', '--rules', 'examples/promotion/rules.yaml')).code).toBe(0);
    expect((await warden('promotion', 'evaluate', '--scorecard', 'examples/promotion/scorecard-micro-pilot.json')).code).toBe(4);
    expect((await warden('promotion', 'evaluate', '--scorecard', 'examples/promotion/scorecard-security-fail.json')).code).toBe(3);
    expect((await warden('gate', 'eval', '--bogus')).code).toBe(6);
  });
});
