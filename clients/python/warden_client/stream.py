"""The local cache of Warden's control state, fed by `GET /api/governance/stream` (SSE).

The server sends a snapshot, then one event per change, and a `: hb` comment every heartbeat
(5 s by default). Anything heard (an event or a heartbeat) proves the stream alive; once nothing
has been heard for `staleness_bound` seconds the cache is stale and every answer fails closed:
`kill_switch_engaged()` is True, `engine_enabled()` and `prod_use_enabled()` are False. The reader
then drops the connection and reconnects with `Last-Event-ID`, so nothing is missed (the server
replays every event after it, or sends a fresh snapshot when it cannot prove completeness).
"""

from __future__ import annotations

import copy
import http.client
import json
import logging
import random
import socket
import threading
import time
from typing import Any, Callable

from .sse import SSEEvent, SSEParser
from .transport import Transport

log = logging.getLogger("warden_client.stream")

STREAM_PATH = "/api/governance/stream"
#: The server's default heartbeat is 5 s; twice that is the bound docs/stream.md promises.
DEFAULT_STALENESS_BOUND = 10.0

Listener = Callable[[str, dict[str, Any]], None]


class ControlState:
    """Subscribes on `start()` in a daemon thread; every read answers from memory."""

    def __init__(self, transport: Transport, *, staleness_bound: float = DEFAULT_STALENESS_BOUND,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if staleness_bound <= 0:
            raise ValueError("staleness_bound must be positive")
        self._transport = transport
        self.staleness_bound = staleness_bound
        self._clock = clock
        self._lock = threading.Condition()
        self._state: dict[str, dict[str, Any]] | None = None
        self._heard_at: float | None = None
        self._last_event_id: str | None = None
        self._retry_s = 1.0
        self._listeners: list[Listener] = []
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: http.client.HTTPConnection | None = None
        self.last_error: str | None = None
        self.connects = 0

    # ------------------------------------------------------------------ reads (from memory)

    def is_stale(self) -> bool:
        with self._lock:
            return self._stale_locked()

    def _stale_locked(self) -> bool:
        return self._state is None or self._heard_at is None or self._clock() - self._heard_at > self.staleness_bound

    def silent_for(self) -> float | None:
        """Seconds since anything was heard on the stream (None: never)."""
        with self._lock:
            return None if self._heard_at is None else self._clock() - self._heard_at

    def kill_switch_engaged(self) -> bool:
        """True when engaged, and when the cache cannot vouch for the opposite (no snapshot yet, or stale)."""
        with self._lock:
            if self._stale_locked():
                return True
            return self._state.get("go_live", {}).get("kill_switch_engaged") is not False  # type: ignore[union-attr]

    def go_live_enabled(self) -> bool:
        with self._lock:
            return not self._stale_locked() and self._state.get("go_live", {}).get("go_live_enabled") is True  # type: ignore[union-attr]

    def engine_enabled(self, engine: str) -> bool:
        """The engine's risk policy (and GLOBAL's) enabled, as far as this token may see; False when stale or unknown."""
        with self._lock:
            if self._stale_locked():
                return False
            risk = self._state.get("risk", {})  # type: ignore[union-attr]
            return all(risk.get(e, {}).get("enabled") is True for e in {engine.upper(), "GLOBAL"})

    def prod_use_enabled(self, domain: str) -> bool:
        """Heimdall's `prod_use_enabled` for the domain; False when stale or unknown."""
        with self._lock:
            if self._stale_locked():
                return False
            return self._state.get("heimdall", {}).get(domain.upper(), {}).get("prod_use_enabled") is True  # type: ignore[union-attr]

    def snapshot(self) -> dict[str, Any] | None:
        """A copy of the whole cached state (None before the first snapshot), stale or not."""
        with self._lock:
            return copy.deepcopy(self._state)

    @property
    def last_event_id(self) -> str | None:
        with self._lock:
            return self._last_event_id

    def wait_for(self, predicate: Callable[["ControlState"], bool], timeout: float) -> bool:
        """Waits until `predicate(self)` holds (checked on every event, heartbeat and every 50 ms)."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._lock:
                self._lock.wait(min(left, 0.05))

    def wait_until_fresh(self, timeout: float) -> bool:
        return self.wait_for(lambda s: not s.is_stale(), timeout)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Calls `listener(type, event)` for every delta (approval decisions included); returns the remover."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return remove

    # ------------------------------------------------------------------ the reader

    def start(self) -> "ControlState":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="warden-stream", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._closed.set()
        self._drop_connection()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _drop_connection(self) -> None:
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _run(self) -> None:
        failures = 0
        while not self._closed.is_set():
            try:
                if self._read_stream():
                    failures = 0
                else:
                    failures += 1
            except (OSError, http.client.HTTPException, ValueError) as e:
                # A read timeout lands here too: nothing heard for the bound, so reconnect.
                self.last_error = f"{type(e).__name__}: {e}"
                failures += 1
            finally:
                conn, self._conn = self._conn, None
                if conn is not None:
                    conn.close()
            # Backoff on repeated failures, but never longer than the staleness bound: a stream that is
            # back (a stalled proxy flowing again) is resumed within about two bounds, not half a minute.
            cap = min(30.0, max(1.0, self.staleness_bound))
            delay = min(cap, self._retry_s * (2 ** min(failures, 5))) if failures > 1 else self._retry_s
            self._closed.wait(random.uniform(delay / 2, delay))

    def _read_stream(self) -> bool:
        """One connection: True if it got a 200 and read from it."""
        # Reads time out at the bound: a connection silent that long is dead to us anyway.
        conn = self._transport.connection(timeout=self.staleness_bound)
        self._conn = conn
        if self._closed.is_set():
            return True
        headers = self._transport.headers({"Accept": "text/event-stream", "Cache-Control": "no-store"})
        last = self.last_event_id
        if last is not None:
            headers["Last-Event-ID"] = last
        conn.request("GET", self._transport.prefix + STREAM_PATH, headers=headers)
        if self._closed.is_set():  # closed while connecting: close() found no socket to shut down
            return True
        res = conn.getresponse()
        if res.status != 200:
            body = res.read(4096).decode("utf-8", "replace")
            self.last_error = f"stream answered {res.status}: {body[:200]}"
            log.warning("warden stream: %s", self.last_error)
            return False
        self.connects += 1
        self.last_error = None
        parser = SSEParser()
        parser.last_event_id = last
        while not self._closed.is_set():
            line = res.readline(1 << 20)
            if not line:
                return True  # the server ended the stream (shutdown, revoked token): reconnect
            ev = parser.feed(line.decode("utf-8", "replace"))
            if parser.retry_ms is not None:
                self._retry_s = max(0.1, parser.retry_ms / 1000)
            with self._lock:
                # Only a complete line counts as heard: half a line from a stalled peer proves nothing.
                if line.endswith(b"\n"):
                    self._heard_at = self._clock()
                self._lock.notify_all()
            if ev is not None:
                self._apply(ev)
        return True

    def _apply(self, ev: SSEEvent) -> None:
        payload = json.loads(ev.data) if ev.data else {}
        listeners: list[Listener] = []
        with self._lock:
            if ev.event == "snapshot":
                state = payload.get("state") or {}
                self._state = {k: dict(v) for k, v in state.items() if isinstance(v, dict)}
            elif self._state is not None and isinstance(payload, dict):
                _set(self._state, payload.get("lever"), payload.get("data") or {})
            self._last_event_id = ev.id
            listeners = list(self._listeners)
            self._lock.notify_all()
        if ev.event != "snapshot":
            for listener in listeners:
                try:
                    listener(ev.event, payload)
                except Exception:  # a listener's bug must not stop the stream
                    log.exception("warden stream listener failed")


# Which key of an event's data names its item in the lever's section (a delta sets state: applying
# one twice is harmless). go_live is one row; approvals are not state.
_ITEM_KEY = {"risk": "engine", "heimdall": "domain", "gate": "name"}


def _set(state: dict[str, dict[str, Any]], lever: Any, data: dict[str, Any]) -> None:
    if lever == "go_live":
        state["go_live"] = {**state.get("go_live", {}), **data}
    elif lever in _ITEM_KEY and isinstance(data.get(_ITEM_KEY[lever]), str):
        section = state.setdefault(lever, {})
        key = data[_ITEM_KEY[lever]]
        section[key] = {**section.get(key, {}), **data}
