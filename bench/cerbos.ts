/**
 * The Cerbos PDP for bench:gate-http: the binary shipped inside the npm package
 * @cerbos/cerbos-linux-x64 (a dev dependency), on loopback, with its local audit log on (access and
 * decision logs, written to disk) and a resource policy equivalent to the bench's gait policy:
 * tool.read allowed, tool.write held (a deny with the rule's output; Cerbos has no
 * require_approval), anything else denied.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, waitForHttp } from './support.js';

const POLICY = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: tool_call
  rules:
    - name: allow-reads
      actions: [invoke]
      effect: EFFECT_ALLOW
      roles: ["*"]
      condition:
        match:
          expr: request.resource.attr.tool_name == "tool.read"
      output:
        when:
          ruleActivated: '"matched_rule_allow_reads"'
    - name: approve-writes
      actions: [invoke]
      effect: EFFECT_DENY
      roles: ["*"]
      condition:
        match:
          expr: request.resource.attr.tool_name == "tool.write"
      output:
        when:
          ruleActivated: '"approval_required"'
`;

/** The same intent as Warden's, as a Cerbos CheckResources request (the intent's fields as resource attributes). */
export function cerbosRequest(intent: { tool_name: string; args: unknown; targets: unknown; arg_provenance: unknown; context: { identity: string; workspace: string; risk_class: string } }): string {
  return JSON.stringify({
    requestId: 'bench',
    principal: { id: intent.context.identity, roles: ['agent'] },
    resources: [
      {
        actions: ['invoke'],
        resource: {
          kind: 'tool_call',
          id: 'call-1',
          attr: { tool_name: intent.tool_name, args: intent.args, targets: intent.targets, arg_provenance: intent.arg_provenance, workspace: intent.context.workspace, risk_class: intent.context.risk_class },
        },
      },
    ],
  });
}

export interface CerbosServer {
  url: string;
  version: string;
  stop: () => Promise<void>;
}

export async function startCerbos(): Promise<CerbosServer> {
  const binary = join(dirname(createRequire(import.meta.url).resolve('@cerbos/cerbos-linux-x64/package.json')), 'cerbos-linux-x64');
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const root = await mkdtemp(join(tmpdir(), 'warden-bench-cerbos-'));
  await mkdir(join(root, 'policies'));
  await writeFile(join(root, 'policies', 'tool_call.yaml'), POLICY);
  const [http, grpc] = [await freePort(), await freePort()];
  const config = `server:
  httpListenAddr: "127.0.0.1:${http}"
  grpcListenAddr: "127.0.0.1:${grpc}"
storage:
  driver: disk
  disk:
    directory: ${join(root, 'policies')}
    watchForChanges: false
audit:
  enabled: true
  accessLogsEnabled: true
  decisionLogsEnabled: true
  backend: local
  local:
    storagePath: ${join(root, 'audit')}
telemetry:
  disabled: true
`;
  await writeFile(join(root, 'config.yaml'), config);
  // Its log (a line per request cancelled when a load run stops) is left out of the output.
  const child = spawn(binary, ['server', `--config=${join(root, 'config.yaml')}`], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${http}`;
  await waitForHttp(`${url}/_cerbos/health`, 30_000);
  return {
    url,
    version,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(root, { recursive: true, force: true });
    },
  };
}
