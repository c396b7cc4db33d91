"""The gate through the client and `require_governance`, against a real server: allow, block with
its reasons, pending with an approval wait (a timeout is a rejection), approval by another person."""

import asyncio
import threading
import unittest

from support import GOV, STALENESS_BOUND, WardenServer, wait_until
from warden_client import ApprovalRejected, ApprovalTimeout, GateBlocked, KillSwitchEngaged, WardenClient, require_governance

POLICY = """schema_id: gait.gate.policy
schema_version: 1.0.0
default_verdict: block
rules:
  - name: allow-reads
    priority: 10
    effect: allow
    match:
      tool_names: [tool.read]
  - name: approve-deploys
    priority: 20
    effect: require_approval
    match:
      tool_names: [deploy_model]
    reason_codes: [approval_required_for_deploy]
  - name: deny-deletes
    priority: 5
    effect: block
    match:
      tool_names: [tool.delete]
    reason_codes: [delete_forbidden]
"""
IDENTITY = "agent-py"
server: WardenServer
engine_token: str


def setUpModule():
    global server, engine_token
    server = WardenServer().start()
    server.ok("PUT", f"{GOV}/gate/policies/default", raw=POLICY.encode(), content_type="application/yaml")
    # The requester: an engine token claiming IDENTITY. The approver: the admin, another person.
    engine_token = server.new_token("engine", identities=[IDENTITY])


def tearDownModule():
    server.close()


def approval(approval_id: str) -> dict:
    return server.ok("GET", f"{GOV}/approvals/{approval_id}")


def decide_next(decision: str = "approve") -> threading.Thread:
    """In the background: the next pending gate approval is decided by the admin."""
    def run():
        def pending():
            items = server.ok("GET", f"{GOV}/approvals?status=pending&kind=gate_intent")["items"]
            return items[0] if items else None
        item = wait_until("a pending gate approval", pending, timeout=60)
        server.ok("POST", f"{GOV}/approvals/{item.get('id') or item.get('approval_id')}/{decision}", {"reason": "py test"})
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


class GateTest(unittest.TestCase):
    def setUp(self):
        self.client = WardenClient(server.url, engine_token, identity=IDENTITY, workspace="/srv/app")

    def tearDown(self):
        self.client.close()

    def read(self):
        return self.client.intent("tool.read", "medium", targets=[{"kind": "path", "value": "/srv/app/config.yaml", "operation": "read"}])

    def test_allow(self):
        d = self.client.evaluate(self.read())
        self.assertEqual((d.verdict, d.reason_codes, d.status), ("allow", ["matched_rule_allow_reads"], 200))
        self.assertIs(d.raise_unless_allowed(), d)

    def test_block_with_its_reasons(self):
        d = self.client.evaluate(self.client.intent("tool.delete", "high", targets=[{"kind": "path", "value": "/srv/app", "operation": "delete"}]))
        self.assertEqual((d.verdict, d.reason_codes, d.status), ("block", ["delete_forbidden"], 403))
        with self.assertRaises(GateBlocked) as caught:
            d.raise_unless_allowed()
        self.assertEqual(caught.exception.reason_codes, ["delete_forbidden"])

    def test_pending_then_a_timeout_is_a_rejection_and_the_request_is_cancelled(self):
        d = self.client.evaluate(self.client.intent("deploy_model", "high"))
        self.assertEqual(d.verdict, "pending")
        self.assertIn("approval_required_for_deploy", d.reason_codes)
        self.assertTrue(d.approval_id)
        with self.assertRaises(ApprovalTimeout) as caught:
            self.client.wait_for_approval(d.approval_id, timeout=1.5, poll=0.2)
        self.assertIsInstance(caught.exception, ApprovalRejected)
        self.assertEqual(caught.exception.reason_codes, ["approval_timeout"])
        self.assertEqual(approval(d.approval_id)["status"], "cancelled")  # nobody can approve it any more

    def test_pending_approved_by_another_person_then_allowed_once(self):
        decider = decide_next("approve")
        d = self.client.evaluate_and_wait(self.client.intent("deploy_model", "high"), approval_timeout=60)
        decider.join(5)
        self.assertEqual(d.verdict, "allow")
        self.assertIn("approval_granted", d.reason_codes)
        self.assertEqual(approval(d.approval_id)["status"], "approved")
        again = self.client.evaluate(self.client.intent("deploy_model", "high"), approval_id=d.approval_id)
        self.assertIn("approval_already_used", again.reason_codes)  # the grant was consumed by the re-submission

    def test_a_rejection_raises_approval_rejected(self):
        decider = decide_next("reject")
        with self.assertRaises(ApprovalRejected) as caught:
            self.client.evaluate_and_wait(self.client.intent("deploy_model", "high"), approval_timeout=60)
        decider.join(5)
        self.assertNotIsInstance(caught.exception, ApprovalTimeout)
        self.assertEqual((caught.exception.approval_status, caught.exception.reason_codes), ("rejected", ["approval_rejected"]))

    def test_the_stream_wakes_the_approval_wait(self):
        # Polling every 1,000 s: only the stream's approval.approved event can end this wait in time.
        self.client.subscribe(staleness_bound=STALENESS_BOUND, wait=30)
        d = self.client.evaluate(self.client.intent("deploy_model", "high"))
        decider = decide_next("approve")
        answer = self.client.wait_for_approval(d.approval_id, timeout=60, poll=1000)
        decider.join(5)
        self.assertEqual(answer["status"], "approved")


