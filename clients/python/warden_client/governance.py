"""`require_governance(action, risk_level)`: the wrapped function runs only when Warden allows it.

The grace seed's decorator ("no autonomous action bypasses governance"):

    @require_governance(action="deploy_model", risk_level="high", client=warden)
    async def deploy_model(actor, resource, **kwargs): ...

Before each call: the local cache (when subscribed) must vouch that the kill switch is released,
else KillSwitchEngaged and no call; then the gate judges the intent (tool = action, risk class =
risk_level). allow runs the function; block raises GateBlocked with the reason codes; pending waits
for the approval up to `approval_timeout` (a timeout is a rejection: ApprovalTimeout) and re-submits
the intent with the grant, running the function only if that answers allow. Works on plain and
async functions (the blocking calls of an async one run in a worker thread).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Any, Callable, Mapping, TypeVar

from .client import WardenClient
from .errors import KillSwitchEngaged

F = TypeVar("F", bound=Callable[..., Any])
IntentHook = Callable[..., Mapping[str, Any]]


def require_governance(action: str, risk_level: str, *, client: WardenClient | Callable[[], WardenClient],
                       approval_timeout: float = 300.0, identity: str | None = None, workspace: str | None = None,
                       targets: Callable[..., list[dict[str, Any]]] | None = None, gate: IntentHook | None = None) -> Callable[[F], F]:
    """`client`: the WardenClient, or a function answering it (resolved at call time).

    `targets(*args, **kwargs)` gives the intent's targets (default: a `resource` argument, if any, as an
    `other` target operated on by `action`); `gate(*args, **kwargs)` extra `evaluate` arguments
    (engine, amount, reserve, correlation_id, domain, recommendation_id, policy)."""

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            c = client() if callable(client) and not isinstance(client, WardenClient) else client
            if c.cache is not None and c.cache.kill_switch_engaged():
                stale = c.cache.is_stale()
                raise KillSwitchEngaged(f"{action}: the kill switch is {'not known to be released (stream stale)' if stale else 'engaged'}",
                                        code="kill_switch_engaged", reason_codes=["kill_switch_engaged"] + (["control_state_stale"] if stale else []))
            intent = c.intent(action, risk_level, targets=targets(*args, **kwargs) if targets else _default_targets(signature, action, args, kwargs),
                              identity=identity, workspace=workspace)
            extra = dict(gate(*args, **kwargs)) if gate else {}
            c.evaluate_and_wait(intent, approval_timeout=approval_timeout, **extra).raise_unless_allowed()

        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                await asyncio.to_thread(check, args, kwargs)
                return await fn(*args, **kwargs)
            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            return fn(*args, **kwargs)
        return run  # type: ignore[return-value]

    return decorate


def _default_targets(signature: inspect.Signature, action: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        bound = signature.bind_partial(*args, **kwargs).arguments
    except TypeError:
        bound = dict(kwargs)
    resource = bound.get("resource")
    return [{"kind": "other", "value": str(resource), "operation": action}] if resource is not None else []
