"""The typed OpenAPI document: the generic routes plus one operation per tool.

Each tool becomes `POST /api/v1/mcp/{server}/tools/{tool}` with operationId
`<server>__<tool>`, a request body `{"arguments": <the tool's input schema>}` and a 200
response whose `result` is the tool's output schema (unwrapped) when it declares one.
Tool schemas carry their own `$defs`; they are moved to `components/schemas` under
prefixed names and every `$ref` is rewritten, so the document stays resolvable.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mcp_common.client import ToolInfo

from .problems import PROBLEM_MEDIA_TYPE, ProblemDetails

__all__ = ["ERROR_STATUSES", "GUARD_STATUSES", "build_document", "problem_responses"]

ERROR_STATUSES = {
    400: "Malformed request: a bad Host header, or more than one Authorization header",
    401: "Missing or invalid bearer token",
    403: "Denied by policy (the body names action and resource)",
    404: "Unknown server or tool",
    413: "Request body over the size limit",
    421: "Misdirected: this proxy does not answer for that Host",
    422: "Arguments do not match the tool's input schema",
    429: "Rate limited (see Retry-After)",
    502: "The tool or its backend failed",
    503: "MCP server unreachable, or the proxy at capacity (see Retry-After)",
    504: "MCP server timed out",
}
# What any request may get before it reaches a route (the transport guards): malformed,
# misdirected, or refused while the proxy is at capacity.
GUARD_STATUSES = (400, 421, 503)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def problem_responses(statuses: Sequence[int] = tuple(ERROR_STATUSES)) -> dict[int | str, Any]:
    """Problem+json responses for FastAPI's `responses=` (and for tool operations), with the
    transport guards' own (`GUARD_STATUSES`) on every operation."""
    return {
        status: {
            "description": ERROR_STATUSES.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}},
        }
        for status in sorted({*statuses, *GUARD_STATUSES})
    }


def build_document(
    base: Mapping[str, Any], tools_by_server: Mapping[str, Sequence[ToolInfo]]
) -> dict[str, Any]:
    """`base` (FastAPI's document of the generic routes) plus one operation per tool."""
    doc = copy.deepcopy(dict(base))
    paths: dict[str, Any] = doc.setdefault("paths", {})
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ProblemDetails",
        ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}"),
    )
    doc["components"]["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    doc["security"] = [{"bearerAuth": []}]
    tags = doc.setdefault("tags", [])
    for server, tools in tools_by_server.items():
        if tools:
            tags.append({"name": server, "description": f"Tools of the MCP server '{server}'"})
        for tool in tools:
            path = f"/api/v1/mcp/{server}/tools/{tool.name}"
            paths[path] = {"post": _operation(server, tool, schemas)}
    return doc


def _operation(server: str, tool: ToolInfo, schemas: dict[str, Any]) -> dict[str, Any]:
    prefix = _UNSAFE.sub("_", f"{server}__{tool.name}")
    arguments = _component(f"{prefix}__arguments", tool.input_schema, schemas)
    result: dict[str, Any] = {}
    if tool.result_schema is not None:
        result = _component(f"{prefix}__result", tool.result_schema, schemas)
    required = tool.input_schema.get("required")
    body: dict[str, Any] = {
        "type": "object",
        "properties": {"arguments": arguments},
    }
    if required:
        body["required"] = ["arguments"]
    success = {
        "type": "object",
        "required": ["status", "result", "server", "tool"],
        "properties": {
            "status": {"type": "string", "const": "success"},
            "result": result,
            "server": {"type": "string", "const": server},
            "tool": {"type": "string", "const": tool.name},
        },
    }
    description = tool.description or tool.title or tool.name
    return {
        "operationId": f"{server}__{tool.name}",
        "tags": [server],
        "summary": tool.title or description.strip().splitlines()[0][:120],
        "description": description,
        "requestBody": {
            "required": bool(required),
            "content": {"application/json": {"schema": body}},
        },
        "responses": {
            "200": {
                "description": "The tool's result",
                "content": {"application/json": {"schema": success}},
            },
            **{str(k): v for k, v in problem_responses().items()},
        },
        "x-mcp-action": tool.action,
        "x-mcp-annotations": dict(tool.annotations),
    }


def _component(name: str, schema: Mapping[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """Store `schema` (and its $defs) as components; return a $ref to it."""
    root_ref = f"#/components/schemas/{name}"
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        found = schema.get(key)
        if isinstance(found, dict):
            defs.update(found)
    names = {d: f"{name}__{_UNSAFE.sub('_', d)}" for d in defs}
    body = {k: v for k, v in schema.items() if k not in ("$defs", "definitions", "$id", "$schema")}
    schemas[name] = _rewrite(body, names, root_ref)
    for def_name, def_schema in defs.items():
        schemas[names[def_name]] = _rewrite(def_schema, names, root_ref)
    return {"$ref": root_ref}


def _rewrite(node: Any, names: Mapping[str, str], root_ref: str) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, names, root_ref) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = _ref(value, names, root_ref)
        elif key in ("$id", "$schema"):
            continue  # a nested $id would change how refs below it resolve
        else:
            out[key] = _rewrite(value, names, root_ref)
    return out


def _ref(ref: str, names: Mapping[str, str], root_ref: str) -> str:
    if ref == "#":
        return root_ref
    for prefix in ("#/$defs/", "#/definitions/"):
        if ref.startswith(prefix):
            target, _, rest = ref[len(prefix) :].partition("/")
            target = target.replace("~1", "/").replace("~0", "~")
            if target in names:
                suffix = f"/{rest}" if rest else ""
                return f"#/components/schemas/{names[target]}{suffix}"
    if ref.startswith("#/"):
        return f"{root_ref}{ref[1:]}"  # a pointer into the tool's own schema
    return ref