class RequireGovernanceTest(unittest.TestCase):
    def setUp(self):
        self.client = WardenClient(server.url, engine_token, identity=IDENTITY, workspace="/srv/models")
        self.calls: list[tuple] = []

    def tearDown(self):
        self.client.close()
        server.ok("POST", f"{GOV}/go-live/kill-switch/release", {"reason": "py test"})

    def governed(self, action: str, risk: str, **kw):
        @require_governance(action, risk, client=self.client, approval_timeout=kw.pop("approval_timeout", 60), **kw)
        def act(actor, resource, **kwargs):
            self.calls.append((actor, resource))
            return {"success": True}
        return act

    def test_runs_on_allow(self):
        self.assertEqual(self.governed("tool.read", "low")("bot", "model-7"), {"success": True})
        self.assertEqual(self.calls, [("bot", "model-7")])

    def test_does_not_run_on_block(self):
        with self.assertRaises(GateBlocked) as caught:
            self.governed("tool.delete", "high")("bot", "model-7")
        self.assertEqual(caught.exception.reason_codes, ["delete_forbidden"])
        self.assertEqual(self.calls, [])

    def test_does_not_run_when_the_approval_times_out(self):
        with self.assertRaises(ApprovalTimeout):
            self.governed("deploy_model", "high", approval_timeout=1.5)("bot", "model-7")
        self.assertEqual(self.calls, [])

    def test_runs_once_approved(self):
        decider = decide_next("approve")
        self.assertEqual(self.governed("deploy_model", "high")("bot", "model-7"), {"success": True})
        decider.join(5)
        self.assertEqual(self.calls, [("bot", "model-7")])

    def test_async_functions_are_governed_too(self):
        @require_governance("tool.read", "low", client=self.client)
        async def read(actor, resource):
            self.calls.append((actor, resource))
            return "read"

        @require_governance("tool.delete", "high", client=self.client)
        async def delete(actor, resource):
            self.calls.append(("deleted", resource))

        self.assertEqual(asyncio.run(read("bot", "cfg")), "read")
        with self.assertRaises(GateBlocked):
            asyncio.run(delete("bot", "cfg"))
        self.assertEqual(self.calls, [("bot", "cfg")])

    def test_the_kill_switch_stops_it_from_the_cache_and_from_the_gate(self):
        server.ok("POST", f"{GOV}/go-live/kill-switch/engage", {"reason": "py test"})
        act = self.governed("tool.read", "low")
        with self.assertRaises(GateBlocked) as by_gate:  # not subscribed: the gate itself refuses
            act("bot", "model-7")
        self.assertIn("kill_switch_engaged", by_gate.exception.reason_codes)
        cache = self.client.subscribe(staleness_bound=STALENESS_BOUND, wait=30)
        self.assertTrue(cache.wait_for(lambda c: not c.is_stale(), 30))
        with self.assertRaises(KillSwitchEngaged) as by_cache:  # subscribed: refused from memory
            act("bot", "model-7")
        self.assertEqual(by_cache.exception.reason_codes, ["kill_switch_engaged"])
        self.assertEqual(self.calls, [])


if __name__ == "__main__":
    unittest.main()
