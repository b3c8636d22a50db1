"""The verified caller of the current request, carried through contextvars."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Principal", "current_principal", "use_principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: taken only from a verified token, never from the request body."""

    subject: str
    groups: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    mfa: bool = False
    client_id: str | None = None
    # Legacy: a workload's own token naming the person it serves (`on_behalf_of` claim).
    on_behalf_of: str | None = None
    # RFC 8693 delegation: the person is `subject` and these workloads act for them, the
    # current actor first (`act.sub`, then nested `act.act.sub`...), e.g. ("temporal-worker",).
    actors: tuple[str, ...] = ()
    expires_at: float | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


_current: ContextVar[Principal | None] = ContextVar("mcp_common_principal", default=None)


def current_principal() -> Principal | None:
    """The principal of the request being served, or None outside an authenticated request."""
    return _current.get()


@contextmanager
def use_principal(principal: Principal | None) -> Iterator[None]:
    """Make `principal` current for the duration of the block."""
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)
