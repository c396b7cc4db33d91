#!/usr/bin/env node
// `npm test`: every test. jest (both projects, ESM) with the arguments given, then the Python
// client's tests (`python3 -m unittest discover -s clients/python/tests`, against a real server
// they start themselves). Exits non-zero if either fails.
//
// Arguments go to jest. Given test path patterns (`npm test -- test/stream.e2e.spec.ts`), only
// jest runs: that is a selection. With none (options such as `--json --outputFile=...` are fine),
// the Python tests run too. When WARDEN_UNITTEST_RESULTS names a file, unittest's own result is
// written there as JSON `{ran, passed, failed, skipped, exit}` (read by .ci/run for its summary).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const resultsFile = process.env.WARDEN_UNITTEST_RESULTS;

/** jest options that take a separate value (`--outputFile x`), so that value is not a test path pattern. */
const WITH_VALUE = new Set(['--outputFile', '--selectProjects', '--testNamePattern', '-t', '--config', '-c', '--maxWorkers', '-w', '--reporters', '--testTimeout', '--shard', '--seed']);
function hasPatterns(list) {
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (a === '--') continue;
    if (a.startsWith('-')) {
      if (WITH_VALUE.has(a)) i++;
      continue;
    }
    return true;
  }
  return false;
}

const children = new Set();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const c of children) c.kill(sig);
  });
}

/** Runs a command with inherited stdio (stderr also captured when `capture`); resolves its exit code and captured stderr. */
function run(command, argv, { env = process.env, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: root, env, stdio: ['inherit', 'inherit', capture ? 'pipe' : 'inherit'] });
    children.add(child);
    let err = '';
    if (capture) {
      child.stderr.on('data', (d) => {
        err += d.toString();
        process.stderr.write(d);
      });
    }
    child.on('error', (e) => {
      children.delete(child);
      resolve({ code: 127, err: `${command}: ${e.message}\n` });
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code: code ?? (signal ? 128 : 1), err });
    });
  });
}

/** unittest's own summary: `Ran N tests in ...` then `OK` or `FAILED (failures=a, errors=b, skipped=c, ...)`. */
export function unittestSummary(stderr, exit) {
  const ran = /^Ran (\d+) tests? in /m.exec(stderr);
  const verdict = /^(OK|FAILED)(?: \((.*)\))?\s*$/m.exec(stderr.slice(ran ? ran.index : 0));
  if (!ran || !verdict) return { ran: 0, passed: 0, failed: 1, skipped: 0, exit, note: 'no unittest summary (the run did not complete)' };
  const counts = Object.fromEntries((verdict[2] ?? '').split(',').filter(Boolean).map((kv) => kv.trim().split('=')).map(([k, v]) => [k, Number(v)]));
  const failed = (counts.failures ?? 0) + (counts.errors ?? 0) + (counts['unexpected successes'] ?? 0);
  const skipped = (counts.skipped ?? 0) + (counts['expected failures'] ?? 0);
  const total = Number(ran[1]);
  // A skipped test is not a pass; a run that says OK while exiting non-zero is a failure.
  return { ran: total, passed: total - failed - skipped, failed: failed || (exit !== 0 ? 1 : 0), skipped, exit };
}

// jest's package exports no bin path: its file, as npm's own .bin link points at it.
const jest = join(root, 'node_modules/jest/bin/jest.js');
const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules'].filter(Boolean).join(' ');
const jestRun = await run(process.execPath, [jest, ...args], { env: { ...process.env, NODE_OPTIONS: nodeOptions } });

let pythonExit = 0;
if (!hasPatterns(args)) {
  process.stderr.write('\nPython client tests: python3 -m unittest discover -s clients/python/tests\n');
  const py = await run('python3', ['-m', 'unittest', 'discover', '-s', 'clients/python/tests'], { capture: true });
  const summary = py.code === 127 ? { ran: 0, passed: 0, failed: 1, skipped: 0, exit: 127, note: 'python3 not found (Debian: apt-get install python3)' } : unittestSummary(py.err, py.code);
  if (summary.note) process.stderr.write(`Python client tests: ${summary.note}\n`);
  if (resultsFile) writeFileSync(resultsFile, JSON.stringify(summary) + '\n');
  pythonExit = summary.failed > 0 || py.code !== 0 ? 1 : 0;
}
process.exit(jestRun.code !== 0 ? jestRun.code : pythonExit);
