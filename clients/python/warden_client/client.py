"""WardenClient: reserve/settle/void, the gate, approvals, and the control-state cache."""

from __future__ import annotations

import threading
import time
import uuid
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from .errors import ApprovalRejected, ApprovalTimeout, GateBlocked, GovernanceUnavailable, WardenError, from_response
from .stream import DEFAULT_STALENESS_BOUND, ControlState
from .transport import RetryPolicy, Transport

GOV = "/api/governance"
Amount = str | int | Decimal


def new_key(prefix: str = "py") -> str:
    """An idempotency key (the server's rule: 1-200 of [A-Za-z0-9._:-])."""
    return f"{prefix}-{uuid.uuid4().hex}"


def _amount(v: Amount) -> str:
    if isinstance(v, float):
        raise TypeError("amounts are exact: pass a str, int or Decimal, not a float")
    return str(v)


@dataclass(frozen=True)
class GateDecision:
    """The gate's answer: `verdict` is allow, dry_run, block or pending (the server's require_approval)."""

    verdict: str
    reason_codes: list[str]
    approval_id: str | None
    status: int
    body: dict[str, Any] = field(repr=False)

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"

    @property
    def pending(self) -> bool:
        return self.verdict == "pending"

    def raise_unless_allowed(self) -> "GateDecision":
        if self.verdict == "allow":
            return self
        if self.verdict == "pending":
            raise ApprovalRejected("the gate requires an approval that has not been granted", status=self.status,
                                   code="approval_pending", reason_codes=self.reason_codes, approval_id=self.approval_id,
                                   approval_status="pending", body=self.body)
        raise GateBlocked(str(self.body.get("message") or f"the gate answered {self.verdict}"), status=self.status,
                          code=self.body.get("error") or "gate_blocked", reason_codes=self.reason_codes,
                          details=self.body.get("details"), body=self.body, decision=self)


