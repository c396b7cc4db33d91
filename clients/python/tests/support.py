"""Test support: the real Warden server as a child process, and a TCP proxy that can stall or drop.

The server is `node dist/apps/api/src/main.js` (built first by `bin/ensure-build.mjs`, which does
nothing when dist/ is current) with its embedded PostgreSQL in a fresh temporary directory, on a
free port, with a known admin token (WARDEN_BOOTSTRAP_TOKEN). Each server leads its own process
group (start_new_session); stopping it SIGTERMs the group, then SIGKILLs whatever is left of it and
of its descendants (PostgreSQL backends call setsid and leave the group), as test/support/spawn.ts
does. Servers are stopped by the test module's tearDownModule, by atexit, and on SIGTERM/SIGINT of
the test process; the node process also gets SIGKILL if the test process dies (PR_SET_PDEATHSIG).

Timeouts follow test/support/spawn.ts's measurements on the loaded 2-core machine (start 6-12 s at
load 5-9): READY_TIMEOUT 120 s, generous because a timeout is a false failure.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[3]
CLIENT_DIR = Path(__file__).resolve().parents[1]
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))

READY_TIMEOUT = 120.0
STOP_GRACE = 15.0
#: The test servers' heartbeat: 1 s (the default is 5 s), so a stale stream shows within seconds.
HEARTBEAT_MS = 1000
#: Five heartbeats: a stream on a loaded machine is never that late while alive.
STALENESS_BOUND = 5.0
GOV = "/api/governance"

_servers: set["WardenServer"] = set()
_built = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_built() -> None:
    global _built
    if not _built:
        subprocess.run([node(), str(ROOT / "bin/ensure-build.mjs"), "--quiet"], cwd=ROOT, check=True, timeout=600)
        _built = True


def node() -> str:
    return os.environ.get("WARDEN_NODE") or shutil.which("node") or "node"


def _pdeathsig() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _proc_table() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, pgrp, start) of every live process."""
    rows = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        f = stat[stat.rfind(")") + 2:].split(" ")
        if f[0] in ("Z", "X"):
            continue
        rows.append((int(name), int(f[1]), int(f[2]), f[19]))
    return rows


def _family(pgid: int) -> set[tuple[int, str]]:
    """The group's live members and all their descendants (those that left the group too)."""
    table = _proc_table()
    found = {(p, s) for p, _, g, s in table if g == pgid}
    grew = True
    while grew:
        pids = {p for p, _ in found}
        more = {(p, s) for p, pp, _, s in table if pp in pids and p not in pids}
        grew = bool(more)
        found |= more
    return found


def _alive(pid: int, start: str) -> bool:
    return any(p == pid and s == start for p, _, _, s in _proc_table())


