"""The backend client against the Catalyst Center simulator: login, tokens, retries, tasks, TLS."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from catalyst_center_simulator import create_catalyst_center_app
from mcp_catalyst_center.client import CatalystCenterClient, path_id
from mcp_catalyst_center.config import backend_config
from mcp_catalyst_center.errors import InvalidArgument, TaskFailed, TaskTimedOut
from mcp_catalyst_center.settings import CatalystCenterSettings
from mcp_common import SecretNotFound, UpstreamError
from mcp_common.http import RetryPolicy
from mcp_common.testing import StaticSecretStore
from simulator_kit.network import DEVICES

DEVICE = "/dna/intent/api/v1/network-device"
RUNNER = "/dna/intent/api/v1/network-device-poller/cli/read-request"
PAR_ACC_01 = next(d.id for d in DEVICES if d.hostname == "par-acc-01")


@pytest_asyncio.fixture
async def fresh(secrets: StaticSecretStore) -> AsyncIterator[CatalystCenterClient]:
    """A client with no token yet."""
    cc = CatalystCenterClient(
        secrets, task_poll_interval=0.02, task_timeout=0.5, retry=RetryPolicy(retries=2)
    )
    yield cc
    await cc.aclose()


def logins(simulator: Any) -> int:
    return int(simulator.stats()["logins"])


# --- login and tokens -------------------------------------------------------------------
async def test_first_call_logs_in_and_later_calls_reuse_the_token(
    fresh: CatalystCenterClient, simulator: Any
) -> None:
    before = logins(simulator)
    for _ in range(3):
        body = await fresh.get(f"{DEVICE}/count")
    assert body["response"] == len(DEVICES)
    assert logins(simulator) == before + 1


async def test_concurrent_first_calls_share_one_login(
    fresh: CatalystCenterClient, simulator: Any
) -> None:
    before = logins(simulator)
    results = await asyncio.gather(*(fresh.get(f"{DEVICE}/count") for _ in range(10)))
    assert all(r["response"] == len(DEVICES) for r in results)
    assert logins(simulator) == before + 1


async def test_an_expired_token_is_replaced_once_and_the_call_succeeds(
    fresh: CatalystCenterClient, simulator: Any
) -> None:
    await fresh.get(f"{DEVICE}/count")
    before = logins(simulator)
    simulator.expire_tokens()
    assert (await fresh.get(f"{DEVICE}/count"))["response"] == len(DEVICES)
    assert logins(simulator) == before + 1


async def test_concurrent_401s_cause_a_single_new_login(
    fresh: CatalystCenterClient, simulator: Any
) -> None:
    await fresh.get(f"{DEVICE}/count")
    simulator.expire_tokens()
    before = logins(simulator)
    results = await asyncio.gather(*(fresh.get(f"{DEVICE}/count") for _ in range(8)))
    assert len(results) == 8
    assert logins(simulator) == before + 1


async def test_a_fresh_token_rejected_again_is_an_error_after_one_retry() -> None:
    seen: list[str] = []

    def backend(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/auth/token"):
            return httpx.Response(200, json={"Token": f"t{len(seen)}"})
        return httpx.Response(401, json={"error": "Token is invalid"})

    secrets = StaticSecretStore(
        {"api/catalyst-center": {"base_url": "http://cc.test", "username": "u", "password": "p"}}
    )
    cc = CatalystCenterClient(secrets, transport=httpx.MockTransport(backend))
    with pytest.raises(UpstreamError, match="rejected a freshly issued token") as caught:
        await cc.get(DEVICE)
    await cc.aclose()
    assert caught.value.status == 401
    assert seen == ["/dna/system/api/v1/auth/token", DEVICE] * 2


async def test_rejected_credentials_are_a_clear_error_without_the_password(
    simulator: Any,
) -> None:
    secret = {**simulator.secret(), "password": "wrong-password-xyz"}
    cc = CatalystCenterClient(StaticSecretStore({"api/catalyst-center": secret}))
    with pytest.raises(UpstreamError) as caught:
        await cc.get(DEVICE)
    await cc.aclose()
    assert "credentials at 'api/catalyst-center' were rejected" in str(caught.value)
    assert "wrong-password-xyz" not in str(caught.value)


async def test_a_missing_secret_fails_closed() -> None:
    cc = CatalystCenterClient(StaticSecretStore({}))
    with pytest.raises(SecretNotFound):
        await cc.get(DEVICE)


async def test_a_new_base_url_in_the_secret_is_picked_up(
    simulator: Any, serve: Any, secrets: StaticSecretStore
) -> None:
    other = serve(create_catalyst_center_app(username="svc-mcp", password="other-pw"))
    store = StaticSecretStore({"api/catalyst-center": simulator.secret()})
    cc = CatalystCenterClient(store)
    await cc.get(f"{DEVICE}/count")
    store.set(
        "api/catalyst-center", {**simulator.secret(), "base_url": other.url, "password": "other-pw"}
    )
    assert (await cc.get(f"{DEVICE}/count"))["response"] == len(DEVICES)
    await cc.aclose()
    assert type(simulator)(other.url).stats()["logins"] == 1


# --- HTTP errors and retries ------------------------------------------------------------
async def test_429_is_retried_after_retry_after(
    client: CatalystCenterClient, simulator: Any
) -> None:
    before = simulator.stats()
    simulator.fault(f"{DEVICE}/count", 429, retry_after=0)
    assert (await client.get(f"{DEVICE}/count"))["response"] == len(DEVICES)
    after = simulator.stats()
    assert after["requests"][f"{DEVICE}/count"] == before["requests"][f"{DEVICE}/count"] + 2


async def test_a_500_is_not_retried_and_is_reported(
    client: CatalystCenterClient, simulator: Any
) -> None:
    before = simulator.stats()["total_requests"]
    simulator.fault(DEVICE, 500)
    with pytest.raises(UpstreamError, match=r"^catalyst-center returned HTTP 500$"):
        await client.get(DEVICE)
    assert simulator.stats()["total_requests"] == before + 1


async def test_a_503_on_a_read_is_retried_then_reported(
    client: CatalystCenterClient, simulator: Any
) -> None:
    simulator.fault(DEVICE, 503, count=3)
    with pytest.raises(UpstreamError, match="HTTP 503") as caught:
        await client.get(DEVICE)
    assert caught.value.status == 503
    simulator._admin("POST", "faults/clear")


async def test_a_404_carries_the_backend_message(client: CatalystCenterClient) -> None:
    with pytest.raises(UpstreamError, match="404 Not Found: Network device not found") as caught:
        await client.get(f"{DEVICE}/00000000-0000-4000-8000-000000000000")
    assert caught.value.status == 404


def test_ids_that_could_escape_the_url_path_are_refused() -> None:
    for bad in ("../network-device", "a/b", "", "x" * 200, "id?x=1"):
        with pytest.raises(InvalidArgument):
            path_id(bad, "task id")


# --- asynchronous tasks -----------------------------------------------------------------
async def _runner_task(client: CatalystCenterClient) -> str:
    body = await client.post(RUNNER, {"commands": ["show clock"], "deviceUuids": [PAR_ACC_01]})
    return str(body["response"]["taskId"])


async def test_a_task_is_polled_until_it_ends(client: CatalystCenterClient) -> None:
    task = await client.wait_for_task(await _runner_task(client))
    assert task["endTime"] and not task["isError"] and "fileId" in task["progress"]


async def test_a_failed_task_raises_with_its_failure_reason(
    client: CatalystCenterClient, simulator: Any
) -> None:
    simulator.fail_next_task("Device par-acc-01 is locked by another job")
    task_id = await _runner_task(client)
    with pytest.raises(TaskFailed) as caught:
        await client.wait_for_task(task_id)
    assert str(caught.value) == (
        f"Catalyst Center task {task_id} failed: Device par-acc-01 is locked by another job"
    )


async def test_a_task_that_never_ends_times_out_at_the_deadline(
    client: CatalystCenterClient, simulator: Any
) -> None:
    simulator.hang_next_task()
    task_id = await _runner_task(client)
    started = time.monotonic()
    with pytest.raises(TaskTimedOut, match=f"task {task_id} did not complete within 0.5 s"):
        await client.wait_for_task(task_id)
    assert 0.45 <= time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"task_poll_interval": 0},
        {"task_timeout": -1},
        {"secret_path": ""},
    ],
)
def test_the_constructor_refuses_bad_settings(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        CatalystCenterClient(StaticSecretStore({}), **kwargs)


def test_from_settings_takes_the_task_options_and_the_retry_policy_from_the_settings() -> None:
    settings = CatalystCenterSettings(
        oidc_issuer="http://127.0.0.1:9", oidc_audience="mcp-platform",
        vault_addr="http://127.0.0.1:9", vault_token="unused",
        task_poll_interval=0.25, task_timeout=30.0, backend_retries=1,
    )  # fmt: skip
    cc = CatalystCenterClient.from_settings(settings, StaticSecretStore({}))
    assert (cc.task_poll_interval, cc.task_timeout) == (0.25, 30.0)
    assert cc.retry == RetryPolicy(retries=1)


# --- TLS --------------------------------------------------------------------------------
def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "catalyst-center.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The simulator over HTTPS with a self-signed certificate: (base URL, the cert's PEM)."""
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_catalyst_center_app(username="svc-mcp", password="tls-pw")
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="error",
            ssl_certfile=str(cert),
            ssl_keyfile=str(key),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield f"https://127.0.0.1:{port}", cert.read_text()
    server.should_exit = True
    thread.join(5)


