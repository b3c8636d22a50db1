"""The Authorizer contract, the policy input, and the cache + audit wrapper every engine gets."""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, get_args, runtime_checkable

from mcp_common.auth._principal import Principal
from mcp_common.errors import PolicyEngineError
from mcp_common.observability._logging import audit, get_logger

__all__ = [
    "Action",
    "AuthorizationRequest",
    "Authorizer",
    "CachingAuthorizer",
    "Decision",
    "PolicyFacts",
]

Action = Literal["read", "write", "execute"]
ACTIONS: tuple[Action, ...] = get_args(Action)

_log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """What the policy decides on: who, on which server/resource, which action, which tool."""

    principal: Principal
    server: str
    resource: str
    action: str
    tool: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    # What the server looked up for this call (`PolicyFacts`), as extra top-level input keys.
    facts: Mapping[str, Any] = field(default_factory=dict)

    def policy_input(self) -> dict[str, Any]:
        """The `input` document given to Rego (same for the embedded and remote engines).

        Facts never replace the request's own keys (who, what, which tool, which arguments).
        """
        return {
            **self.facts,
            "subject": self.principal.subject,
            "groups": sorted(self.principal.groups),
            "mfa": self.principal.mfa,
            "client_id": self.principal.client_id,
            "on_behalf_of": self.principal.on_behalf_of,
            # RFC 8693 delegation: the workloads acting for `subject`, current actor first.
            "actors": list(self.principal.actors),
            "server": self.server,
            "resource": self.resource,
            "action": self.action,
            "tool": self.tool,
            "arguments": dict(self.arguments),
        }

    def cache_key(self) -> str:
        """Stable key for the decision cache: everything the policy reads."""
        raw = json.dumps(self.policy_input(), sort_keys=True, default=str)
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@runtime_checkable
class PolicyFacts(Protocol):
    """Facts from outside the token a server looks up for one tool call, for the policy.

    Asked before the policy decides each call (not for tools/list); the answer's keys join
    the policy input (e.g. `change`: the change record a deployment names). Raise a
    `PlatformError` whose message says what could not be established: the call is then
    refused with that reason (fail closed), never decided without the facts.
    """

    async def facts(
        self, principal: Principal, tool: str, arguments: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """The extra input keys for this call ({} when the server has none to add)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(frozen=True, slots=True)
class Decision:
    """A policy answer. `allowed` is False whenever the engine failed (fail closed)."""

    allowed: bool
    engine: str
    reason: str = ""
    duration_ms: float = 0.0
    cached: bool = False
    # Why the policy denied (its `reasons` rule), when the engine can say; () otherwise.
    reasons: tuple[str, ...] = ()


@runtime_checkable
class Authorizer(Protocol):
    """Decides whether a request is allowed. Implementations raise `PolicyEngineError`."""

    name: str

    async def decide(self, request: AuthorizationRequest) -> bool:
        """Return the policy's answer; raise PolicyEngineError when there is none."""
        ...

    async def ready(self) -> bool:
        """True when the engine can decide (policy compiled / OPA reachable)."""
        ...

    async def aclose(self) -> None:
        """Release resources."""
        ...


class CachingAuthorizer:
    """Wraps an engine: short-TTL decision cache, deny on any error, one audit event each."""

    def __init__(
        self,
        engine: Authorizer,
        *,
        ttl_seconds: float = 5.0,
        max_entries: int = 10_000,
        metrics: Any = None,
    ) -> None:
        if ttl_seconds < 0:
            raise ValueError("ttl_seconds must be >= 0")
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self.engine = engine
        self.name = engine.name
        self._ttl = ttl_seconds
        self._max = max_entries
        self._cache: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._metrics = metrics

    async def authorize(
        self, request: AuthorizationRequest, *, audit_event: bool = True
    ) -> Decision:
        """Decide, from cache when fresh; any engine failure is a deny."""
        start = time.perf_counter()
        key = request.cache_key() if self._ttl else ""
        cached = self._cache.get(key) if self._ttl else None
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            decision = Decision(cached[1], self.name, "cached", _ms(start), cached=True)
        else:
            try:
                allowed = bool(await self.engine.decide(request))
                reason = "policy"
            except PolicyEngineError as exc:
                allowed, reason = False, f"engine error: {exc}"
            except Exception as exc:  # fail closed on anything unexpected
                _log.warning("policy engine failed", extra={"error.type": type(exc).__name__})
                allowed, reason = False, "engine error"
            if self._ttl and reason == "policy":
                self._cache[key] = (now + self._ttl, allowed)
                self._cache.move_to_end(key)
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
            decision = Decision(allowed, self.name, reason, _ms(start))
        if not decision.allowed and not decision.reason.startswith("engine error"):
            decision = replace(decision, reasons=await self._explain(request))
        if self._metrics is not None:
            self._metrics.authz_decision(request.resource, decision.allowed)
        if audit_event:
            audit(
                "authorization.decision",
                "success" if decision.allowed else "failure",
                **{
                    "user.id": request.principal.subject,
                    "user.roles": sorted(request.principal.groups),
                    "user.mfa": request.principal.mfa,
                    "on_behalf_of": request.principal.on_behalf_of,
                    "user.actors": list(request.principal.actors),
                    "authz.resource": request.resource,
                    "authz.action": request.action,
                    "authz.tool": request.tool,
                    "authz.decision": "allow" if decision.allowed else "deny",
                    "authz.engine": decision.engine,
                    "authz.reason": "; ".join(decision.reasons) or decision.reason,
                    "authz.cached": decision.cached,
                    "event.duration": int(decision.duration_ms * 1_000_000),
                },
            )
        return decision

    async def _explain(self, request: AuthorizationRequest) -> tuple[str, ...]:
        """The policy's reasons for a deny, from engines that have `explain`; () on failure."""
        explain = getattr(self.engine, "explain", None)
        if explain is None:
            return ()
        try:
            return tuple(str(r) for r in await explain(request))[:8]
        except Exception as exc:  # an explanation is a courtesy: never fail the decision
            _log.debug("policy explanation failed", extra={"error.type": type(exc).__name__})
            return ()

    def clear(self) -> None:
        """Forget every cached decision (after a policy reload)."""
        self._cache.clear()

    async def ready(self) -> bool:
        """Readiness of the wrapped engine."""
        try:
            return await self.engine.ready()
        except Exception:
            return False

    async def aclose(self) -> None:
        """Close the wrapped engine."""
        await self.engine.aclose()


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0
