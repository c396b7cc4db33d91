import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '#platform';
import { BUILD_TIMEOUT_MS, buildDist } from './support/build.js';
import { READY_TIMEOUT_MS, useChildProcesses, waitForHttp } from './support/spawn.js';

const ROOT = process.cwd();
const run = promisify(execFile);

/** One shell line of a README example, with what its trailing comment promises. */
interface Command {
  line: string;
  /** `# 403 ...`: the HTTP status; a curl line without one must answer 2xx. */
  status?: number;
  /** `# exit 3`: the process's exit code. */
  exit?: number;
  /** `# 200 []`: the whole body. */
  body?: string;
  /** snake_case words in the comment (`go_live_disabled`, `would_have_blocked_observe`) the answer must contain. */
  words: string[];
  /** `go_live_enabled false`: a field and its value in the JSON answer. */
  fields: Array<[string, boolean]>;
}

/** The ```bash block that follows `marker` in the README. */
function blockAfter(readme: string, marker: string): string {
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README: no "${marker}"`);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`README: no bash block after "${marker}"`);
  return block[1];
}

/** Splits each line at its ` # comment` (never inside quotes: the README's comments follow whitespace). */
function parse(block: string): Command[] {
  const commands: Command[] = [];
  for (const raw of block.split('\n')) {
    const m = /^(.*?)(?:\s+#\s+(.*))?$/.exec(raw.trim())!;
    const line = m[1].trim();
    if (!line || line.startsWith('#')) continue;
    const comment = m[2] ?? '';
    const exit = /\bexit (\d+)\b/.exec(comment);
    const status = !exit ? /^(\d{3})\b/.exec(comment) : null;
    const body = /^\d{3} (\[\]|\{\})(?:\s|$)/.exec(comment);
    commands.push({
      line,
      exit: exit ? Number(exit[1]) : undefined,
      status: status ? Number(status[1]) : undefined,
      body: body?.[1],
      words: comment.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [],
      fields: [...comment.matchAll(/\b([a-z]+(?:_[a-z]+)+) (true|false)\b/g)].map((f) => [f[1], f[2] === 'true'] as [string, boolean]),
    });
  }
  return commands;
}

/**
 * The README's shell examples, run as written against the real server started the README's way
 * (`npm start`, with the embedded PostgreSQL in a fresh data directory): the first look with the
 * go-live switch and the gate rollout, stage by stage. Each command must give what its comment
 * says. Two things differ from a reader's terminal, neither in what the commands do: the server
 * listens on a free port (W is pointed at it), and it runs in this test's process group.
 */
describe('the README commands', () => {
  const spawn = useChildProcesses();
  let readme: string;
  let dataDir: string;

  beforeAll(async () => {
    buildDist();
    readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    dataDir = await mkdtemp(join(tmpdir(), 'warden-readme-'));
    await chmod(dataDir, 0o755); // the embedded PostgreSQL's initdb runs as the postgres user
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('first look and the four gate stages: every command answers as its comment says', async () => {
    const firstLook = parse(blockAfter(readme, 'A first look, with the go-live switch:'));
    const stages = parse(blockAfter(readme, '## Rolling out a gate policy'));
    expect(firstLook.length).toBeGreaterThanOrEqual(8);
    expect(stages.filter((c) => /^(curl|\.\/bin\/warden\.mjs) /.test(c.line)).length).toBeGreaterThanOrEqual(5);

    // Shell state the lines build up (`export X=...`, `T=...; W=...`), replayed before each command.
    const assignments: string[] = [];
    const port = await freePort();
    const W = `http://127.0.0.1:${port}`;
    const { NODE_OPTIONS: _jest, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = { ...inherited, PORT: String(port), WARDEN_DATA_DIR: dataDir };
    let server: ReturnType<typeof spawn> | undefined;
    const seen: string[] = [];

    for (const c of [...firstLook, ...stages]) {
      const start = /^((?:[A-Z_]+=\S+\s+)*)npm start &$/.exec(c.line);
      if (start) {
        // The README's own start line: its variables, the exported ones, then `npm start` in the background.
        const vars = Object.fromEntries(start[1].trim().split(/\s+/).filter(Boolean).map((a) => a.split('=') as [string, string]));
        const exported = await shell(`${assignments.join('\n')}\nenv -0`, { PATH: process.env.PATH });
        const shellEnv = Object.fromEntries(exported.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
        server = spawn('npm', ['start'], { cwd: ROOT, env: { ...env, ...shellEnv, PATH: env.PATH, ...vars } });
        await waitForHttp(`${W}/livez`, { child: server });
        seen.push('start');
        continue;
      }
      if (/^(export |[A-Z]+=)/.test(c.line)) {
        expect(c.line).not.toMatch(/\$\(|`/); // a plain assignment, safe to replay
        if (/\bW=/.test(c.line)) expect(c.line).toContain('W=http://127.0.0.1:3000'); // the default PORT
        assignments.push(c.line);
        continue;
      }
      expect({ line: c.line, runnable: /^(curl|\.\/bin\/warden\.mjs) /.test(c.line) }).toEqual({ line: c.line, runnable: true });
      if (c.line.startsWith('curl ')) expect(server).toBeDefined();
      // curl prints the status on a line of its own after the body; W points at the server's real port.
      const script = `${assignments.join('\n')}\nW=${W}\ncurl() { command curl -sS -w '\\n%{http_code}' "$@"; }\n${c.line}`;
      const r = await shell(script, env);
      const what = `${c.line}\n=> exit ${r.code}\n${r.stdout}\n${r.stderr}`;
      if (c.exit !== undefined) {
        expect({ what, code: r.code }).toEqual({ what, code: c.exit });
        seen.push(`exit ${c.exit}`);
        continue;
      }
      expect({ what, code: r.code }).toEqual({ what, code: 0 });
      if (!c.line.startsWith('curl ')) continue;
      const lines = r.stdout.trimEnd().split('\n');
      const status = Number(lines.pop());
      const body = lines.join('\n');
      if (c.status !== undefined) expect({ what, status }).toEqual({ what, status: c.status });
      else expect({ what, success: status >= 200 && status < 300 }).toEqual({ what, success: true });
      if (c.body !== undefined) expect({ what, body: body.trim() }).toEqual({ what, body: c.body });
      for (const word of c.words) expect({ what, has: body.includes(word) }).toEqual({ what, has: true });
      for (const [field, value] of c.fields) expect({ what, [field]: JSON.parse(body)[field] }).toEqual({ what, [field]: value });
      seen.push(String(status));
    }
    // Every kind of promise was checked at least once: the start, an exit code, a refusal, a success.
    expect(seen).toEqual(expect.arrayContaining(['start', 'exit 3', '403', '200']));

    // A clean first start warns about nothing (a uuid-ossp warning read as a broken install).
    await server!.stop();
    expect(server!.output().split('\n').filter((l) => /uuid-ossp|extension cannot be installed/.test(l))).toEqual([]);
  }, BUILD_TIMEOUT_MS + READY_TIMEOUT_MS);
});

/** Runs `script` with bash in the repository, never throwing: the exit code is part of the answer. */
async function shell(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', ['-c', script], { cwd: ROOT, env, timeout: 60_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