async def _count_over_tls(url: str, **extra: str) -> Any:
    secret = {"base_url": url, "username": "svc-mcp", "password": "tls-pw", **extra}
    cc = CatalystCenterClient(
        StaticSecretStore({"api/catalyst-center": secret}), retry=RetryPolicy(retries=0)
    )
    try:
        return (await cc.get(f"{DEVICE}/count"))["response"]
    finally:
        await cc.aclose()


async def test_an_untrusted_certificate_is_refused_by_default(
    tls_simulator: tuple[str, str],
) -> None:
    with pytest.raises(UpstreamError, match="TLS certificate verification failed"):
        await _count_over_tls(tls_simulator[0])


async def test_a_ca_bundle_from_the_secret_makes_the_certificate_trusted(
    tls_simulator: tuple[str, str],
) -> None:
    url, pem = tls_simulator
    assert await _count_over_tls(url, ca_bundle=pem) == len(DEVICES)
    written = backend_config({"base_url": url, "username": "u", "password": "p",
                              "ca_bundle": pem}, "p").verify  # fmt: skip
    assert isinstance(written, str)
    os.remove(written)  # the client wrote the PEM to a private file; leave /tmp clean


async def test_verification_can_be_turned_off_explicitly(tls_simulator: tuple[str, str]) -> None:
    assert await _count_over_tls(tls_simulator[0], verify_tls="false") == len(DEVICES)
