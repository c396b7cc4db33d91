"""HTTP over the standard library, with the one retry rule: 503 or a network failure, same request, bounded.

A retried request is sent byte for byte again, so it carries the same idempotency key: the server
answers a repeat with the original outcome (`idempotent_replay: true`) or does the work once. Only
calls that are idempotent on the server are retried after the request may have been sent; others
are retried only when it certainly was not (the connection was refused).
"""

from __future__ import annotations

import http.client
import json
import random
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import GovernanceUnavailable, from_response


@dataclass(frozen=True)
class RetryPolicy:
    """At most `attempts` sends, and none started after `deadline` seconds from the first.

    Backoff doubles from `initial_backoff` to `max_backoff`, with full jitter; a `Retry-After`
    header (seconds) is honoured within `max_backoff`.
    """

    attempts: int = 6
    deadline: float = 30.0
    initial_backoff: float = 0.2
    max_backoff: float = 5.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_backoff, self.initial_backoff * (2**attempt)))


NO_RETRY = RetryPolicy(attempts=1, deadline=0.0)


class _NotSent(Exception):
    """The connection could not be made: the request never reached the server."""


@dataclass
class Response:
    status: int
    body: Any
    headers: Mapping[str, str]


class Transport:
    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0, retry: RetryPolicy = RetryPolicy(),
                 ssl_context: ssl.SSLContext | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        u = urllib.parse.urlsplit(base_url.rstrip("/"))
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port or (443 if u.scheme == "https" else 80)
        self.prefix = u.path
        self.token = token
        self.timeout = timeout
        self.retry = retry
        self.ssl_context = ssl_context
        self._sleep = sleep

    def connection(self, timeout: float | None = None) -> http.client.HTTPConnection:
        t = self.timeout if timeout is None else timeout
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=t, context=self.ssl_context or ssl.create_default_context())
        return http.client.HTTPConnection(self.host, self.port, timeout=t)

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", "User-Agent": "warden-client-python/0.1"}
        h.update(extra or {})
        return h

    def _send_once(self, method: str, path: str, payload: bytes | None, headers: Mapping[str, str]) -> Response:
        conn = self.connection()
        try:
            try:
                conn.connect()
            except OSError as e:  # refused, unreachable, connect timeout: nothing was sent
                raise _NotSent(str(e)) from e
            conn.request(method, self.prefix + path, body=payload, headers=dict(headers))
            res = conn.getresponse()
            raw = res.read()
            text = raw.decode("utf-8", "replace")
            try:
                body: Any = json.loads(text) if text else None
            except ValueError:
                body = text
            return Response(res.status, body, {k.lower(): v for k, v in res.getheaders()})
        finally:
            conn.close()

    def request(self, method: str, path: str, body: Any = None, *, headers: Mapping[str, str] | None = None,
                idempotent: bool = False, retry: RetryPolicy | None = None) -> Response:
        """Sends and answers the final response (any status). Raises GovernanceUnavailable when Warden
        could not be reached (or kept answering 503) within the retry bound.

        `idempotent`: the server answers a repeat of this exact request with the original outcome, so
        a failure after sending (a reset, a timeout, a 503 whose commit is unknown) is retried too.
        """
        policy = retry or self.retry
        payload = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        h = self.headers({"Content-Type": "application/json"} if payload is not None else None)
        h.update(headers or {})
        started = time.monotonic()
        last: Exception | Response | None = None
        for attempt in range(max(1, policy.attempts)):
            if attempt > 0:
                wait = policy.backoff(attempt - 1)
                if isinstance(last, Response) and (ra := last.headers.get("retry-after", "")).isdigit():
                    wait = min(policy.max_backoff, float(ra))
                if time.monotonic() + wait - started > policy.deadline:
                    break
                self._sleep(wait)
            try:
                res = self._send_once(method, path, payload, h)
            except _NotSent as e:
                last = e
                continue
            except (OSError, http.client.HTTPException) as e:  # sent, outcome unknown
                last = e
                if idempotent:
                    continue
                raise GovernanceUnavailable(f"{method} {path}: the connection failed after sending; the outcome is unknown ({e})",
                                            code="governance_unavailable", reason_codes=["governance_unavailable"]) from e
            if res.status == 503 and (idempotent or _nothing_done(res.body)):
                last = res
                continue
            return res
        if isinstance(last, Response):
            raise from_response(last.status, last.body)
        raise GovernanceUnavailable(f"{method} {path}: Warden could not be reached within the retry bound ({last})",
                                    code="governance_unavailable", reason_codes=["governance_unavailable"])

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """`request`, raising the typed error for any non-2xx answer; the body otherwise."""
        res = self.request(method, path, body, **kw)
        if res.status >= 300:
            raise from_response(res.status, res.body)
        return res.body


def _nothing_done(body: Any) -> bool:
    """A 503 means nothing was done, except when the server says a commit's outcome is unknown."""
    details = body.get("details") if isinstance(body, dict) else None
    return not (isinstance(details, dict) and details.get("commit_outcome") == "unknown")



