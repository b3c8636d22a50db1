"""What incident and change results share: the page they come in, the summary's reading."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from ..client import Page, Record
from ..records import display, optional, pick, value

__all__ = ["TaskPage", "task_summary"]


class TaskPage(BaseModel):
    """One page of task records, newest update first."""

    total: int = Field(description="How many records match, over every page")
    offset: int
    next_offset: int | None = Field(description="Pass as offset for the next page; null: none")

    @staticmethod
    def paging(page: Page) -> dict[str, Any]:
        """The paging fields of a page of records."""
        return {"total": page.total, "offset": page.offset, "next_offset": page.next_offset}


def task_summary(
    record: Record, shown: tuple[str, ...], optional_fields: Mapping[str, str]
) -> dict[str, Any]:
    """sys_id, the `shown` display values, the optional fields and the last update."""
    return {
        "sys_id": value(record, "sys_id"),
        **pick(record, display, {name: name for name in shown}),
        **pick(record, optional, optional_fields),
        "updated": optional(record, "sys_updated_on"),
    }
