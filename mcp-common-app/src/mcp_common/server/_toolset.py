"""Tool declaration: every tool states its resource and action; annotations follow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcp_common.policy._authorizer import ACTIONS

__all__ = ["ToolSpec", "Toolset", "tool"]

F = TypeVar("F", bound=Callable[..., Any])

_SPEC_ATTR = "__mcp_tool_spec__"


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What the policy and the MCP annotations need to know about one tool."""

    name: str
    action: str
    resource: str | None = None  # None: the server's own resource
    title: str | None = None
    description: str | None = None
    destructive: bool | None = None
    idempotent: bool | None = None
    open_world: bool = True
    tags: frozenset[str] = field(default_factory=frozenset)
    # Shared read cache: a read's answers are reused for `cache_ttl` seconds, filed under
    # `cache_tags` (resource tags; default: the tool's name); a write drops the entries of
    # the tags it `invalidates`.
    cache_ttl: float | None = None
    cache_tags: frozenset[str] = field(default_factory=frozenset)
    invalidates: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"tool {self.name!r}: action must be one of {ACTIONS}")
        if self.cache_ttl is not None and not (self.read_only and 0 < self.cache_ttl <= 86_400):
            raise ValueError(f"tool {self.name!r}: cache_ttl is for reads, in (0, 86400] s")
        if self.cache_tags and self.cache_ttl is None:
            raise ValueError(f"tool {self.name!r}: cache_tags need a cache_ttl")
        if self.invalidates and self.read_only:
            raise ValueError(f"tool {self.name!r}: a read invalidates nothing")
        if not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"tool name {self.name!r} must be alphanumeric with _ or -")

    @property
    def read_only(self) -> bool:
        """Read tools change nothing; write and execute tools may."""
        return self.action == "read"

    def annotations(self) -> dict[str, Any]:
        """MCP ToolAnnotations derived from the action (explicit flags win)."""
        destructive = (not self.read_only) if self.destructive is None else self.destructive
        result: dict[str, Any] = {
            "readOnlyHint": self.read_only,
            "destructiveHint": False if self.read_only else destructive,
            "openWorldHint": self.open_world,
        }
        idempotent = self.read_only if self.idempotent is None else self.idempotent
        result["idempotentHint"] = idempotent
        if self.title:
            result["title"] = self.title
        return result


def tool(
    *,
    action: str,
    resource: str | None = None,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    destructive: bool | None = None,
    idempotent: bool | None = None,
    open_world: bool = True,
    tags: set[str] | None = None,
    cache_ttl: float | None = None,
    cache_tags: set[str] | None = None,
    invalidates: set[str] | None = None,
) -> Callable[[F], F]:
    """Declare a function as a tool with its (resource, action); it is registered later.

    `cache_ttl` (reads): answers shared through the read cache for that many seconds, filed
    under `cache_tags`; `invalidates` (writes): the tags whose entries a call drops.
    """

    def decorate(fn: F) -> F:
        spec = ToolSpec(
            name=name or fn.__name__,
            action=action,
            resource=resource,
            title=title,
            description=description,
            destructive=destructive,
            idempotent=idempotent,
            open_world=open_world,
            tags=frozenset(tags or ()),
            cache_ttl=cache_ttl,
            cache_tags=frozenset(cache_tags or ()),
            invalidates=frozenset(invalidates or ()),
        )
        setattr(fn, _SPEC_ATTR, spec)
        return fn

    return decorate


class Toolset:
    """A named group of tools (a server is built from one or more toolsets)."""

    def __init__(self, name: str, description: str = "") -> None:
        if not name:
            raise ValueError("a toolset needs a name")
        self.name = name
        self.description = description
        self._tools: dict[str, tuple[Callable[..., Any], ToolSpec]] = {}

    def tool(self, **kwargs: Any) -> Callable[[F], F]:
        """Declare and add a tool to this toolset (same arguments as `tool`)."""

        def decorate(fn: F) -> F:
            self.add(tool(**kwargs)(fn))
            return fn

        return decorate

    def add(self, fn: Callable[..., Any]) -> None:
        """Add a function already decorated with `tool`."""
        spec = getattr(fn, _SPEC_ATTR, None)
        if not isinstance(spec, ToolSpec):
            raise ValueError(f"{fn!r} is not declared with @tool(resource=..., action=...)")
        if spec.name in self._tools:
            raise ValueError(f"toolset {self.name!r} already has a tool {spec.name!r}")
        self._tools[spec.name] = (fn, spec)

    def __iter__(self) -> Iterator[tuple[Callable[..., Any], ToolSpec]]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    @property
    def names(self) -> list[str]:
        """The tools' names, in declaration order."""
        return list(self._tools)
