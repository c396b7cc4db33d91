"""Reserve, settle and void through failures of the real server: each retry carries the same key,
and the ledger shows the work done exactly once.

Failures are real: the server process stopped and started again (same port, same data) while a
request is in flight, its PostgreSQL frozen (SIGSTOP) so that it answers 503, and a TCP proxy in
front of it that loses a request on its way, or the answer on its way back.
"""

import os
import secrets
import signal
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support import GOV, READY_TIMEOUT, TcpProxy, WardenServer, _family, wait_until
from warden_client import IdempotencyConflict, RetryPolicy, RiskDenied, WardenClient

server: WardenServer
proxy: TcpProxy
#: Enough to outlast a restart of the server on a loaded machine (start measured 6-12 s at load 5-9).
THROUGH_RESTART = RetryPolicy(attempts=100_000, deadline=READY_TIMEOUT + 60, initial_backoff=0.05, max_backoff=1.0)


def setUpModule():
    global server, proxy
    server = WardenServer().start()
    proxy = TcpProxy(server.port)


def tearDownModule():
    proxy.close()
    server.close()


def fresh_engine() -> str:
    engine = "PY_" + secrets.token_hex(6).upper()
    server.ok("POST", f"{GOV}/risk/policies/upsert",
              {"engine": engine, "enabled": True, "max_daily_exposure": "1000", "max_open_risk": "1000", "max_daily_loss": "100"})
    return engine


def events(engine: str, kind: str) -> list[dict]:
    return server.ok("GET", f"{GOV}/risk/events?engine={engine}&kind={kind}&limit=500")["items"]


def usage(engine: str) -> dict:
    row = next(e for e in server.ok("GET", f"{GOV}/risk/ledger/today")["engines"] if e["engine"] == engine)
    return row["usage"]


class RecordingClient(WardenClient):
    """The client under test, with every answer's status noted (the transport itself is untouched)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.statuses: list[int | str] = []
        send = self.transport._send_once

        def noted(*args, **kwargs):
            try:
                res = send(*args, **kwargs)
            except Exception as e:
                self.statuses.append(type(e).__name__)
                raise
            self.statuses.append(res.status)
            return res
        self.transport._send_once = noted  # type: ignore[method-assign]


class ThroughFailuresTest(unittest.TestCase):
    def setUp(self):
        self.engine = fresh_engine()
        self.client = RecordingClient(proxy.url, server.token, retry=THROUGH_RESTART)

    def through_restart(self, call, when: str, marker: bytes):
        """Runs `call` while the proxy, on the request matching `marker`, stops the server (before
        forwarding it, or after the server answered); the server is then started again."""
        proxy.intercept(marker, when, server.stop)
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(call)
            self.assertTrue(proxy.intercepted.wait(60), "the request never reached the proxy")
            server.start()
            return future.result(timeout=THROUGH_RESTART.deadline + 30)

    def test_reserve_whose_answer_was_lost_across_a_restart_reserves_once(self):
        answer = self.through_restart(lambda: self.client.reserve(self.engine, "25", reason="py restart"), "after", b"/risk/check-and-reserve")
        self.assertEqual(answer["outcome"], "allowed")
        self.assertIs(answer["idempotent_replay"], True)  # the retry found the original
        self.assertGreaterEqual(len(self.client.statuses), 2)
        [event] = [e for e in events(self.engine, "reserve")]
        self.assertEqual((event["outcome"], event["correlation_id"], event["reservation_id"]), ("allowed", answer["correlation_id"], answer["reservation_id"]))
        self.assertEqual((usage(self.engine)["actions_count"], usage(self.engine)["open_risk_reserved"]), (1, "25"))

    def test_reserve_lost_before_the_server_across_a_restart_reserves_once(self):
        answer = self.through_restart(lambda: self.client.reserve(self.engine, "30"), "before", b"/risk/check-and-reserve")
        self.assertIs(answer["idempotent_replay"], False)  # the first request never arrived
        self.assertEqual(len(events(self.engine, "reserve")), 1)
        self.assertEqual(usage(self.engine)["open_risk_reserved"], "30")

    def test_settle_whose_answer_was_lost_across_a_restart_settles_once(self):
        reservation = self.client.reserve(self.engine, "40")
        answer = self.through_restart(lambda: self.client.settle("5", correlation_id=reservation["correlation_id"]), "after", b"/risk/settle")
        self.assertEqual(answer["outcome"], "settled")
        self.assertEqual(len(events(self.engine, "settle")), 1)
        u = usage(self.engine)
        self.assertEqual((u["open_risk_reserved"], u["realized_loss"], u["actions_count"]), ("0", "5", 1))

    def test_a_503_from_a_frozen_database_is_retried_with_the_same_key(self):
        postgres = [(pid, start) for pid, start in _family(server.proc.pid) if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"]
        self.assertTrue(postgres)
        client = RecordingClient(server.url, server.token, retry=THROUGH_RESTART)
        pool = ThreadPoolExecutor(1)
        for pid, _ in postgres:
            os.kill(pid, signal.SIGSTOP)
        try:
            future = pool.submit(client.reserve, self.engine, "15")
            wait_until("a 503 from the frozen server", lambda: 503 in client.statuses, timeout=60)  # it failed closed...
        finally:
            for pid, _ in postgres:
                os.kill(pid, signal.SIGCONT)
        answer = future.result(timeout=THROUGH_RESTART.deadline)  # ...and the retry, same key, went through once thawed
        pool.shutdown()
        self.assertEqual(answer["outcome"], "allowed")
        self.assertEqual(client.statuses[-1], 201)
        self.assertEqual(len(events(self.engine, "reserve")), 1)
        self.assertEqual(usage(self.engine)["open_risk_reserved"], "15")

    def test_a_denial_is_typed_with_its_reason_codes_and_not_retried(self):
        with self.assertRaises(RiskDenied) as caught:
            self.client.reserve(self.engine, "5000")
        self.assertEqual(caught.exception.status, 403)
        self.assertIn("engine_exposure_cap", caught.exception.reason_codes)
        self.assertEqual(self.client.statuses, [403])

    def test_a_key_reused_with_another_amount_is_an_idempotency_conflict(self):
        first = self.client.reserve(self.engine, "10", correlation_id="py-key-" + secrets.token_hex(4))
        with self.assertRaises(IdempotencyConflict) as caught:
            self.client.reserve(self.engine, "11", correlation_id=first["correlation_id"])
        self.assertEqual(caught.exception.status, 409)
        self.assertIs(self.client.reserve(self.engine, "10", correlation_id=first["correlation_id"])["idempotent_replay"], True)

    def test_void_releases_a_reservation_once(self):
        reservation = self.client.reserve(self.engine, "20")
        voided = self.client.void("abandoned", reservation_id=reservation["reservation_id"])
        again = self.client.void("abandoned", reservation_id=reservation["reservation_id"])
        self.assertEqual(voided["reservation"]["status"], "voided")
        self.assertEqual(again["reservation"]["status"], "voided")
        self.assertEqual(len(events(self.engine, "void")), 1)
        self.assertEqual(usage(self.engine)["open_risk_reserved"], "0")


if __name__ == "__main__":
    unittest.main()
