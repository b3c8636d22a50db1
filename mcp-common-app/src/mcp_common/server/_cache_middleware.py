"""ReadCacheMiddleware: declared reads answered from the shared cache; writes invalidate.

It is the innermost middleware: authentication, the rate limit and the policy decide for
each caller before a cached answer is given (a cached answer is never a way round them).
The key is server + tool + the normalized arguments + the backend's identity (its base
URL), hashed; only successful results are stored (never an error); a successful write
drops the entries filed under the resource tags it declares in `invalidates`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import mcp_types as mt
from fastmcp.tools.base import ToolResult
from pydantic import TypeAdapter

from mcp_common.observability._logging import get_logger
from mcp_common.observability._metrics import PlatformMetrics
from mcp_common.server._read_cache import ReadCache
from mcp_common.server._tool_call import (
    ToolCallContext,
    ToolCallMiddleware,
    ToolCallNext,
    when_work_ends,
)
from mcp_common.server._toolset import ToolSpec

__all__ = ["ReadCacheMiddleware"]

_log = get_logger(__name__)
_CONTENT: TypeAdapter[list[mt.ContentBlock]] = TypeAdapter(list[mt.ContentBlock])


class ReadCacheMiddleware(ToolCallMiddleware):
    """Serves tools with `cache_ttl` from `cache`; tools with `invalidates` clear tags."""

    def __init__(
        self,
        cache: ReadCache,
        *,
        server: str,
        specs: Mapping[str, ToolSpec],
        identity: Callable[[], Awaitable[str]] | None = None,
        metrics: PlatformMetrics | None = None,
    ) -> None:
        self._cache = cache
        self._server = server
        self._specs = dict(specs)
        self._identity = identity
        self._metrics = metrics

    async def on_call_tool(self, context: ToolCallContext, call_next: ToolCallNext) -> ToolResult:
        spec = self._specs.get(context.message.name)
        if spec is None or (spec.cache_ttl is None and not spec.invalidates):
            return await call_next(context)
        backend = await self._backend()
        if spec.cache_ttl is None:  # a write: fresh reads after it, whatever its outcome
            tags = [self._tag(backend, t) for t in spec.invalidates]

            async def invalidate() -> None:
                await self._cache.invalidate(tags)
                self._count(spec.name, "invalidate")

            # Run as a task, the write goes on after the call answers: invalidate then too.
            try:
                with when_work_ends(invalidate):
                    return await call_next(context)
            finally:
                await invalidate()
        key = self._key(spec.name, context.message.arguments or {}, backend)
        cached = await self._cache.get(key)
        if cached is not None:
            result = _decode(cached)
            if result is not None:
                self._count(spec.name, "hit")
                return result
        self._count(spec.name, "miss")
        result = await call_next(context)
        if not result.is_error:
            tags = [self._tag(backend, t) for t in spec.cache_tags or {spec.name}]
            await self._cache.put(key, _encode(result), spec.cache_ttl, tags)
        return result

    async def _backend(self) -> str:
        if self._identity is None:
            return ""
        try:
            return await self._identity()
        except Exception:
            return "?"  # the call itself will say what is wrong with the backend

    def _key(self, tool: str, arguments: Mapping[str, Any], backend: str) -> str:
        normalized = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(f"{backend}\n{normalized}".encode()).hexdigest()[:40]
        return f"{self._server}:{tool}:{digest}"

    def _tag(self, backend: str, tag: str) -> str:
        scope = hashlib.sha256(backend.encode()).hexdigest()[:12]
        return f"{self._server}:{scope}:{tag}"

    def _count(self, tool: str, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.cache_outcome(tool, outcome)


def _encode(result: ToolResult) -> bytes:
    content = [block.model_dump(mode="json", by_alias=True, exclude_none=True)
               for block in result.content]  # fmt: skip
    body = {"c": content, "s": result.structured_content, "m": result.meta}
    return json.dumps(body, separators=(",", ":")).encode()


def _decode(raw: bytes) -> ToolResult | None:
    try:
        body = json.loads(raw)
        return ToolResult(
            content=_CONTENT.validate_python(body["c"]),
            structured_content=body.get("s"),
            meta=body.get("m"),
        )
    except Exception as exc:  # an entry we cannot read is a miss
        _log.warning(
            "unreadable cache entry", extra={"event.action": "cache.error",
                                             "error.type": type(exc).__name__}
        )  # fmt: skip
        return None
