"""Specification of VaultSecretStore, against a real OpenBao dev server (Vault API)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import re
import secrets
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import hvac
import pytest

from mcp_common.errors import SecretError, SecretNotFound, SecretStoreUnavailable
from mcp_common.secrets import (
    AppRoleAuth,
    KubernetesAuth,
    TokenAuth,
    VaultSecretStore,
)
from platform_launcher.openbao import OpenBaoDevServer

# The store's own tests: a reader of `secret/api/*` (the deployed policies are narrower, one
# path per service: common-services/launcher/tests and tests/test_secrets_isolation.py).
READER = """
path "secret/data/api/*" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/lookup-self" { capabilities = ["read"] }
"""

# Random per run, so finding one of them in a log line can only mean a leak.
SECRET_VALUES = {
    "password": f"pw-{secrets.token_hex(12)}",
    "client_secret": f"cs-{secrets.token_hex(12)}",
    "token": f"gh-{secrets.token_hex(12)}",
}
KNOWN_SECRETS: set[str] = set(SECRET_VALUES.values())
TOKEN_SHAPE = re.compile(r"\b(hvs|hvb|s|b)\.[A-Za-z0-9]{20,}")


@pytest.fixture(scope="session")
def bao() -> Iterator[OpenBaoDevServer]:
    """One OpenBao for the module: seeded, with the mcp-server policy and an AppRole."""
    with OpenBaoDevServer() as server:
        KNOWN_SECRETS.add(server.root_token)
        server.seed({"api/servicenow": {"username": "svc", **SECRET_VALUES}})
        server.seed({"internal/other": {"password": SECRET_VALUES["password"]}})
        yield server


@pytest.fixture(scope="session")
def approle(bao: OpenBaoDevServer) -> AppRoleAuth:
    role_id, secret_id = bao.enable_approle("mcp-server", ["mcp-server"], {"mcp-server": READER})
    KNOWN_SECRETS.add(secret_id)
    return AppRoleAuth(role_id=role_id, secret_id=secret_id)


@pytest.fixture(scope="session")
def root(bao: OpenBaoDevServer) -> hvac.Client:
    return hvac.Client(url=bao.addr, token=bao.root_token)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test: capture all loggers at DEBUG, then prove no value nor token was logged."""
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        text = " ".join([record.getMessage(), *map(str, vars(record).values())])
        for value in KNOWN_SECRETS:
            assert value not in text, f"secret leaked in log record {record.name}"
        assert not TOKEN_SHAPE.search(text), f"token leaked in log record {record.name}"


@pytest.fixture
async def stores() -> AsyncIterator[list[VaultSecretStore]]:
    """Stores created by a test are closed after it."""
    created: list[VaultSecretStore] = []
    yield created
    for store in created:
        await store.aclose()


def make(stores: list[VaultSecretStore], addr: str, **kwargs: Any) -> VaultSecretStore:
    store = VaultSecretStore(addr, **kwargs)
    stores.append(store)
    return store


def audits(caplog: pytest.LogCaptureFixture, path: str) -> list[tuple[str, str]]:
    """(outcome, source) of every `secret.read` audit event for `path`, in order."""
    return [
        (vars(r)["event.outcome"], vars(r)["secret.source"])
        for r in caplog.records
        if r.name == "mcp.audit" and vars(r).get("secret.path") == path
    ]


def new_token(root: hvac.Client, **kwargs: Any) -> str:
    token: str = root.auth.token.create(**kwargs)["auth"]["client_token"]
    KNOWN_SECRETS.add(token)
    return token


def expire_time(root: hvac.Client, token: str) -> datetime:
    raw = root.auth.token.lookup(token)["data"]["expire_time"]
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*Z$", r"\1+00:00", raw))


class Metrics:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def secret_read(self, source: str, outcome: str) -> None:
        self.calls.append((source, outcome))


# -- reading ----------------------------------------------------------------------------------


async def test_token_auth_reads_the_kv_v2_secret_at_its_path(
    bao: OpenBaoDevServer, stores: list[VaultSecretStore], caplog: pytest.LogCaptureFixture
) -> None:
    store = make(stores, bao.addr, auth=TokenAuth(bao.root_token))
    secret = await store.get("api/servicenow")
    assert dict(secret) == {"username": "svc", **SECRET_VALUES}
    assert await store.get("/api/servicenow/") == secret  # same logical path
    with pytest.raises(TypeError):
        secret["password"] = "changed"  # type: ignore[index]  # cached values are read-only
    event = next(r for r in caplog.records if r.name == "mcp.audit")
    assert event.getMessage() == "secret.read"
    assert vars(event)["secret.source"] == "vault"
    assert vars(event)["event.outcome"] == "success"
    assert vars(event)["event.duration"] > 0


