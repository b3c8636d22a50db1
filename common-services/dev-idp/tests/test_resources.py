"""Resource indicators (RFC 8707): which resources are valid, and the `aud` they give."""

from __future__ import annotations

import pytest

from dev_idp.oauth import OAuthError
from dev_idp.resources import Resources

SERVERS = ("http://127.0.0.1:8002/mcp", "http://127.0.0.1:8003/mcp")


def test_no_resource_means_the_default_audience() -> None:
    assert Resources("mcp-platform", SERVERS).audience(None) == "mcp-platform"


@pytest.mark.parametrize(
    "requested",
    ["http://127.0.0.1:8002/mcp", "http://127.0.0.1:8002/mcp/", "HTTP://127.0.0.1:8002/mcp"],
)
def test_a_configured_resource_matches_its_canonical_forms_and_names_itself(requested: str) -> None:
    assert Resources("aud", SERVERS).audience(requested) == SERVERS[0]


@pytest.mark.parametrize(
    "requested",
    [
        "http://127.0.0.1:9999/mcp",
        "http://127.0.0.1:8002/other",
        "http://127.0.0.1:8002/mcp#x",
        "mcp-platform",
        "urn:example:x",
        "https://user@127.0.0.1:8002/mcp",
        "",
    ],
)
def test_anything_else_is_invalid_target(requested: str) -> None:
    with pytest.raises(OAuthError) as refused:
        Resources("aud", SERVERS).audience(requested)
    assert refused.value.error == "invalid_target"


def test_without_a_list_any_well_formed_uri_is_valid_as_given() -> None:
    assert (
        Resources("aud").audience("https://mcp.example.com/mcp/") == "https://mcp.example.com/mcp/"
    )
    assert Resources("aud").allowed is None


def test_token_exchange_targets_by_resource_or_audience() -> None:
    resources = Resources("mcp-platform", SERVERS)
    assert resources.target(SERVERS[1], None) == SERVERS[1]
    assert resources.target(None, SERVERS[1]) == SERVERS[1]
    assert resources.target(None, "mcp-platform") == "mcp-platform"
    assert resources.target(SERVERS[0], SERVERS[0] + "/") == SERVERS[0]
    with pytest.raises(OAuthError, match="different targets"):
        resources.target(SERVERS[0], SERVERS[1])
    with pytest.raises(OAuthError) as missing:
        resources.target(None, None)
    assert missing.value.error == "invalid_request"


def test_configuration_is_validated() -> None:
    with pytest.raises(ValueError, match="absolute"):
        Resources("aud", ["not-a-uri"])
    with pytest.raises(ValueError, match="audience"):
        Resources("")
