"""RadkitClient: the secret chooses the backend; a changed secret gives a new one."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from mcp_common import ConfigurationError, SecretNotFound
from mcp_common.testing import StaticSecretStore
from mcp_radkit.client import RadkitClient
from mcp_radkit.http_backend import HttpBackend
from mcp_radkit.settings import RadkitSettings


def client_on(secret: dict[str, Any] | None) -> tuple[RadkitClient, StaticSecretStore]:
    store = StaticSecretStore({"api/radkit": secret} if secret is not None else {})
    return RadkitClient(store, poll_interval=0.02, wait_margin=0.5), store


async def test_http_mode_talks_to_the_simulator(client: RadkitClient) -> None:
    assert isinstance(await client.backend(), HttpBackend)
    assert (await client.ping()).status == "READY"
    assert (await client.device("par-acc-01")).name == "par-acc-01"
    result = await client.exec(["par-acc-01"], ["show clock"], 5)
    assert result.devices[0].status == "SUCCESS"
    assert [r.reachable for r in await client.reachability(["par-acc-01"], 5)] == [True]


async def test_the_backend_is_kept_while_the_secret_is_unchanged(simulator: Any) -> None:
    client, _ = client_on(simulator.secret())
    first = await client.backend()
    assert await client.backend() is first
    await client.aclose()


async def test_a_rotated_secret_gives_a_new_backend(simulator: Any) -> None:
    client, store = client_on(simulator.secret())
    first = await client.backend()
    await client.ping()
    store.set("api/radkit", {**simulator.secret(), "client_secret": "rotated-secret"})
    second = await client.backend()
    assert second is not first
    with pytest.raises(Exception, match="login failed"):
        await client.ping()  # the simulator does not know the rotated secret
    await client.aclose()


async def test_sdk_mode_without_the_sdk_gives_the_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "radkit_client", None)
    client, _ = client_on({"mode": "sdk", "service_id": "abcd-efgh-1234", "email": "me@corp"})
    with pytest.raises(ConfigurationError, match="cisco-radkit-client") as caught:
        await client.inventory()
    assert "mode=http" in str(caught.value)


async def test_a_missing_secret_is_reported_as_such() -> None:
    client, _ = client_on(None)
    with pytest.raises(SecretNotFound, match="api/radkit"):
        await client.ping()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"secret_path": ""}, "secret_path"),
        ({"timeout": 0}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"wait_margin": -1}, "wait_margin"),
    ],
)
def test_the_constructor_validates(option: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RadkitClient(StaticSecretStore({}), **option)


def test_from_settings_takes_the_polling_options_from_the_settings() -> None:
    settings = RadkitSettings(
        oidc_issuer="http://127.0.0.1:9", oidc_audience="mcp-platform",
        vault_addr="http://127.0.0.1:9", vault_token="unused",
        poll_interval=0.25, wait_margin=3.0,
    )  # fmt: skip
    rc = RadkitClient.from_settings(settings, StaticSecretStore({}))
    assert (rc.poll_interval, rc.wait_margin) == (0.25, 3.0)
