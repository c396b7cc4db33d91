"""The control-state cache against a real server: it follows the stream, and fails closed when cut.

The server runs with a 1 s heartbeat; the cache's staleness bound is 5 s (five heartbeats). The
stream goes through a local TCP proxy that can stall: the connection stays open and silent, as a
hung network looks (no error ever reaches the client), the case only the bound can catch.
"""

import unittest

from support import GOV, STALENESS_BOUND, TcpProxy, WardenServer, wait_until
from warden_client import WardenClient

server: WardenServer
proxy: TcpProxy
#: Waits for something that happens at once when all is well; generous for a loaded 2-core machine.
SOON = 30.0


def setUpModule():
    global server, proxy
    server = WardenServer().start()
    proxy = TcpProxy(server.port)


def tearDownModule():
    proxy.close()
    server.close()


def engage(reason="test"):
    server.ok("POST", f"{GOV}/go-live/kill-switch/engage", {"reason": reason})


def release(reason="test"):
    server.ok("POST", f"{GOV}/go-live/kill-switch/release", {"reason": reason})


class CacheTest(unittest.TestCase):
    def setUp(self):
        proxy.flow()
        release()
        self.client = WardenClient(proxy.url, server.new_token("engine"))

    def tearDown(self):
        self.client.close()
        proxy.flow()

    def test_not_subscribed_or_before_the_snapshot_is_engaged(self):
        self.assertTrue(self.client.kill_switch_engaged())  # no cache at all: fail closed
        cache = self.client.subscribe(staleness_bound=STALENESS_BOUND, wait=SOON)
        self.assertFalse(cache.is_stale(), cache.last_error)
        self.assertFalse(self.client.kill_switch_engaged())

    def test_an_engage_flips_the_cache_and_a_release_flips_it_back(self):
        cache = self.client.subscribe(staleness_bound=STALENESS_BOUND, wait=SOON)
        self.assertFalse(self.client.kill_switch_engaged(), cache.last_error)
        engage("py cache flip")
        # Pushed: the stream delivers it well inside the bound (bench:stream measures how fast).
        self.assertTrue(cache.wait_for(lambda c: c.snapshot()["go_live"]["kill_switch_engaged"] is True, STALENESS_BOUND))
        self.assertFalse(cache.is_stale())
        self.assertTrue(self.client.kill_switch_engaged())
        release("py cache flip")
        self.assertTrue(cache.wait_for(lambda c: not c.kill_switch_engaged(), STALENESS_BOUND))
        self.assertEqual(cache.snapshot()["go_live"]["reason"], "py cache flip")

    def test_engine_and_heimdall_state_follow_the_stream(self):
        cache = self.client.subscribe(staleness_bound=STALENESS_BOUND, wait=SOON)
        self.assertTrue(cache.engine_enabled("wholesale"))
        self.assertFalse(cache.engine_enabled("NOTIFY"))  # seeded disabled
        self.assertFalse(cache.engine_enabled("NO_SUCH_ENGINE"))
        self.assertFalse(cache.prod_use_enabled("WHOLESALE_OFFER"))  # seeded off
        policy = server.ok("GET", f"{GOV}/heimdall/policies")
        row = next(p for p in (policy["items"] if isinstance(policy, dict) else policy) if p["domain"] == "WHOLESALE_OFFER")
        server.ok("POST", f"{GOV}/heimdall/policies/upsert", {**{k: row[k] for k in ("domain", "min_confidence", "min_trials", "min_success_rate")}, "prod_use_enabled": True})
        try:
            self.assertTrue(cache.wait_for(lambda c: c.prod_use_enabled("WHOLESALE_OFFER"), STALENESS_BOUND))
        finally:
            server.ok("POST", f"{GOV}/heimdall/policies/upsert", {**{k: row[k] for k in ("domain", "min_confidence", "min_trials", "min_success_rate")}, "prod_use_enabled": False})
        self.assertTrue(cache.wait_for(lambda c: not c.prod_use_enabled("WHOLESALE_OFFER"), STALENESS_BOUND))

    def test_a_stalled_stream_fails_closed_after_the_bound_then_resumes_missing_nothing(self):
        cache = self.client.subscribe(staleness_bound=STALENESS_BOUND, wait=SOON)
        self.assertFalse(self.client.kill_switch_engaged(), cache.last_error)
        proxy.stall()
        # Heartbeats keep it fresh right up to the cut.
        self.assertFalse(self.client.kill_switch_engaged())
        # Engaged and released while the client hears nothing: the state it holds says released.
        engage("during the stall")
        release("during the stall")
        wait_until("the cache to go stale", cache.is_stale, timeout=STALENESS_BOUND + SOON)
        self.assertEqual(cache.snapshot()["go_live"]["kill_switch_engaged"], False)  # what it last heard...
        self.assertTrue(self.client.kill_switch_engaged())  # ...is not vouched for: fail closed
        seen: list[str] = []
        cache.add_listener(lambda t, ev: seen.append(t))
        proxy.flow()
        # Fresh again, and both changes made during the stall arrive, in order: on a new connection
        # with Last-Event-ID, or, when the flow came back just before the reader's timeout dropped the
        # old connection, on that connection (the proxy held the server's bytes; a race after a loaded
        # jest run, seen twice in CI). Either way nothing is missed.
        wait_until("the stream to resume", lambda: not cache.is_stale(), timeout=SOON)
        wait_until("the replayed events", lambda: seen[:2] == ["kill_switch.engaged", "kill_switch.released"], timeout=SOON)
        self.assertFalse(self.client.kill_switch_engaged())

    def test_a_stopped_server_fails_closed_after_the_bound(self):
        own = WardenServer().start()
        client = WardenClient(own.url, own.token)
        try:
            cache = client.subscribe(staleness_bound=STALENESS_BOUND, wait=SOON)
            self.assertFalse(client.kill_switch_engaged(), cache.last_error)
            own.stop()
            wait_until("the cache to go stale", cache.is_stale, timeout=STALENESS_BOUND + SOON)
            self.assertTrue(client.kill_switch_engaged())
            self.assertFalse(cache.engine_enabled("WHOLESALE"))
            own.start()  # back on the same port and data: the cache recovers by itself
            wait_until("the stream to come back", lambda: not cache.is_stale(), timeout=SOON)
            self.assertFalse(client.kill_switch_engaged())
        finally:
            client.close()
            own.close()


if __name__ == "__main__":
    unittest.main()
