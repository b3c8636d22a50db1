"""Client registry rules: redirect URI matching (RFC 8252) and redirect URI validation."""

from __future__ import annotations

import pytest

from dev_idp.clients import check_redirect_uris, redirect_uri_matches


@pytest.mark.parametrize(
    ("registered", "requested", "expected"),
    [
        ("https://app.example.com/cb", "https://app.example.com/cb", True),
        ("https://app.example.com/cb", "https://app.example.com/cb/", False),
        ("https://app.example.com/cb", "https://app.example.com:444/cb", False),
        ("https://app.example.com/cb", "https://app.example.com/cb?x=1", False),
        ("http://127.0.0.1:1000/cb", "http://127.0.0.1:2000/cb", True),
        ("http://127.0.0.1/cb", "http://127.0.0.1:2000/cb", True),
        ("http://[::1]:1000/cb", "http://[::1]:2000/cb", True),
        ("http://localhost:1000/cb", "http://localhost:2000/cb", True),
        ("http://127.0.0.1:1000/cb", "http://localhost:1000/cb", False),
        ("http://127.0.0.1:1000/cb", "http://127.0.0.1:2000/other", False),
        ("http://127.0.0.1:1000/cb", "http://127.0.0.1:2000/cb#f", False),
        ("http://127.0.0.1:1000/cb", "https://127.0.0.1:2000/cb", False),
    ],
)
def test_redirect_uris_match_exactly_except_loopback_ports(
    registered: str, requested: str, expected: bool
) -> None:
    assert redirect_uri_matches(registered, requested) is expected


@pytest.mark.parametrize(
    "uris",
    [
        ["https://claude.ai/api/mcp/auth_callback"],
        ["http://127.0.0.1:33418", "https://vscode.dev/redirect"],
        ["http://localhost:6274/oauth/callback"],
        ["com.example.app:/oauth2redirect"],
    ],
)
def test_real_client_redirect_uris_are_accepted(uris: list[str]) -> None:
    assert check_redirect_uris(uris) == tuple(uris)


@pytest.mark.parametrize(
    "uris",
    [
        [],
        "https://app.example.com/cb",
        ["http://app.example.com/cb"],
        ["https://app.example.com/cb#frag"],
        ["javascript:alert(1)"],
        ["myapp:/cb"],
        ["https://app.example.com/c b"],
        [7],
    ],
)
def test_unsafe_redirect_uris_are_refused(uris: object) -> None:
    with pytest.raises(ValueError):
        check_redirect_uris(uris)
