"""One error hierarchy for the platform; translated to HTTP/MCP only at the boundary."""

from __future__ import annotations

import math

__all__ = [
    "AuthenticationError",
    "AuthorizationDenied",
    "ConfigurationError",
    "InvalidInput",
    "PlatformError",
    "PolicyEngineError",
    "RateLimitExceeded",
    "SecretError",
    "SecretNotFound",
    "SecretStoreUnavailable",
    "UnknownTool",
    "UpstreamError",
]


class PlatformError(Exception):
    """Base of every error the platform raises on purpose.

    `str(error)` is always safe to show to a caller: no secret, no stack trace, no
    upstream credential. Details for operators go to the logs, never to the message.
    """


class ConfigurationError(PlatformError):
    """A setting is missing or invalid; the service must not start."""


class AuthenticationError(PlatformError):
    """A bearer token is missing, malformed, expired or otherwise not acceptable."""


class AuthorizationDenied(PlatformError):
    """The policy refused an action on a resource."""

    def __init__(
        self,
        action: str,
        resource: str,
        tool: str | None = None,
        reasons: tuple[str, ...] = (),
    ) -> None:
        self.action = action
        self.resource = resource
        self.tool = tool
        self.reasons = tuple(reasons)
        target = f" (tool '{tool}')" if tool else ""
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        super().__init__(f"Access denied: action '{action}' on resource '{resource}'{target}{why}")


class UnknownTool(PlatformError):
    """The caller named a tool this server does not declare."""

    def __init__(self, tool: str) -> None:
        self.tool = tool
        super().__init__(f"Unknown tool: {tool!r}")


class RateLimitExceeded(PlatformError):
    """The caller exceeded the per principal x tool rate limit; `retry_after` is the wait in
    whole seconds, rounded up (a caller who obeys it is not refused again for coming early)."""

    def __init__(self, tool: str, retry_after: float) -> None:
        self.tool = tool
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"Rate limit exceeded for tool '{tool}'; retry in {self.retry_after} s")


class InvalidInput(PlatformError):
    """A tool refused its input by its own rules before acting; nothing was sent anywhere.

    Tool errors carry the kind `invalid_input`, which REST callers get as 422: the caller
    must change the request, retrying it as is cannot help.
    """


class PolicyEngineError(PlatformError):
    """The policy engine could not decide (unreachable, slow, bad answer); callers deny."""


class SecretError(PlatformError):
    """A secret could not be read."""


class SecretNotFound(SecretError):
    """No secret exists at the requested path."""


class SecretStoreUnavailable(SecretError):
    """The secret store is unreachable and no usable last-known-good value exists."""


class UpstreamError(PlatformError):
    """A backend API call failed.

    `status` is the backend's HTTP status when there was one (None for network errors,
    timeouts and an open circuit); `retry_after` is set for 429/503 answers that said so.
    """

    def __init__(
        self,
        message: str,
        *,
        backend: str,
        status: int | None = None,
        retry_after: float | None = None,
        kind: str = "error",
    ) -> None:
        self.backend = backend
        self.status = status
        self.retry_after = retry_after
        # kind: "http" | "timeout" | "network" | "circuit_open" | "unavailable" (no free
        # connection and the wait queue full: nothing was sent) | "error"
        self.kind = kind
        super().__init__(message)
