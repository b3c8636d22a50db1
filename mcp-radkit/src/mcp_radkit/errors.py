"""Errors of the RADKit server, each a subclass of the platform's hierarchy."""

from __future__ import annotations

from collections.abc import Sequence

from mcp_common import UpstreamError
from mcp_common.errors import InvalidInput
from mcp_common.network import CommandRefused

__all__ = ["BACKEND", "CommandRefused", "DeviceNotFound", "InvalidArgument", "RequestTimedOut"]

# The backend's name in messages, metrics and logs.
BACKEND = "radkit"


class InvalidArgument(InvalidInput):
    """A tool argument is not acceptable; nothing was sent to RADKit."""


class DeviceNotFound(InvalidArgument):
    """Devices the RADKit Service's inventory does not hold."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        shown = ", ".join(repr(n[:64]) for n in self.names[:10]) or "(none given)"
        super().__init__(
            f"not in the RADKit inventory: {shown}; list_devices shows the device names"
        )


class RequestTimedOut(UpstreamError):
    """A RADKit request did not complete before the deadline (it may still complete)."""

    def __init__(self, request_id: str, seconds: float) -> None:
        self.request_id = request_id
        self.seconds = seconds
        message = (
            f"RADKit request {request_id or '(unnamed)'} did not complete within {seconds:g} s"
        )
        super().__init__(message, backend=BACKEND, kind="timeout")
