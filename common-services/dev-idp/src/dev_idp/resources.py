"""Resource indicators (RFC 8707): which resource a token is for, and so its `aud`.

A request without `resource` gets the default audience (the platform-wide audience the
servers accepted before each had its own). With a configured list, only those resource URIs
are valid (the launcher passes each MCP server's canonical URI, e.g.
`http://127.0.0.1:8002/mcp`); without one (tests, ad-hoc runs) any absolute http(s) URI
without a fragment is. Anything else is `invalid_target`.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from .oauth import OAuthError

__all__ = ["Resources", "invalid_target"]


def invalid_target(description: str) -> OAuthError:
    """RFC 8707 2.2: the requested resource is invalid, unknown or not allowed."""
    return OAuthError(400, "invalid_target", description)


def _canonical(uri: str) -> str:
    """Scheme and host lower-cased, no trailing slash (MCP authorization: canonical URI)."""
    parts = urlsplit(uri)
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def _well_formed(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.fragment
        and "#" not in uri
        and not any(c.isspace() for c in uri)
        and parts.username is None
    )


class Resources:
    """The valid resource URIs and the default audience."""

    def __init__(self, default_audience: str, allowed: Iterable[str] | None = None) -> None:
        if not default_audience:
            raise ValueError("audience must be a non-empty string")
        self.default_audience = default_audience
        # canonical form -> the URI as configured (the `aud` the server expects)
        self._allowed: dict[str, str] | None = None
        if allowed is not None:
            self._allowed = {}
            for uri in allowed:
                if not _well_formed(uri):
                    raise ValueError(f"resource must be an absolute http(s) URI, got {uri!r}")
                self._allowed[_canonical(uri)] = uri

    @property
    def allowed(self) -> tuple[str, ...] | None:
        """The configured resource URIs; None when any well-formed URI is accepted."""
        return None if self._allowed is None else tuple(self._allowed.values())

    def check(self, resource: str) -> str:
        """The resource URI a token will name; `invalid_target` if not valid here.

        Matching ignores a trailing slash and the case of scheme and host; the token names
        the URI as configured.
        """
        if not _well_formed(resource):
            raise invalid_target("resource must be an absolute http(s) URI without a fragment")
        if self._allowed is None:
            return resource
        configured = self._allowed.get(_canonical(resource))
        if configured is None:
            raise invalid_target("resource is not served by this platform")
        return configured

    def audience(self, resource: str | None) -> str:
        """The `aud` for a request: the resource, else the default audience."""
        return self.default_audience if resource is None else self.check(resource)

    def target(self, resource: str | None, audience: str | None) -> str:
        """Token exchange (RFC 8693 2.1): `resource` and/or `audience` name the target."""
        if resource is None and audience is None:
            raise OAuthError(400, "invalid_request", "resource or audience is required")
        from_resource = self.check(resource) if resource is not None else None
        if audience is None:
            assert from_resource is not None
            return from_resource
        if audience == self.default_audience:
            from_audience = audience
        elif _well_formed(audience):
            from_audience = self.check(audience)
        else:
            raise invalid_target("audience is not known here")
        if from_resource is not None and from_resource != from_audience:
            raise invalid_target("resource and audience name different targets")
        return from_audience
