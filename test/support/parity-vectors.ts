/**
 * Test vectors for the compatibility tests (issue 19): the inputs of the public projects' own
 * examples and tests, transcribed as strings so that a test can hand them to Warden's CLI as files
 * and compare Warden's digests, verdicts and exit codes with the values those projects publish.
 * They are written to a fresh temporary folder at test time (`materialize`); nothing here is run.
 *
 * gait (Clyra-AI/gait at e994fb43):
 * # gait fixtures (pinning tests)
 *
 * Data files from gait (GitHub `Clyra-AI/gait`, MIT) at commit
 * `e994fb436a2cedbf522d3b09dcda728a1315e08e` (2026-02-06), the commit Warden's gate parity is pinned
 * to. Each file keeps the path it has in gait's repository:
 *
 * - `examples/policy/base_{low,medium,high}_risk.yaml`, `examples/policy/intents/intent_{read,write,delete}.json`
 * - `examples/policy-test/{allow,block,require_approval}.yaml`, `examples/policy-test/intent.json`
 * - `core/gate/testdata/intent_{equivalent_a,equivalent_b,different}.json`
 * - `internal/integration/testdata/gate_eval_trace_verify.golden.json`
 *
 * Two files are transcriptions, not copies: `internal/integration/testdata/integration_intent.json`
 * is `integrationIntentFixture()` and `integration_policy.yaml` the policy of
 * `TestGateEvalTraceVerifyFlow`, both in gait's `internal/integration/artifacts_test.go` at that
 * commit; the golden file records what gait computed from them. Used by `test/gait-seed-parity.spec.ts`.
 * No gait code is in this repository.
 *
 * menace (Demi-urge/menace_sandbox):
 * # menace fixtures
 *
 * Data copied from GitHub `Demi-urge/menace_sandbox` (reference data, no code):
 *
 * - `deployment_governance.yaml`: `config/deployment_governance.yaml` at `2b8d0fc8b4a9a31e2ca670f66606aa55d3cfd2a6`, unchanged.
 * - `test_promotion.scorecard.json`: the scorecard of `tests/test_deployment_governance.py::test_promotion`
 *   (fixture `promotion_case`, at `00867217df3e8f5f1e8a5e8dbf3b246b7313f522`), whose expected result is
 *   `verdict == "promote"`, `reason_codes == []`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GAIT_SEED_FILES: Readonly<Record<string, string>> = {
  "core/gate/testdata/intent_different.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-05T00:00:00Z\",\n  \"producer_version\": \"0.0.0-dev\",\n  \"tool_name\": \"tool.write\",\n  \"args\": {\n    \"path\": \"/tmp/out.txt\",\n    \"payload\": {\n      \"tags\": [\"alpha\", \"beta\"],\n      \"x\": 2\n    }\n  },\n  \"targets\": [\n    { \"kind\": \"path\", \"value\": \"/tmp/out.txt\", \"operation\": \"write\" },\n    { \"kind\": \"host\", \"value\": \"api.internal\" }\n  ],\n  \"arg_provenance\": [\n    { \"arg_path\": \"args.payload\", \"source\": \"tool_output\", \"source_ref\": \"trace_2\" },\n    { \"arg_path\": \"args.path\", \"source\": \"user\" }\n  ],\n  \"context\": {\n    \"identity\": \"alice\",\n    \"workspace\": \"/repo/work\",\n    \"risk_class\": \"high\",\n    \"session_id\": \"s1\"\n  }\n}\n",
  "core/gate/testdata/intent_equivalent_a.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-05T00:00:00Z\",\n  \"producer_version\": \"0.0.0-dev\",\n  \"tool_name\": \"tool.write\",\n  \"args\": {\n    \"path\": \" /tmp/out.txt \",\n    \"payload\": {\n      \"tags\": [\"alpha\", \"beta\"],\n      \"x\": 1\n    }\n  },\n  \"targets\": [\n    { \"kind\": \"path\", \"value\": \" /tmp/out.txt \", \"operation\": \"write\" },\n    { \"kind\": \"host\", \"value\": \"api.internal\" }\n  ],\n  \"arg_provenance\": [\n    { \"arg_path\": \"args.payload\", \"source\": \"tool_output\", \"source_ref\": \"trace_2\" },\n    { \"arg_path\": \"args.path\", \"source\": \"user\" }\n  ],\n  \"context\": {\n    \"identity\": \"alice\",\n    \"workspace\": \"/repo/work\",\n    \"risk_class\": \"HIGH\",\n    \"session_id\": \"s1\"\n  }\n}\n",
  "core/gate/testdata/intent_equivalent_b.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-05T12:00:00Z\",\n  \"producer_version\": \"0.1.0\",\n  \"tool_name\": \"  tool.write  \",\n  \"args\": {\n    \"payload\": {\n      \"x\": 1,\n      \"tags\": [\"alpha\", \"beta\"]\n    },\n    \"path\": \"/tmp/out.txt\"\n  },\n  \"targets\": [\n    { \"kind\": \"host\", \"value\": \" api.internal \" },\n    { \"kind\": \"path\", \"value\": \"/tmp/out.txt\", \"operation\": \"WRITE\" },\n    { \"kind\": \"path\", \"value\": \"/tmp/out.txt\", \"operation\": \"write\" }\n  ],\n  \"arg_provenance\": [\n    { \"arg_path\": \"args.path\", \"source\": \" user \" },\n    { \"arg_path\": \"args.payload\", \"source\": \"TOOL_OUTPUT\", \"source_ref\": \"trace_2\" }\n  ],\n  \"context\": {\n    \"identity\": \" alice \",\n    \"workspace\": \"/repo/work\",\n    \"risk_class\": \" high \",\n    \"session_id\": \"s1\"\n  }\n}\n",
  "examples/policy-test/allow.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: allow\n",
  "examples/policy-test/block.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: block\n",
  "examples/policy-test/intent.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-05T00:00:00Z\",\n  \"producer_version\": \"0.0.0-example\",\n  \"tool_name\": \"tool.write\",\n  \"args\": {\n    \"path\": \"/tmp/out.txt\",\n    \"content\": \"hello\"\n  },\n  \"targets\": [\n    {\n      \"kind\": \"path\",\n      \"value\": \"/tmp/out.txt\"\n    }\n  ],\n  \"arg_provenance\": [\n    {\n      \"arg_path\": \"$.path\",\n      \"source\": \"user\"\n    }\n  ],\n  \"context\": {\n    \"identity\": \"example-user\",\n    \"workspace\": \"/tmp/workspace\",\n    \"risk_class\": \"high\"\n  }\n}\n",
  "examples/policy-test/require_approval.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: require_approval\n",
  "examples/policy/base_high_risk.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: block\nrules:\n  - name: block-destructive-tool-delete\n    priority: 10\n    effect: block\n    match:\n      tool_names: [tool.delete]\n    reason_codes: [destructive_tool_blocked]\n    violations: [destructive_operation]\n  - name: require-approval-tool-write\n    priority: 20\n    effect: require_approval\n    min_approvals: 2\n    require_distinct_approvers: true\n    match:\n      tool_names: [tool.write]\n    reason_codes: [approval_required_for_write]\n    violations: [approval_required]\n  - name: allow-safe-tool-read\n    priority: 30\n    effect: allow\n    match:\n      tool_names: [tool.read]\n      risk_classes: [low]\n    reason_codes: [safe_read_allowed]\n",
  "examples/policy/base_low_risk.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: allow\nrules:\n  - name: block-destructive-tool-delete\n    priority: 10\n    effect: block\n    match:\n      tool_names: [tool.delete]\n    reason_codes: [destructive_tool_blocked]\n    violations: [destructive_operation]\n  - name: require-approval-tool-write\n    priority: 20\n    effect: require_approval\n    min_approvals: 1\n    match:\n      tool_names: [tool.write]\n    reason_codes: [approval_required_for_write]\n    violations: [approval_required]\n  - name: allow-safe-tool-read\n    priority: 30\n    effect: allow\n    match:\n      tool_names: [tool.read]\n    reason_codes: [safe_read_allowed]\n",
  "examples/policy/base_medium_risk.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: require_approval\nrules:\n  - name: block-destructive-tool-delete\n    priority: 10\n    effect: block\n    match:\n      tool_names: [tool.delete]\n    reason_codes: [destructive_tool_blocked]\n    violations: [destructive_operation]\n  - name: require-approval-tool-write\n    priority: 20\n    effect: require_approval\n    min_approvals: 1\n    match:\n      tool_names: [tool.write]\n    reason_codes: [approval_required_for_write]\n    violations: [approval_required]\n  - name: allow-safe-tool-read\n    priority: 30\n    effect: allow\n    match:\n      tool_names: [tool.read]\n      risk_classes: [low, medium]\n    reason_codes: [safe_read_allowed]\n",
  "examples/policy/intents/intent_delete.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-06T00:00:00Z\",\n  \"producer_version\": \"0.0.0-example\",\n  \"tool_name\": \"tool.delete\",\n  \"args\": {\n    \"path\": \"/tmp/out.txt\"\n  },\n  \"targets\": [\n    {\n      \"kind\": \"path\",\n      \"value\": \"/tmp/out.txt\"\n    }\n  ],\n  \"arg_provenance\": [\n    {\n      \"arg_path\": \"$.path\",\n      \"source\": \"user\"\n    }\n  ],\n  \"context\": {\n    \"identity\": \"example-user\",\n    \"workspace\": \"/tmp/workspace\",\n    \"risk_class\": \"high\"\n  }\n}\n",
  "examples/policy/intents/intent_read.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-06T00:00:00Z\",\n  \"producer_version\": \"0.0.0-example\",\n  \"tool_name\": \"tool.read\",\n  \"args\": {\n    \"path\": \"/tmp/input.txt\"\n  },\n  \"targets\": [\n    {\n      \"kind\": \"path\",\n      \"value\": \"/tmp/input.txt\"\n    }\n  ],\n  \"arg_provenance\": [\n    {\n      \"arg_path\": \"$.path\",\n      \"source\": \"user\"\n    }\n  ],\n  \"context\": {\n    \"identity\": \"example-user\",\n    \"workspace\": \"/tmp/workspace\",\n    \"risk_class\": \"low\"\n  }\n}\n",
  "examples/policy/intents/intent_write.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-06T00:00:00Z\",\n  \"producer_version\": \"0.0.0-example\",\n  \"tool_name\": \"tool.write\",\n  \"args\": {\n    \"path\": \"/tmp/out.txt\",\n    \"content\": \"hello\"\n  },\n  \"targets\": [\n    {\n      \"kind\": \"path\",\n      \"value\": \"/tmp/out.txt\"\n    }\n  ],\n  \"arg_provenance\": [\n    {\n      \"arg_path\": \"$.path\",\n      \"source\": \"user\"\n    }\n  ],\n  \"context\": {\n    \"identity\": \"example-user\",\n    \"workspace\": \"/tmp/workspace\",\n    \"risk_class\": \"high\"\n  }\n}\n",
  "internal/integration/testdata/gate_eval_trace_verify.golden.json": "{\n  \"intent_digest\": \"6660565b20fa03709e635691a7673921ff7ba20a2b731a162f6f7e63c6b5bb3b\",\n  \"policy_digest\": \"f4581f55c41a3ee69b316c95f66fbfc293ae7f06e6458491e3ca232dfb26608c\",\n  \"reason_codes\": [\n    \"blocked_external\"\n  ],\n  \"trace_id\": \"1b16531a60fcae7245255cda\",\n  \"verdict\": \"block\",\n  \"violations\": [\n    \"external_target\"\n  ]\n}\n",
  "internal/integration/testdata/integration_intent.json": "{\n  \"schema_id\": \"gait.gate.intent_request\",\n  \"schema_version\": \"1.0.0\",\n  \"created_at\": \"2026-02-05T00:00:00Z\",\n  \"producer_version\": \"0.0.0-test\",\n  \"tool_name\": \"tool.write\",\n  \"args\": { \"path\": \"/tmp/out.txt\" },\n  \"targets\": [{ \"kind\": \"host\", \"value\": \"api.external.com\" }],\n  \"arg_provenance\": [{ \"arg_path\": \"$.path\", \"source\": \"user\" }],\n  \"context\": { \"identity\": \"alice\", \"workspace\": \"/repo/gait\", \"risk_class\": \"high\" }\n}\n",
  "internal/integration/testdata/integration_policy.yaml": "schema_id: gait.gate.policy\nschema_version: 1.0.0\ndefault_verdict: allow\nrules:\n  - name: block-external-host\n    priority: 10\n    effect: block\n    match:\n      tool_names: [tool.write]\n      target_kinds: [host]\n      target_values: [api.external.com]\n    reason_codes: [blocked_external]\n    violations: [external_target]\n",
};

export const MENACE_FILES: Readonly<Record<string, string>> = {
  "deployment_governance.yaml": "# Source: GitHub Demi-urge/menace_sandbox, config/deployment_governance.yaml at 2b8d0fc8b4a9a31e2ca670f66606aa55d3cfd2a6 (copied unchanged below this line).\n# Optional deployment governance rules.\n# Each rule provides a decision, a Python expression evaluated against\n# the available metrics and a reason code identifying the trigger.\n\n- decision: promote\n  condition: \"raroi > 2.0 and confidence > 0.9 and min_scenario >= 0.5\"\n  reason_code: strong_candidate\n- decision: pilot\n  condition: \"sandbox_roi < 0.1 and adapter_roi >= 1.0\"\n  reason_code: micro_pilot\n- decision: demote\n  condition: \"confidence is not None and confidence < 0.2\"\n  reason_code: low_confidence\n- decision: no_go\n  condition: \"raroi is not None and raroi < 0.2\"\n  reason_code: poor_raroi\n",
  "test_promotion.scorecard.json": "{\n  \"scenario_scores\": { \"s\": 0.8 },\n  \"alignment_status\": \"pass\",\n  \"raroi\": 1.2,\n  \"confidence\": 0.8\n}\n",
};

/** Writes `files` (relative path to text) under a new temporary folder and returns it. */
export function materialize(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'warden-vectors-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
