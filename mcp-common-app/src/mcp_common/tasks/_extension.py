"""`TasksExtension`: the MCP tasks extension (SEP-2663) on FastMCP's extension API.

The extension is the protocol half: the capability, `tasks/get`, `tasks/update` and
`tasks/cancel`, the choice of running a `tools/call` as a task, and who may see a task.
The work itself lives in a `TaskStore` (Temporal for the workflows server), so tasks
survive restarts of the server that created them.

Rules, each from the extension's specification:
- a call runs as a task only when its tool is one the store runs and the client declared
  the extension on that request (2026-07-28 wire); otherwise the tool answers as usual;
- `tasks/*` from a request that did not declare the extension: -32021 with
  `requiredCapabilities`; an unknown task id: -32602;
- a task is visible to the person who created it and to admins only; anyone else gets
  the same -32602 as for an unknown id (existence is never revealed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from fastmcp.server.dependencies import _is_client_tool_call, get_http_request
from fastmcp.server.extensions import MethodBinding, ServerExtension, read_client_extension_settings
from mcp.shared.exceptions import MCPError
from mcp.shared.inbound import MCP_NAME_HEADER, decode_header_value
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS
from mcp_types.jsonrpc import HEADER_MISMATCH, MISSING_REQUIRED_CLIENT_CAPABILITY
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from mcp_common.auth._fastmcp import principal_from_request
from mcp_common.auth._principal import Principal, current_principal
from mcp_common.errors import PlatformError
from mcp_common.observability._logging import audit, get_logger
from mcp_common.tasks._store import TaskNotFound, TaskStore, TaskView
from mcp_common.tasks._wire import (
    TASKS_EXTENSION_ID,
    CancelTaskResult,
    CreateTaskResult,
    GetTaskResult,
    TaskIdParams,
    UpdateTaskParams,
    UpdateTaskResult,
    missing_capability_data,
)

if TYPE_CHECKING:
    from fastmcp.server.context import Context
    from fastmcp.server.extensions import ToolCallContinuation, ToolCallOutcome
    from mcp.server.context import ServerRequestContext
    from mcp_types import CallToolRequestParams

__all__ = ["TasksExtension"]

_log = get_logger(__name__)
T = TypeVar("T")
_MODERN = frozenset(MODERN_PROTOCOL_VERSIONS)


class TasksExtension(ServerExtension):
    """`io.modelcontextprotocol/tasks` over a TaskStore; owners and admins see a task."""

    identifier = TASKS_EXTENSION_ID

    def __init__(self, store: TaskStore, *, admin_groups: Iterable[str] = ("admin",)) -> None:
        if not isinstance(store, TaskStore):
            raise TypeError("store must implement TaskStore")
        self._store = store
        self._admins = frozenset(admin_groups)

    def clone(self) -> TasksExtension:
        """A fresh, unbound extension over the same store (stores are not copied)."""
        return TasksExtension(self._store, admin_groups=self._admins)

    @property
    def store(self) -> TaskStore:
        """Where this extension's tasks live."""
        return self._store

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """With the server: on shutdown, the store's `aclose` (when it has one) ends its work."""
        try:
            yield
        finally:
            close = getattr(self._store, "aclose", None)
            if close is not None:
                await close()

    def methods(self) -> Sequence[MethodBinding]:
        """`tasks/get`, `tasks/update`, `tasks/cancel`, on the 2026-07-28 wire only."""
        return [
            MethodBinding("tasks/get", TaskIdParams, self._get, _MODERN),
            MethodBinding("tasks/update", UpdateTaskParams, self._update, _MODERN),
            MethodBinding("tasks/cancel", TaskIdParams, self._cancel, _MODERN),
        ]

    # -- tools/call ---------------------------------------------------------------------------

    async def intercept_tool_call(
        self, params: CallToolRequestParams, context: Context, call_next: ToolCallContinuation
    ) -> ToolCallOutcome:
        """Run the call as a task when the tool allows it and the client declared tasks."""
        if params.name not in self._store.tools or not _is_client_tool_call():
            return await call_next()
        request = context.request_context
        declared = (
            request is not None
            and request.protocol_version in _MODERN
            and context.client_extension_settings(TASKS_EXTENSION_ID) is not None
        )
        if not declared:
            return await call_next()  # the synchronous form stays for clients without tasks
        owner = current_principal() or principal_from_request()
        if owner is None:  # unreachable behind the platform's authentication; fail closed
            raise MCPError(code=INVALID_PARAMS, message="tasks need an authenticated caller")
        view = await self._store.create(params.name, owner, call_next)
        audit(
            "task.create",
            "success",
            **{"task.id": view.task_id, "tool.name": params.name, "user.id": owner.subject},
        )
        return CreateTaskResult(**_fields(view))

    # -- tasks/* ------------------------------------------------------------------------------

    async def _get(
        self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams
    ) -> GetTaskResult:
        view = await self._visible(ctx, params.task_id, "task.get")
        return GetTaskResult(
            **_fields(view),
            result=dict(view.result) if view.result is not None else None,
            error=dict(view.error) if view.error is not None else None,
            input_requests=dict(view.input_requests) if view.input_requests is not None else None,
        )

    async def _update(
        self, ctx: ServerRequestContext[Any, Any], params: UpdateTaskParams
    ) -> UpdateTaskResult:
        view = await self._visible(ctx, params.task_id, "task.update")
        caller = _caller()
        await self._guard(self._store.update(view.task_id, params.input_responses, caller))
        audit("task.update", "success", **{"task.id": view.task_id, "user.id": caller.subject})
        return UpdateTaskResult()

    async def _cancel(
        self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams
    ) -> CancelTaskResult:
        view = await self._visible(ctx, params.task_id, "task.cancel")
        caller = _caller()
        if view.status not in ("completed", "failed", "cancelled"):  # terminal: a plain ack
            await self._guard(self._store.cancel(view.task_id, caller))
        audit("task.cancel", "success", **{"task.id": view.task_id, "user.id": caller.subject})
        return CancelTaskResult()

    async def _visible(
        self, ctx: ServerRequestContext[Any, Any], task_id: str, action: str
    ) -> TaskView:
        """The task, when the request declared tasks and the caller may see it."""
        if read_client_extension_settings(ctx, TASKS_EXTENSION_ID) is None:
            raise MCPError(
                code=MISSING_REQUIRED_CLIENT_CAPABILITY,
                message=f"this request did not declare the {TASKS_EXTENSION_ID} extension",
                data=missing_capability_data(),
            )
        _check_route(task_id)
        caller = principal_from_request()
        try:
            view = await self._guard(self._store.get(task_id))
        except MCPError:
            audit(action, "failure", **{"task.id": task_id, "reason": "not found"})
            raise
        if caller is None or not (caller.subject == view.owner or caller.groups & self._admins):
            audit(
                action,
                "failure",
                **{
                    "task.id": task_id,
                    "user.id": caller.subject if caller else None,
                    "reason": "not the task's owner",
                },
            )
            raise _not_found(task_id)
        return view

    @staticmethod
    async def _guard(work: Awaitable[T]) -> T:
        """Await store work; translate its errors to JSON-RPC at this boundary."""
        try:
            return await work
        except TaskNotFound as exc:
            raise _not_found(exc.task_id) from None
        except PlatformError as exc:
            raise MCPError(code=INTERNAL_ERROR, message=str(exc)) from None
        except MCPError:
            raise
        except Exception as exc:
            _log.warning("task store failed", extra={"error.type": type(exc).__name__})
            raise MCPError(code=INTERNAL_ERROR, message="the task store failed") from None


