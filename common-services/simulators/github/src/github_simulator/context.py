"""Per-app context shared by the route modules, and small request helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from simulator_kit import Faults, RequestStats

from .errors import GitHubError
from .ratelimit import RateLimits
from .state import Hub

__all__ = ["Context", "base_url", "context_of", "read_object"]


@dataclass
class Context:
    """Everything one simulated GitHub holds: data, the token, faults, counters and limits."""

    token: str
    seed: Callable[[], Hub]
    faults: Faults
    stats: RequestStats
    limits: RateLimits
    hub: Hub | None = None

    @property
    def data(self) -> Hub:
        """The current data (seeded on first use)."""
        if self.hub is None:
            self.hub = self.seed()
        return self.hub

    def reset(self) -> None:
        """Back to the seeded state: data, faults, counters and rate limits."""
        self.hub = self.seed()
        self.faults.reset()
        self.stats.clear()
        self.limits.reset()


def context_of(request: Request) -> Context:
    """The Context of the app serving `request`."""
    ctx: Context = request.app.state.github
    return ctx


def base_url(request: Request) -> str:
    """The API root as the caller reached it (no trailing slash), for `url` fields."""
    return str(request.base_url).rstrip("/")


async def read_object(request: Request) -> dict[str, Any]:
    """The JSON object of a request body; GitHub's 400s otherwise."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise GitHubError(400, "Problems parsing JSON") from None
    if not isinstance(data, dict):
        raise GitHubError(400, "Body should be a JSON object")
    return data
