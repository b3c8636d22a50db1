"""Shapes shared by every toolset's results: pages and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["Page", "as_int", "as_str", "iso_time", "next_offset"]


class Page(BaseModel):
    """A page of a longer list: how many match, where this page starts, where the next does."""

    total: int | None = Field(
        description="How many items match the filters in all (null when the API does not say)"
    )
    offset: int = Field(description="1-based position of the first item of this page")
    count: int = Field(description="How many items this page holds")
    next_offset: int | None = Field(
        description="Pass as `offset` to get the next page; null when this is the last page"
    )

    @staticmethod
    def paging(offset: int, limit: int, count: int, total: int | None) -> dict[str, Any]:
        """The page fields of `count` items from `offset`, asked `limit` at a time."""
        following = next_offset(offset, count, limit, total)
        return {"total": total, "offset": offset, "count": count, "next_offset": following}


def next_offset(offset: int, count: int, limit: int, total: int | None) -> int | None:
    """Where the next page starts, or None when there is none."""
    if total is not None:
        return offset + count if offset - 1 + count < total else None
    return offset + count if count >= limit else None


def iso_time(epoch_ms: Any) -> str | None:
    """Epoch milliseconds (as Catalyst Center sends them) to ISO 8601 UTC."""
    if isinstance(epoch_ms, bool) or not isinstance(epoch_ms, int | float) or epoch_ms <= 0:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def as_str(value: Any) -> str | None:
    """A string field, or None when absent or empty."""
    if value is None or value == "":
        return None
    return str(value)


def as_int(value: Any) -> int | None:
    """An integer sent as a number or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