class WardenClient:
    """One Warden server, one token.

    `retry` bounds every retried call (503 or a network failure, the same request and key again).
    `identity` is the gate identity this client claims by default (an engine token may claim only
    its own name or the `identities` of its binding).
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0, retry: RetryPolicy = RetryPolicy(),
                 identity: str | None = None, workspace: str = "/", policy: str | None = None) -> None:
        self.transport = Transport(base_url, token, timeout=timeout, retry=retry)
        self.identity = identity
        self.workspace = workspace
        self.policy = policy
        self.cache: ControlState | None = None
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ risk guard

    def reserve(self, engine: str, amount: Amount, *, correlation_id: str | None = None, reason: str | None = None,
                dry_run: bool = False) -> dict[str, Any]:
        """Reserves risk before acting. Retried with the same key on 503 / network failure, so it reserves
        at most once; `idempotent_replay` in the answer says a retry found the original. Raises RiskDenied
        (with every failing cap in `reason_codes`) when refused."""
        body: dict[str, Any] = {"engine": engine, "amount": _amount(amount), "correlation_id": correlation_id or new_key("res")}
        if reason is not None:
            body["reason"] = reason
        if dry_run:
            body["dry_run"] = True
        return self.transport.call("POST", f"{GOV}/risk/check-and-reserve", body, idempotent=True)

    def settle(self, realized_loss: Amount, *, reservation_id: str | None = None, correlation_id: str | None = None) -> dict[str, Any]:
        """Settles a reservation (by its id or its key) with the loss the action realized; a repeat with the
        same loss answers the original, so it is retried like reserve."""
        return self.transport.call("POST", f"{GOV}/risk/settle", {**_ref(reservation_id, correlation_id), "realized_loss": _amount(realized_loss)},
                                   idempotent=True)

    def void(self, reason: str, *, reservation_id: str | None = None, correlation_id: str | None = None, engine: str | None = None) -> dict[str, Any]:
        """Releases a reservation that will never be settled (operator role); a replay writes nothing twice."""
        body = {**_ref(reservation_id, correlation_id), "reason": reason}
        if engine is not None:
            body["engine"] = engine
        return self.transport.call("POST", f"{GOV}/risk/void", body, idempotent=True)

    # ------------------------------------------------------------------ gate

    def intent(self, tool: str, risk_class: str, *, targets: list[dict[str, Any]] | None = None, args: Mapping[str, Any] | None = None,
               identity: str | None = None, workspace: str | None = None, **context: Any) -> dict[str, Any]:
        """A gait intent (`gait.gate.intent_request` 1.0.0) with this client's identity and workspace."""
        who = identity or self.identity
        if not who:
            raise ValueError("an intent needs an identity: pass identity= here or to WardenClient")
        return {
            "schema_id": "gait.gate.intent_request",
            "schema_version": "1.0.0",
            "tool_name": tool,
            "args": dict(args or {}),
            "targets": list(targets or []),
            "arg_provenance": [],
            "context": {"identity": who, "workspace": workspace or self.workspace, "risk_class": risk_class, **context},
        }

    def evaluate(self, intent: Mapping[str, Any], *, policy: str | None = None, approval_id: str | None = None, engine: str | None = None,
                 amount: Amount | None = None, reserve: bool = False, correlation_id: str | None = None, domain: str | None = None,
                 recommendation_id: str | None = None, simulate: bool = False) -> GateDecision:
        """POST /gate/evaluate: allow, dry_run, block (reasons in `reason_codes`) or pending (`approval_id`).

        A block is an answer, not an exception (`raise_unless_allowed()` turns it into GateBlocked);
        other refusals (400, 401, a token not bound) raise. Retried on 503 and on a refused connection;
        after a request may have reached the server only when it is keyed (`reserve` with its
        `correlation_id`), since an evaluation otherwise records a decision (and may file an approval).
        """
        body: dict[str, Any] = {"intent": dict(intent)}
        for k, v in (("policy", policy or self.policy), ("approval_id", approval_id), ("engine", engine), ("correlation_id", correlation_id),
                     ("domain", domain), ("recommendation_id", recommendation_id)):
            if v is not None:
                body[k] = v
        if amount is not None:
            body["amount"] = _amount(amount)
        if reserve:
            body["reserve"] = True
            body.setdefault("correlation_id", new_key("gate"))
        if simulate:
            body["simulate"] = True
        res = self.transport.request("POST", f"{GOV}/gate/evaluate", body, idempotent=reserve)
        b = res.body if isinstance(res.body, dict) else {}
        verdict = b.get("verdict")
        if res.status in (200, 202, 403) and isinstance(verdict, str):
            shown = "pending" if verdict == "require_approval" else verdict
            return GateDecision(shown, list(b.get("reason_codes") or []), b.get("approval_id"), res.status, b)
        raise from_response(res.status, res.body)

    def wait_for_approval(self, approval_id: str, timeout: float, *, poll: float = 1.0, cancel_on_timeout: bool = True) -> dict[str, Any]:
        """Waits until the request is approved and answers it. Rejected, expired or cancelled raise
        ApprovalRejected; running out of `timeout` raises ApprovalTimeout (a rejection: the request is
        cancelled, best effort, so nobody approves an act no one is waiting for any more).

        Polls `GET /approvals/{id}` every `poll` seconds, and at once when the stream (if subscribed)
        brings a decision on it."""
        deadline = time.monotonic() + timeout
        woke = threading.Event()
        remove = self.cache.add_listener(lambda t, ev: woke.set() if (ev.get("data") or {}).get("approval_id") == approval_id else None) if self.cache else None
        try:
            while True:
                try:
                    req = self.transport.call("GET", f"{GOV}/approvals/{urllib.parse.quote(approval_id, safe='')}")
                except GovernanceUnavailable:
                    req = None  # keep waiting within the timeout; a server that stays away is a timeout
                status = req.get("status") if isinstance(req, dict) else None
                if status == "approved":
                    return req  # type: ignore[return-value]
                if status in ("rejected", "expired", "cancelled"):
                    raise ApprovalRejected(f"approval {approval_id} was {status}", code=f"approval_{status}", reason_codes=[f"approval_{status}"],
                                           approval_id=approval_id, approval_status=status, body=req)
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                woke.wait(min(poll, left))
                woke.clear()
        finally:
            if remove:
                remove()
        if cancel_on_timeout:
            try:
                self.transport.call("POST", f"{GOV}/approvals/{urllib.parse.quote(approval_id, safe='')}/cancel", {"reason": "the requester stopped waiting (timeout)"})
            except WardenError:
                pass  # decided meanwhile, or unreachable: the grant is never consumed by this client either way
        raise ApprovalTimeout(f"no decision on approval {approval_id} within {timeout:g} s: treated as a rejection", code="approval_timeout",
                              reason_codes=["approval_timeout"], approval_id=approval_id, approval_status="pending")

    def evaluate_and_wait(self, intent: Mapping[str, Any], *, approval_timeout: float, **kw: Any) -> GateDecision:
        """evaluate; when pending, wait for the approval, then re-submit the same request with it (the
        grant is consumed by that re-submission). Answers the final decision (allow, dry_run or block)."""
        if kw.get("reserve") and not kw.get("correlation_id"):
            kw["correlation_id"] = new_key("gate")  # one key for the first call and the re-submission
        first = self.evaluate(intent, **kw)
        if not first.pending:
            return first
        if not first.approval_id:
            raise WardenError("the gate answered pending without an approval id", status=first.status, body=first.body)
        self.wait_for_approval(first.approval_id, approval_timeout)
        final = self.evaluate(intent, approval_id=first.approval_id, **kw)
        if final.pending:  # approved but not yet valid for this request: fail closed
            raise ApprovalRejected("the approval did not turn the intent into an allow", code="approval_pending",
                                   reason_codes=final.reason_codes, approval_id=first.approval_id, approval_status="approved", body=final.body)
        return final

    # ------------------------------------------------------------------ control-state cache

    def subscribe(self, *, staleness_bound: float = DEFAULT_STALENESS_BOUND, wait: float | None = None) -> ControlState:
        """Starts the stream (once) and answers the cache; `wait` seconds for the first snapshot if given."""
        with self._cache_lock:
            if self.cache is None:
                self.cache = ControlState(self.transport, staleness_bound=staleness_bound).start()
        if wait is not None:
            self.cache.wait_until_fresh(wait)
        return self.cache

    def kill_switch_engaged(self) -> bool:
        """From memory. True (fail closed) when not subscribed, before the first snapshot, or when the
        stream has been silent longer than its staleness bound."""
        cache = self.cache
        return True if cache is None else cache.kill_switch_engaged()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> "WardenClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _ref(reservation_id: str | None, correlation_id: str | None) -> dict[str, str]:
    if (reservation_id is None) == (correlation_id is None):
        raise ValueError("give exactly one of reservation_id and correlation_id")
    return {"reservation_id": reservation_id} if reservation_id is not None else {"correlation_id": correlation_id}  # type: ignore[dict-item]
