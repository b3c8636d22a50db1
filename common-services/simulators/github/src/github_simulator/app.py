"""The GitHub REST API (v3) simulator as a Starlette app: repos, git, issues, pulls, search."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from simulator_kit import Controls, Faults, RequestStats, simulator_app

from .access import ResponseHeaders, admit
from .admin import admin_routes
from .context import Context
from .errors import GitHubErrors
from .ratelimit import RateLimits
from .routes import api_routes
from .seed import VIEWER, seed_hub

__all__ = ["create_github_app"]


def create_github_app(
    *,
    token: str,
    admin: bool = True,
    viewer: str = VIEWER,
    core_limit: int = 5000,
    search_limit: int = 30,
) -> Starlette:
    """One simulated GitHub accepting `token` (as `Bearer` or `token`), seeded with `netops`.

    `admin=False` removes the `/sandbox/*` control routes. The token belongs to `viewer`, a
    member of the `netops` organisation; `core_limit`/`search_limit` size the primary rate
    limits (per hour / per minute).
    """
    if not token or not token.strip():
        raise ValueError("token must be a non-empty string")
    if core_limit < 1 or search_limit < 1:
        raise ValueError("rate limits must be at least 1")
    ctx = Context(
        token,
        lambda: seed_hub(viewer),
        Faults(),
        RequestStats(),
        RateLimits(core_limit, search_limit),
    )
    ctx.reset()
    app = simulator_app(
        api_routes(),
        controls=Controls(faults=ctx.faults, stats=ctx.stats, reset=ctx.reset),
        errors=GitHubErrors(),
        admit=lambda scope: admit(ctx, scope),
        admin=admin,
        admin_extra=admin_routes(ctx),
        outer=[Middleware(ResponseHeaders, ctx=ctx)],
    )
    app.state.github = ctx  # in-process access for callers that embed the simulator
    return app