def _caller() -> Principal:
    principal = principal_from_request()
    if principal is None:  # _visible already refused anonymous callers
        raise MCPError(code=INVALID_PARAMS, message="no verified caller")
    return principal


def _not_found(task_id: str) -> MCPError:
    return MCPError(
        code=INVALID_PARAMS, message=f"Failed to retrieve task: task {task_id} not found"
    )


def _check_route(task_id: str) -> None:
    """`Mcp-Name`, when sent, must name the task the body names (routing header rule)."""
    try:
        header = get_http_request().headers.get(MCP_NAME_HEADER)
    except RuntimeError:
        return
    # Optional whitespace around a field value is not part of it (RFC 9110 section 5.5).
    if header is not None and decode_header_value(header.strip()) != task_id:
        raise MCPError(
            code=HEADER_MISMATCH,
            message=f"{MCP_NAME_HEADER} header does not match the request's taskId",
        )


def _fields(view: TaskView) -> dict[str, Any]:
    return {
        "task_id": view.task_id,
        "status": view.status,
        "created_at": view.created_at.isoformat(),
        "last_updated_at": view.last_updated_at.isoformat(),
        "ttl_ms": view.ttl_ms,
        "status_message": view.status_message,
        "poll_interval_ms": view.poll_interval_ms,
    }
