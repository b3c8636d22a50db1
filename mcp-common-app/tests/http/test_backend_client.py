"""SecretBackedClient: the secret read per call, one pool per endpoint, all closed at the end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from mcp_common.errors import ConfigurationError, SecretNotFound
from mcp_common.http import (
    BackendSettings,
    Endpoint,
    RetryPolicy,
    SecretBackedClient,
    verify_tls_of,
)
from mcp_common.testing import StaticSecretStore

PATH = "api/demo"


class DemoClient(SecretBackedClient[dict[str, Any]]):
    """The smallest backend client: a base URL, a token, a TLS flag."""

    BACKEND = "demo"

    def __init__(self, secrets: Any, **options: Any) -> None:
        options.setdefault("secret_path", PATH)
        options.setdefault("transport", httpx.MockTransport(self.answer))
        super().__init__(secrets, **options)
        self.reconnections = 0
        self.seen: list[str] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.url} {request.headers.get('authorization')}")
        return httpx.Response(200, json={"ok": True})

    def parse_secret(self, secret: Mapping[str, Any]) -> dict[str, Any]:
        if not secret.get("base_url"):
            raise ConfigurationError(f"secret '{self.secret_path}' lacks base_url")
        return {**secret, "verify": verify_tls_of(secret, self.secret_path)}

    def endpoint(self, config: dict[str, Any]) -> Endpoint:
        return config["base_url"], config["verify"]

    def reconnected(self, config: dict[str, Any]) -> None:
        self.reconnections += 1

    async def ping(self) -> Any:
        http, config = await self.connection()
        response = await http.get("/ping", headers={"authorization": config["token"]})
        return response.json()


def secret(url: str = "https://a.example", token: str = "t1", **extra: Any) -> dict[str, Any]:
    return {"base_url": url, "token": token, **extra}


async def test_the_secret_is_read_for_every_call_so_a_rotation_is_picked_up() -> None:
    store = StaticSecretStore({PATH: secret(token="t1")})
    client = DemoClient(store)
    await client.ping()
    store.set(PATH, secret(token="t2"))
    await client.ping()
    assert client.seen == ["https://a.example/ping t1", "https://a.example/ping t2"]
    assert store.reads == [PATH, PATH]
    await client.aclose()


async def test_one_pool_serves_while_the_endpoint_stays_the_same() -> None:
    store = StaticSecretStore({PATH: secret()})
    client = DemoClient(store)
    first, _ = await client.connection()
    store.set(PATH, secret(token="rotated"))
    second, _ = await client.connection()
    assert first is second and client.reconnections == 1
    await client.aclose()


@pytest.mark.parametrize("change", [{"url": "https://b.example"}, {"verify_tls": "false"}])
async def test_a_new_url_or_tls_setting_builds_a_new_pool_and_retires_the_old(
    change: dict[str, Any],
) -> None:
    store = StaticSecretStore({PATH: secret()})
    client = DemoClient(store)
    old, _ = await client.connection()
    store.set(PATH, secret(**change))
    new, _ = await client.connection()
    assert new is not old and client.reconnections == 2
    assert not old.is_closed  # calls in flight may still be using it
    await client.aclose()
    assert old.is_closed and new.is_closed


async def test_a_config_read_once_can_be_passed_in() -> None:
    store = StaticSecretStore({PATH: secret()})
    client = DemoClient(store)
    config = await client.config()
    _, used = await client.connection(config)
    assert used is config and store.reads == [PATH]
    await client.aclose()


async def test_secret_errors_reach_the_caller() -> None:
    with pytest.raises(SecretNotFound):
        await DemoClient(StaticSecretStore({})).ping()
    with pytest.raises(ConfigurationError, match="lacks base_url"):
        await DemoClient(StaticSecretStore({PATH: {"token": "t"}})).ping()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"secret_path": "/"}, "secret_path must not be empty"),
        ({"backend": ""}, "backend name"),
        ({"timeout": 0}, "timeout must be > 0 seconds"),
        ({"max_connections": 0}, "max_connections >= 1"),
        ({"max_waiting": -1}, "max_waiting >= 0"),
    ],
)
def test_the_constructor_validates(option: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DemoClient(StaticSecretStore({}), **option)


def test_a_client_without_a_backend_name_is_refused() -> None:
    class Unnamed(DemoClient):
        BACKEND = ""

    with pytest.raises(ValueError, match="backend name"):
        Unnamed(StaticSecretStore({}))


def test_from_settings_applies_the_shared_backend_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        "MCP_OIDC_ISSUER": "http://127.0.0.1:1",
        "MCP_OIDC_AUDIENCE": "test",
        "MCP_SECRETS_BACKEND": "file",
        "MCP_SECRETS_FILE": "unused.json",
        "MCP_SECRET_PATH": "api/elsewhere",
        "MCP_BACKEND_TIMEOUT": "7.5",
        "MCP_BACKEND_RETRIES": "1",
        "MCP_BACKEND_BACKOFF": "0.05",
        "MCP_BACKEND_MAX_RETRY_AFTER": "12",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    metrics = object()
    client = DemoClient.from_settings(BackendSettings(), StaticSecretStore({}), metrics)
    assert (client.secret_path, client.timeout) == ("api/elsewhere", 7.5)
    assert client.retry == RetryPolicy(retries=1, backoff=0.05, max_retry_after=12)
    assert (client.metrics, client.backend_name) == (metrics, "demo")


async def test_the_pool_is_built_with_the_clients_retry_policy() -> None:
    policy = RetryPolicy(retries=0, backoff=0.0, max_retry_after=1.0)
    client = DemoClient(StaticSecretStore({PATH: secret()}), retry=policy)
    http, _ = await client.connection()
    assert http._transport.retry is policy  # type: ignore[attr-defined]
    await client.aclose()


class PollingSettings(BackendSettings):
    poll_every: float = 2.0
    give_up_after: float = 60.0


class PollingClient(DemoClient):
    """A client with two options of its own that are settings too."""

    SETTINGS_OPTIONS = ("poll_every", "give_up_after")

    def __init__(
        self, secrets: Any, *, poll_every: float = 1.0, give_up_after: float = 30.0, **options: Any
    ) -> None:
        super().__init__(secrets, **options)
        self.poll_every = poll_every
        self.give_up_after = give_up_after


def settings_of(kind: type[BackendSettings], **values: Any) -> BackendSettings:
    return kind(
        oidc_issuer="http://127.0.0.1:1", oidc_audience="t", secrets_backend="file",
        secrets_file="x.json", secret_path=PATH, **values,
    )  # fmt: skip


def test_settings_options_are_taken_from_the_settings_fields_of_the_same_name() -> None:
    settings = settings_of(PollingSettings, poll_every=0.25, give_up_after=9.0)
    client = PollingClient.from_settings(settings, StaticSecretStore({}))
    assert (client.poll_every, client.give_up_after) == (0.25, 9.0)


def test_an_option_given_explicitly_wins_over_the_setting() -> None:
    settings = settings_of(PollingSettings, poll_every=0.25, give_up_after=9.0)
    client = PollingClient.from_settings(settings, StaticSecretStore({}), poll_every=5.0)
    assert (client.poll_every, client.give_up_after) == (5.0, 9.0)


def test_a_settings_option_that_is_no_field_of_the_settings_is_refused_by_name() -> None:
    message = (
        r"PollingClient.SETTINGS_OPTIONS names 'poll_every', 'give_up_after', "
        r"not a field of BackendSettings"
    )
    with pytest.raises(TypeError, match=message):
        PollingClient.from_settings(settings_of(BackendSettings), StaticSecretStore({}))


def test_backend_settings_need_a_secret_path() -> None:
    with pytest.raises(ValueError, match="secret_path"):
        BackendSettings(
            oidc_issuer="http://127.0.0.1:1", oidc_audience="t", secrets_backend="file",
            secrets_file="x.json",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), (True, True), (False, False), ("true", True), ("No", False), (" 0 ", False)],
)
def test_verify_tls_is_a_flag_that_defaults_to_true(value: Any, expected: bool) -> None:
    data = {} if value is None else {"verify_tls": value}
    assert verify_tls_of(data, PATH) is expected


def test_a_verify_tls_that_is_no_flag_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="secret 'api/demo': verify_tls must be"):
        verify_tls_of({"verify_tls": "maybe"}, PATH)
