"""Argument types and filters shared by the toolsets."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..client import MAX_LIMIT

__all__ = ["UUID_PATTERN", "DeviceId", "Limit", "Offset", "given"]

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

DeviceId = Annotated[
    str, Field(pattern=UUID_PATTERN, description="Device id (UUID), as list_devices returns it")
]
Offset = Annotated[
    int, Field(ge=1, description="1-based position of the first item (next_offset of a page)")
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Items per page (1-500)")]


def given(**filters: Any) -> dict[str, Any]:
    """The API filters the caller gave (None and empty values left out)."""
    return {key: value for key, value in filters.items() if value}
