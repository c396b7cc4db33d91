"""Warden's Python client (standard library only): idempotent reserve/settle/void with bounded retry,
the gate with approval waits, a control-state cache fed by the stream, and `require_governance`."""

from .client import GateDecision, WardenClient, new_key
from .errors import (
    ApprovalRejected,
    ApprovalTimeout,
    Conflict,
    Forbidden,
    GateBlocked,
    GovernanceUnavailable,
    IdempotencyConflict,
    KillSwitchEngaged,
    NotFound,
    RiskDenied,
    Unauthorized,
    ValidationFailed,
    WardenError,
)
from .governance import require_governance
from .sse import SSEEvent, SSEParser
from .stream import DEFAULT_STALENESS_BOUND, ControlState
from .transport import NO_RETRY, RetryPolicy

__all__ = [
    "ApprovalRejected", "ApprovalTimeout", "Conflict", "ControlState", "DEFAULT_STALENESS_BOUND", "Forbidden", "GateBlocked",
    "GateDecision", "GovernanceUnavailable", "IdempotencyConflict", "KillSwitchEngaged", "NO_RETRY", "NotFound", "RetryPolicy",
    "RiskDenied", "SSEEvent", "SSEParser", "Unauthorized", "ValidationFailed", "WardenClient", "WardenError", "new_key",
    "require_governance",
]
__version__ = "0.1.0"
