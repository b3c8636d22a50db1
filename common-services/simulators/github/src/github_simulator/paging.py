"""GitHub pagination: `per_page` (default 30, max 100), `page` (from 1) and the `Link` header."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from starlette.requests import Request

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "paginate"]

T = TypeVar("T")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default  # GitHub ignores a malformed paging parameter


def paginate(request: Request, items: Sequence[T]) -> tuple[list[T], dict[str, str]]:
    """The requested page of `items` and its `Link` header (absent when one page holds all)."""
    per_page = _int(request.query_params.get("per_page"), DEFAULT_PER_PAGE)
    per_page = DEFAULT_PER_PAGE if per_page < 1 else min(MAX_PER_PAGE, per_page)
    page = max(1, _int(request.query_params.get("page"), 1))
    last = max(1, math.ceil(len(items) / per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])
    if last == 1:
        return chunk, {}

    def url(number: int) -> str:
        return str(request.url.include_query_params(page=number, per_page=per_page))

    links = []
    if page > 1:
        links.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    return chunk, {"Link": ", ".join(links)}
