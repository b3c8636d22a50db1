"""Test doubles for the platform's contracts (for tests of servers built on mcp_common)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from mcp_common.auth._principal import Principal
from mcp_common.errors import AuthenticationError, PolicyEngineError, SecretNotFound
from mcp_common.policy._authorizer import AuthorizationRequest

__all__ = ["StaticAuthorizer", "StaticSecretStore", "StaticVerifier"]


class StaticSecretStore:
    """A SecretStore over an in-memory mapping; records the paths read."""

    def __init__(self, secrets: Mapping[str, Mapping[str, Any]]) -> None:
        self._secrets = {k: dict(v) for k, v in secrets.items()}
        self.reads: list[str] = []

    async def get(self, path: str) -> Mapping[str, Any]:
        """Return a copy of the secret at `path`."""
        self.reads.append(path)
        if path not in self._secrets:
            raise SecretNotFound(f"no secret at '{path}'")
        return copy.deepcopy(self._secrets[path])

    def set(self, path: str, value: Mapping[str, Any]) -> None:
        """Replace the secret at `path`."""
        self._secrets[path] = dict(value)

    async def ready(self) -> bool:
        """Always ready."""
        return True

    async def aclose(self) -> None:
        """Nothing to close."""


class StaticAuthorizer:
    """An Authorizer answering with a function; records every request."""

    name = "static"

    def __init__(self, rule: Callable[[AuthorizationRequest], bool] | None = None) -> None:
        self._rule = rule or (lambda _: True)
        self.requests: list[AuthorizationRequest] = []
        self.fail = False

    async def decide(self, request: AuthorizationRequest) -> bool:
        """Apply the rule (or fail, when `fail` is set)."""
        self.requests.append(request)
        if self.fail:
            raise PolicyEngineError("static authorizer set to fail")
        return self._rule(request)

    async def ready(self) -> bool:
        """Ready unless set to fail."""
        return not self.fail

    async def aclose(self) -> None:
        """Nothing to close."""


class StaticVerifier:
    """A TokenVerifier mapping fixed token strings to principals."""

    def __init__(self, tokens: Mapping[str, Principal]) -> None:
        self._tokens = dict(tokens)

    async def verify(self, token: str) -> Principal:
        """Look the token up."""
        try:
            return self._tokens[token]
        except KeyError:
            raise AuthenticationError("unknown token") from None

    async def ready(self) -> bool:
        """Always ready."""
        return True

    async def aclose(self) -> None:
        """Nothing to close."""
