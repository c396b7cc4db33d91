"""Typed errors. Each carries the HTTP status, the server's stable `error` code and its reason codes.

The server answers every error as `{statusCode, error, message, reason_codes?, details?}`
(docs in the repository's DESIGN "Errors"); `from_response` picks the class by that code first,
then by status, so a caller can `except RiskDenied` or read `.reason_codes` on any of them.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence


class WardenError(Exception):
    """Any refusal or failure from Warden (or of reaching it)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        reason_codes: Sequence[str] = (),
        details: Any = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.reason_codes: list[str] = list(reason_codes)
        self.details = details
        self.body = body

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"[{self.code}]")
        if self.reason_codes:
            parts.append("reason_codes=" + ",".join(self.reason_codes))
        return " ".join(parts)


class GovernanceUnavailable(WardenError):
    """503, or Warden could not be reached within the retry bound: fail closed, nothing may be assumed done."""


class Unauthorized(WardenError):
    """401: no token, an unknown or revoked one."""


class Forbidden(WardenError):
    """403 that is not one of the more specific refusals below (wrong role, token not bound, ...)."""


class KillSwitchEngaged(Forbidden):
    """The kill switch is engaged (told by the server, or by the local cache: engaged or stale)."""


class RiskDenied(Forbidden):
    """403 risk_denied: the reservation was refused; `reason_codes` names every failing cap."""


class GateBlocked(Forbidden):
    """The gate's verdict is block; `decision` is the whole answer (trace, violations, ...)."""

    def __init__(self, message: str, *, decision: Any = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.decision = decision


class ApprovalRejected(Forbidden):
    """An approval this call waited on ended without a grant: rejected, expired, cancelled or timed out."""

    def __init__(self, message: str, *, approval_id: str | None = None, approval_status: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.approval_id = approval_id
        self.approval_status = approval_status


class ApprovalTimeout(ApprovalRejected):
    """The wait ran out: a timeout is a rejection (reason code `approval_timeout`)."""


class ValidationFailed(WardenError):
    """400: the request was malformed; nothing changed."""


class NotFound(WardenError):
    """404."""


class Conflict(WardenError):
    """409 that is not an idempotency conflict (e.g. reservation_not_open)."""


class IdempotencyConflict(Conflict):
    """409 idempotency_conflict: the key was used before with another request. Use a new key."""


_BY_CODE: dict[str, type[WardenError]] = {
    "governance_unavailable": GovernanceUnavailable,
    "kill_switch_engaged": KillSwitchEngaged,
    "risk_denied": RiskDenied,
    "gate_blocked": GateBlocked,
    "idempotency_conflict": IdempotencyConflict,
    "validation_failed": ValidationFailed,
}

_BY_STATUS: dict[int, type[WardenError]] = {
    400: ValidationFailed,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    503: GovernanceUnavailable,
}


def from_response(status: int, body: Any) -> WardenError:
    """The typed error for a non-2xx answer."""
    b: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    code = b.get("error") if isinstance(b.get("error"), str) else None
    cls = _BY_CODE.get(code or "") or _BY_STATUS.get(status) or (GovernanceUnavailable if status >= 500 else WardenError)
    message = b.get("message") if isinstance(b.get("message"), str) else f"Warden answered {status}"
    reasons = b.get("reason_codes") if isinstance(b.get("reason_codes"), list) else ([code] if code else [])
    kw: dict[str, Any] = dict(status=status, code=code, reason_codes=reasons, details=b.get("details"), body=body)
    if cls is GateBlocked:
        return GateBlocked(message, decision=body, **kw)
    return cls(message, **kw)