async def test_approle_login_reads_with_the_mcp_server_policy(
    bao: OpenBaoDevServer, approle: AppRoleAuth, stores: list[VaultSecretStore]
) -> None:
    store = make(stores, bao.addr, auth=approle)
    assert (await store.get("api/servicenow"))["client_secret"] == SECRET_VALUES["client_secret"]


async def test_path_outside_the_policy_is_permission_denied_not_missing(
    bao: OpenBaoDevServer, approle: AppRoleAuth, stores: list[VaultSecretStore]
) -> None:
    store = make(stores, bao.addr, auth=approle)
    with pytest.raises(SecretError, match="Permission denied reading secret 'internal/other'") as e:
        await store.get("internal/other")
    assert not isinstance(e.value, SecretNotFound)


async def test_token_without_policy_is_permission_denied(
    bao: OpenBaoDevServer, root: hvac.Client, stores: list[VaultSecretStore]
) -> None:
    store = make(stores, bao.addr, auth=TokenAuth(new_token(root, policies=["default"])))
    with pytest.raises(SecretError, match="Permission denied"):
        await store.get("api/servicenow")


async def test_missing_path_is_secret_not_found_and_not_cached(
    bao: OpenBaoDevServer, stores: list[VaultSecretStore], caplog: pytest.LogCaptureFixture
) -> None:
    store = make(stores, bao.addr, auth=TokenAuth(bao.root_token), cache_ttl=60)
    with pytest.raises(SecretNotFound, match="api/not-yet"):
        await store.get("api/not-yet")
    bao.seed({"api/not-yet": {"base_url": "http://127.0.0.1:9"}})
    assert (await store.get("api/not-yet"))["base_url"] == "http://127.0.0.1:9"
    assert audits(caplog, "api/not-yet") == [("failure", "vault"), ("success", "vault")]


async def test_deleted_secret_is_not_found_and_never_served_stale(
    bao: OpenBaoDevServer, root: hvac.Client, stores: list[VaultSecretStore]
) -> None:
    bao.seed({"api/deleted": {"token": SECRET_VALUES["token"]}})
    store = make(stores, bao.addr, auth=TokenAuth(bao.root_token), cache_ttl=0, stale_max=60)
    await store.get("api/deleted")
    root.secrets.kv.v2.delete_latest_version_of_secret("api/deleted")
    with pytest.raises(SecretNotFound):
        await store.get("api/deleted")
    with pytest.raises(SecretNotFound):
        await store.get("api/deleted")


