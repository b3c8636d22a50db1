"""The one error every simulator raises: a status, a message, a detail and response headers.

Each simulator subclasses it and renders it in its backend's own error body, at the HTTP
boundary (its `ErrorDialect`).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SimulatorError"]


class SimulatorError(Exception):
    """An error a simulator answers with its backend's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.headers = dict(headers or {})
