"""Specification of IdpServer, the in-process dev issuer used by the other tests."""

from __future__ import annotations

import httpx
import jwt
import pytest

from dev_idp import IdpServer
from dev_idp.keys import KeySet


def test_issuer_is_the_base_url_of_a_free_loopback_port() -> None:
    with IdpServer() as idp:
        assert idp.issuer == idp.url
        assert idp.url.startswith("http://127.0.0.1:")
        assert idp.jwks_uri == f"{idp.url}/jwks"
        assert httpx.get(idp.discovery_url).json()["issuer"] == idp.issuer


def test_two_servers_run_side_by_side_with_separate_keys() -> None:
    with IdpServer() as first, IdpServer() as second:
        assert first.url != second.url
        assert set(first.keyset.kids()).isdisjoint(second.keyset.kids())


def test_helpers_get_a_token_a_minted_token_and_a_rotation() -> None:
    keyset = KeySet(["RS256"])
    with IdpServer(audience="custom-aud", keyset=keyset, token_ttl=60) as idp:
        token = idp.token("developer")
        claims = jwt.decode(token, keyset.current().public_key, algorithms=["RS256"],
                            audience="custom-aud", issuer=idp.issuer)  # fmt: skip
        assert claims["exp"] - claims["iat"] == 60
        assert (
            jwt.decode(idp.mint("admin", aud="x"), options={"verify_signature": False})["aud"]
            == "x"
        )
        old_kid = keyset.current().kid
        assert idp.rotate() == keyset.current().kid != old_kid


def test_the_issuer_options_reach_the_app_and_a_one_shot_resource_list_is_kept() -> None:
    known = "http://127.0.0.1:18002/mcp"
    with IdpServer(resources=(r for r in [known]), admin=False) as idp:
        assert jwt.decode(idp.token("developer", resource=known),
                          options={"verify_signature": False})["aud"] == known  # fmt: skip
        with pytest.raises(httpx.HTTPStatusError) as refused:
            idp.token("developer", resource="http://127.0.0.1:9/mcp")
        assert refused.value.response.json()["error"] == "invalid_target"
        assert httpx.post(idp.endpoint("/admin/mint"), json={}).status_code == 404


def test_token_helper_raises_when_the_issuer_refuses() -> None:
    with IdpServer(client_secrets={"admin": "rotated"}) as idp:
        assert idp.secret("admin") == "rotated"
        assert idp.token("admin")
        with pytest.raises(httpx.HTTPStatusError) as refused:
            idp.token("admin", grant_type="password")
        assert refused.value.response.status_code == 400
        with pytest.raises(ValueError, match="unknown identity"):
            idp.token("nobody")


async def test_async_context_manager_serves_while_the_loop_runs() -> None:
    async with IdpServer() as idp, httpx.AsyncClient() as client:
        response = await client.get(idp.jwks_uri)
        assert response.status_code == 200
        assert response.json()["keys"]
        url = idp.jwks_uri
    with pytest.raises(httpx.TransportError):
        async with httpx.AsyncClient() as client:
            await client.get(url, timeout=1)


def test_stop_is_idempotent_and_closes_the_port() -> None:
    idp = IdpServer().start()
    url = idp.jwks_uri
    idp.stop()
    idp.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=1)


def test_issuer_is_unknown_before_start() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = IdpServer().issuer


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"issuer": "idp.example.com"}, "http"),
        ({"client_secrets": {"nobody": "x"}}, "unknown identity"),
        ({"identities": []}, "at least one"),
        ({"token_ttl": 0}, "token_ttl"),
        ({"audience": ""}, "audience"),
    ],
)
def test_constructor_validates(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        IdpServer(**kwargs)  # type: ignore[arg-type]