async def test_cache_serves_the_old_value_until_its_ttl_then_the_new_one(
    bao: OpenBaoDevServer,
    root: hvac.Client,
    stores: list[VaultSecretStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bao.seed({"api/cached": {"username": "v1"}})
    metrics = Metrics()
    store = make(stores, bao.addr, auth=TokenAuth(bao.root_token), cache_ttl=0.5, metrics=metrics)
    assert (await store.get("api/cached"))["username"] == "v1"
    root.secrets.kv.v2.create_or_update_secret("api/cached", secret={"username": "v2"})
    assert (await store.get("api/cached"))["username"] == "v1"  # Vault not asked
    await asyncio.sleep(0.6)
    assert (await store.get("api/cached"))["username"] == "v2"
    # Each read from Vault is audited; the one served from the cache is only counted.
    assert audits(caplog, "api/cached") == [("success", "vault"), ("success", "vault")]
    assert metrics.calls == [("vault", "success"), ("cache", "success"), ("vault", "success")]


async def test_concurrent_misses_for_one_path_share_one_vault_read(
    bao: OpenBaoDevServer, stores: list[VaultSecretStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make(stores, bao.addr, auth=TokenAuth(bao.root_token))
    kv2 = store._client.secrets.kv.v2
    real_read = kv2.read_secret_version
    calls: list[str] = []

    def counting_read(**kwargs: Any) -> Any:
        calls.append(kwargs["path"])
        time.sleep(0.05)  # a slow Vault: the other callers arrive meanwhile
        return real_read(**kwargs)

    monkeypatch.setattr(kv2, "read_secret_version", counting_read)
    results = await asyncio.gather(*(store.get("api/servicenow") for _ in range(8)))
    assert calls == ["api/servicenow"]
    assert all(r["username"] == "svc" for r in results)


async def test_metrics_hook_that_raises_does_not_break_reads(
    bao: OpenBaoDevServer, stores: list[VaultSecretStore]
) -> None:
    class Broken:
        def secret_read(self, source: str, outcome: str) -> None:
            raise RuntimeError("metrics backend down")

    store = make(stores, bao.addr, auth=TokenAuth(bao.root_token), metrics=Broken())
    assert (await store.get("api/servicenow"))["username"] == "svc"


# -- tokens -----------------------------------------------------------------------------------


async def test_renewable_token_is_renewed_before_a_read_when_its_ttl_runs_low(
    bao: OpenBaoDevServer, root: hvac.Client, stores: list[VaultSecretStore]
) -> None:
    token = new_token(root, policies=["mcp-server"], ttl="30s", renewable=True)
    await asyncio.sleep(1.2)  # the token has aged: less than 99% of its TTL is left
    before = expire_time(root, token)
    # renew_threshold=0.99 stands for the default 1/3 without waiting 20 s.
    store = make(stores, bao.addr, auth=TokenAuth(token), renew_threshold=0.99)
    await store.get("api/servicenow")
    lookup = root.auth.token.lookup(token)["data"]
    assert (expire_time(root, token) - before).total_seconds() > 1.0
    assert lookup["ttl"] >= 29


async def test_background_task_renews_the_token_without_reads_and_stops_on_aclose(
    bao: OpenBaoDevServer, root: hvac.Client
) -> None:
    token = new_token(root, policies=["mcp-server"], ttl="30s", renewable=True)
    store = VaultSecretStore(bao.addr, auth=TokenAuth(token), renew_threshold=0.99)
    try:
        await store.get("api/servicenow")
        first = expire_time(root, token)
        for _ in range(20):  # the task wakes up after 1 s; allow it up to 4 s
            await asyncio.sleep(0.2)
            if expire_time(root, token) > first:
                break
        assert expire_time(root, token) > first, "the background task did not renew the token"
    finally:
        await store.aclose()
    running = [t for t in asyncio.all_tasks() if t.get_name() == "vault-token-renewal"]
    assert not [t for t in running if not t.done()]
    with pytest.raises(SecretStoreUnavailable, match="closed"):
        await store.get("api/servicenow")


async def test_revoked_approle_token_triggers_one_new_login_and_a_retry(
    bao: OpenBaoDevServer,
    approle: AppRoleAuth,
    root: hvac.Client,
    stores: list[VaultSecretStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = make(stores, bao.addr, auth=approle, cache_ttl=0)
    await store.get("api/servicenow")
    root.sys.revoke_prefix("auth/approle/login")
    assert (await store.get("api/servicenow"))["username"] == "svc"
    logins = [r for r in caplog.records if r.getMessage() == "Logged in to Vault"]
    assert len(logins) == 2
    assert audits(caplog, "api/servicenow") == [("success", "vault")] * 2


async def test_wrong_approle_secret_id_is_a_clear_error(
    bao: OpenBaoDevServer, approle: AppRoleAuth, stores: list[VaultSecretStore]
) -> None:
    bad = AppRoleAuth(role_id=approle.role_id, secret_id="00000000-0000-0000-0000-000000000000")
    store = make(stores, bao.addr, auth=bad)
    with pytest.raises(SecretError, match="Vault rejected the AppRoleAuth credentials"):
        await store.get("api/servicenow")
    assert not await store.ready()


async def test_kubernetes_auth_without_a_service_account_token_is_a_clear_error(
    bao: OpenBaoDevServer, stores: list[VaultSecretStore], tmp_path: Path
) -> None:
    auth = KubernetesAuth(role="mcp-server", jwt_path=str(tmp_path / "token"))
    store = make(stores, bao.addr, auth=auth)
    with pytest.raises(SecretError, match="Cannot read the Kubernetes service account token"):
        await store.get("api/servicenow")
    (tmp_path / "token").write_text("not-a-jwt")  # kubernetes auth is not enabled here
    with pytest.raises(SecretError, match="Vault rejected the KubernetesAuth credentials"):
        await store.get("api/servicenow")


async def test_ready_needs_a_healthy_vault_and_a_working_token(
    bao: OpenBaoDevServer, root: hvac.Client, stores: list[VaultSecretStore]
) -> None:
    assert await make(stores, bao.addr, auth=TokenAuth(bao.root_token)).ready()
    revoked = new_token(root, policies=["mcp-server"])
    root.auth.token.revoke(revoked)
    assert not await make(stores, bao.addr, auth=TokenAuth(revoked)).ready()


# -- Vault down -------------------------------------------------------------------------------


@pytest.fixture
def stoppable_bao() -> Iterator[OpenBaoDevServer]:
    with OpenBaoDevServer() as server:
        KNOWN_SECRETS.add(server.root_token)
        server.seed({"api/github": {"base_url": "http://127.0.0.1:9", **SECRET_VALUES}})
        yield server


@pytest.fixture
def stoppable_store(
    stoppable_bao: OpenBaoDevServer, stores: list[VaultSecretStore]
) -> Callable[..., VaultSecretStore]:
    """Stores (options as keywords) reading from the stoppable server with its root token."""
    return functools.partial(
        make, stores, stoppable_bao.addr, auth=TokenAuth(stoppable_bao.root_token)
    )


async def test_vault_stopped_mid_run_serves_last_known_good_then_fails_clearly(
    stoppable_bao: OpenBaoDevServer,
    stoppable_store: Callable[..., VaultSecretStore],
    caplog: pytest.LogCaptureFixture,
) -> None:
    stale_max = 1.5
    store = stoppable_store(cache_ttl=0, stale_max=stale_max, timeout=1)
    fresh = await store.get("api/github")
    fetched_at = time.monotonic()
    stoppable_bao.stop()

    assert await store.get("api/github") == fresh
    # Still ready while last-known-good values can be served, but marked degraded.
    assert await store.ready() and store.degraded
    with pytest.raises(SecretStoreUnavailable, match="no value was ever read"):
        await store.get("api/never-read")

    await asyncio.sleep(max(0.0, stale_max - (time.monotonic() - fetched_at)) + 0.05)
    assert not await store.ready()
    with pytest.raises(SecretStoreUnavailable) as failure:
        await store.get("api/github")
    message = str(failure.value)
    assert "Vault is unreachable" in message
    assert "older than stale_max=1.5s" in message
    assert "api/github" in message
    assert not any(value in message for value in KNOWN_SECRETS)
    assert audits(caplog, "api/github") == [
        ("success", "vault"),
        ("success", "stale"),
        ("failure", "vault"),
    ]


@contextlib.contextmanager
def paused(server: OpenBaoDevServer) -> Iterator[None]:
    """Freeze the OpenBao process (SIGSTOP): connections open, nothing ever answers."""
    process = server._process  # the dev server offers no pause of its own
    assert process is not None
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


class DegradedHook:
    """A metrics hook recording reads and the degraded flag."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, str]] = []
        self.degraded: list[bool] = []

    def secret_read(self, source: str, outcome: str) -> None:
        self.reads.append((source, outcome))

    def secrets_degraded(self, degraded: bool) -> None:
        self.degraded.append(degraded)


async def test_once_vault_hangs_reads_stop_paying_its_timeout_and_ready_stays_up(
    stoppable_bao: OpenBaoDevServer, stoppable_store: Callable[..., VaultSecretStore]
) -> None:
    hook = DegradedHook()
    store = stoppable_store(cache_ttl=0, timeout=1.5, unreachable_backoff=30, metrics=hook)
    fresh = await store.get("api/github")
    with paused(stoppable_bao):
        started = time.monotonic()
        assert await store.get("api/github") == fresh  # this one waits for the timeout
        assert time.monotonic() - started >= 1.0
        started = time.monotonic()
        for _ in range(5):
            assert await store.get("api/github") == fresh
        with pytest.raises(SecretStoreUnavailable, match="known down"):
            await store.get("api/never-read")
        assert await store.ready() and store.degraded
        assert time.monotonic() - started < 1.5  # not even one more Vault timeout paid
    assert hook.degraded == [True]
    assert ("stale", "success") in hook.reads


async def test_a_hung_vault_makes_ready_answer_within_its_own_bound(
    stoppable_bao: OpenBaoDevServer, stoppable_store: Callable[..., VaultSecretStore]
) -> None:
    store = stoppable_store(timeout=5)
    assert await store.ready()
    with paused(stoppable_bao):
        started = time.monotonic()
        assert not await store.ready()  # nothing was ever read: nothing to serve
        assert time.monotonic() - started < 3.0  # /readyz gives up at 3 s
        assert not store.degraded


async def test_vault_back_after_the_backoff_ends_the_degradation(
    stoppable_bao: OpenBaoDevServer, stoppable_store: Callable[..., VaultSecretStore]
) -> None:
    hook = DegradedHook()
    store = stoppable_store(cache_ttl=0, timeout=1, unreachable_backoff=0.5, metrics=hook)
    await store.get("api/github")
    with paused(stoppable_bao):
        await store.get("api/github")
        assert store.degraded
    # Once the 0.5 s backoff is over, the next read asks Vault again (a loaded machine may
    # need more than one try for the resumed server to answer within the 1 s timeout).
    deadline = time.monotonic() + 15
    while store.degraded and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        await store.get("api/github")
    assert not store.degraded and await store.ready()
    assert hook.degraded == [True, False]


# -- construction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"addr": "vault:8200"}, "addr"),
        ({"cache_ttl": -1}, "cache_ttl"),
        ({"stale_max": -1}, "stale_max"),
        ({"timeout": 0}, "timeout"),
        ({"unreachable_backoff": 0}, "unreachable_backoff"),
        ({"mount": "/"}, "mount"),
        ({"renew_threshold": 1.5}, "renew_threshold"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs: Mapping[str, Any], match: str) -> None:
    args: dict[str, Any] = {"addr": "http://127.0.0.1:8200", "auth": TokenAuth("t"), **kwargs}
    with pytest.raises(ValueError, match=match):
        VaultSecretStore(args.pop("addr"), **args)
