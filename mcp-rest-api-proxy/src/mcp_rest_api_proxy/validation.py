"""Arguments checked against the tool's input schema before anything is sent upstream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from mcp_common.client import ToolInfo
from mcp_common.observability import get_logger

from .problems import ProxyProblem

__all__ = ["ArgumentValidator"]

_log = get_logger("mcp.rest_proxy")
_MAX_ERRORS = 5
_MAX_MESSAGE = 200


class ArgumentValidator:
    """Compiled JSON Schema validators per (server, tool), rebuilt when the schema changes."""

    def __init__(self, max_entries: int = 4096) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self._max = max_entries
        self._validators: dict[tuple[str, str], tuple[Mapping[str, Any], Any]] = {}

    def check(self, server: str, tool: ToolInfo, arguments: Mapping[str, Any]) -> None:
        """Raise a 422 problem listing what does not match (path and reason for each)."""
        validator = self._validator(server, tool)
        if validator is None:
            return
        errors = sorted(validator.iter_errors(dict(arguments)), key=lambda e: list(e.path))
        if not errors:
            return
        found = [
            {
                "path": "/".join(["arguments", *(str(p) for p in err.absolute_path)]),
                "message": err.message[:_MAX_MESSAGE],
            }
            for err in errors[:_MAX_ERRORS]
        ]
        detail = "; ".join(f"{e['path']}: {e['message']}" for e in found)
        raise ProxyProblem(
            422,
            "invalid-arguments",
            f"arguments do not match the input schema of '{tool.name}': {detail}",
            server=server,
            tool=tool.name,
            errors=found,
        )

    def _validator(self, server: str, tool: ToolInfo) -> Any:
        key = (server, tool.name)
        cached = self._validators.get(key)
        # Identity, not equality: a new tools/list yields new schema objects, cheap to test.
        if cached is not None and cached[0] is tool.input_schema:
            return cached[1]
        schema = tool.input_schema
        try:
            cls = validator_for(schema, default=Draft202012Validator)
            cls.check_schema(schema)
            validator = cls(schema)
        except SchemaError:
            # The server validates strictly anyway; a schema we cannot read is not the
            # caller's fault, so the call goes on unchecked here.
            _log.warning("unusable input schema", extra={"mcp.server": server, "mcp.tool": key[1]})
            validator = None
        if len(self._validators) >= self._max:
            self._validators.clear()
        self._validators[key] = (schema, validator)
        return validator