class WardenServer:
    """A real Warden process. `start()` again after `stop()` restarts it on the same port and data."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = "wdn-test-admin-" + secrets.token_hex(12)
        self.tmp = Path(tempfile.mkdtemp(prefix="warden-py-"))
        os.chmod(self.tmp, 0o755)  # the embedded PostgreSQL's initdb runs as the postgres user
        self.data_dir = self.tmp / "data"
        self.log_path = self.tmp / "server.log"
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        _servers.add(self)

    def start(self) -> "WardenServer":
        ensure_built()
        env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
        env.update(PORT=str(self.port), HOST="127.0.0.1", WARDEN_DATA_DIR=str(self.data_dir), WARDEN_BOOTSTRAP_TOKEN=self.token,
                   LOG_LEVEL="warn", WARDEN_STREAM_HEARTBEAT_MS=str(HEARTBEAT_MS), **self.extra_env)
        env.pop("DATABASE_URL", None)
        with self._lock:
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen([node(), "dist/apps/api/src/main.js"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_pdeathsig)
            log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Warden exited ({self.proc.returncode}) before it was ready:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Warden not ready within {READY_TIMEOUT} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self, grace: float = STOP_GRACE) -> None:
        with self._lock:
            proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid
        family = _family(pgid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                family |= _family(pgid)
                if not any(g == pgid for _, _, g, _ in _proc_table()):
                    break
                time.sleep(0.05)
        family |= _family(pgid)
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
        for pid, start in family:
            if _alive(pid, start):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p, s) for p, s in family) and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self.stop()
        _servers.discard(self)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    # ------------------------------------------------------------------ admin calls (urllib, not the client under test)

    def http(self, method: str, path: str, body: Any = None, token: str | None = None, raw: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, Any]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token or self.token}", "Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """The test's own calls: a 503 (the server failing closed on a slow database, as a loaded machine
        makes a freshly started one) is asked again for up to a minute; any other non-2xx fails the test."""
        deadline = time.monotonic() + 60
        while True:
            status, answer = self.http(method, path, body, **kw)
            if status != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if status >= 300:
            raise AssertionError(f"{method} {path} answered {status}: {answer}")
        return answer

    def new_token(self, role: str, **binding: Any) -> str:
        answer = self.ok("POST", f"{GOV}/tokens", {"name": f"{role}-{secrets.token_hex(3)}", "role": role, **binding})
        return answer["token"]


def stop_all() -> None:
    for s in list(_servers):
        try:
            s.close()
        except Exception as e:  # keep stopping the others
            print(f"could not stop a Warden test server: {e}", file=sys.stderr)


atexit.register(stop_all)


def _on_signal(signum: int, _frame: Any) -> None:
    stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    if threading.current_thread() is threading.main_thread():
        signal.signal(_sig, _on_signal)


def wait_until(what: str, predicate: Callable[[], Any], timeout: float = 60.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


class TcpProxy:
    """A loopback TCP proxy in front of a port, for cutting a connection in ways a test controls.

    - `stall()` / `flow()`: while stalled, nothing is forwarded in either direction (bytes wait), on
      open and new connections alike: a peer that is up but silent, as a hung network looks.
    - `intercept(marker, when, action)`: one-shot; on the first request whose bytes contain
      `marker`, `action()` runs and the client's connection is then closed without an answer.
      `when="before"`: the request is not forwarded (lost on its way); `"after"`: it is forwarded and
      the server's answer is read and thrown away (done, but the client never learns it).
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._flowing = threading.Event()
        self._flowing.set()
        self._intercept: tuple[bytes, str, Callable[[], None]] | None = None
        self._lock = threading.Lock()
        self.intercepted = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._open: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self._flowing.clear()

    def flow(self) -> None:
        self._flowing.set()

    def intercept(self, marker: bytes, when: str, action: Callable[[], None]) -> None:
        assert when in ("before", "after")
        with self._lock:
            self._intercept = (marker, when, action)
        self.intercepted.clear()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        for s in [self._sock, *list(self._open)]:
            try:
                s.close()
            except OSError:
                pass

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._open.add(client)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            _hard_close(client)
            self._open.discard(client)
            return
        upstream.settimeout(None)
        self._open.add(upstream)
        swallow = threading.Event()  # set: the answer on this connection is read and dropped

        def up() -> None:
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    self._flowing.wait()
                    with self._lock:
                        hit = self._intercept if self._intercept and self._intercept[0] in data else None
                        if hit:
                            self._intercept = None
                    if hit and hit[1] == "before":
                        hit[2]()
                        self.intercepted.set()
                        _hard_close(client)
                        upstream.close()
                        return
                    if hit:
                        swallow.set()
                        self._pending_action = hit[2]
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    upstream.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        def down() -> None:
            try:
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        break
                    self._flowing.wait()
                    if swallow.is_set():
                        self._pending_action()
                        self.intercepted.set()
                        return
                    client.sendall(data)
            except OSError:
                pass
            finally:
                _hard_close(client)
                upstream.close()
                self._open.discard(client)
                self._open.discard(upstream)

        threading.Thread(target=up, daemon=True).start()
        down()


def _hard_close(s: socket.socket) -> None:
    """Close with a reset: the client sees the connection fail, not a clean end."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
