"""HttpBackend against the RADKit simulator: session, polling, and every failure made clear."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx

from mcp_common import UpstreamError
from mcp_common.http import RetryPolicy, make_http_client
from mcp_radkit.config import radkit_config
from mcp_radkit.errors import BACKEND, DeviceNotFound, RequestTimedOut
from mcp_radkit.http_backend import HttpBackend

PREFIX = "/api/services/test-rdkt-0042"


def backend_for(
    secret: dict[str, Any], *, timeout: float = 30.0, retries: int = 2, **options: Any
) -> HttpBackend:
    """A backend over its own pool (RadkitClient shares one per endpoint)."""
    config = radkit_config(secret, "api/radkit")
    # respx (used by some tests) mocks httpx's own transport, not the default aiohttp pool.
    transport = httpx.AsyncHTTPTransport() if "invalid" in config.base_url else None
    http = make_http_client(
        BACKEND, base_url=config.base_url, verify=config.verify, timeout=timeout,
        retry=RetryPolicy(retries=retries), transport=transport,
    )  # fmt: skip
    return HttpBackend(config, http, **{"poll_interval": 0.02, "wait_margin": 0.5, **options})


@pytest_asyncio.fixture
async def backend(simulator: Any) -> AsyncIterator[HttpBackend]:
    simulator.reset()
    b = backend_for(simulator.secret())
    yield b
    await b.aclose()


def test_it_needs_an_http_mode_config(simulator: Any) -> None:
    with pytest.raises(ValueError, match="http-mode"):
        backend_for({**simulator.secret(), "mode": "sdk"})
    with pytest.raises(ValueError, match="poll_interval"):
        backend_for(simulator.secret(), poll_interval=0)


async def test_ping_inventory_and_device(backend: HttpBackend) -> None:
    service = await backend.ping()
    assert (service.service_id, service.status, service.inventory_size) == (
        "test-rdkt-0042", "READY", 20
    )  # fmt: skip
    devices = await backend.inventory()
    assert len(devices) == 20
    nexus = await backend.device("lon-core-01")
    assert (nexus.device_type, nexus.host, nexus.attributes["site"]) == (
        "NXOS", "10.20.0.1", "London-DC"
    )  # fmt: skip
    assert nexus in devices


async def test_unknown_devices_are_device_not_found(backend: HttpBackend, simulator: Any) -> None:
    with pytest.raises(DeviceNotFound, match="'nope'"):
        await backend.device("nope")
    with pytest.raises(DeviceNotFound) as caught:
        await backend.exec(["par-acc-01", "ghost-1", "ghost-2"], ["show clock"], 5)
    assert caught.value.names == ("ghost-1", "ghost-2")
    assert simulator.stats()["commands_run"] == 0


async def test_exec_waits_for_completion_and_keeps_the_order_sent(backend: HttpBackend) -> None:
    result = await backend.exec(["lon-core-01", "par-rtr-01"], ["show clock", "show version"], 5)
    assert result.request_id
    assert [d.device for d in result.devices] == ["lon-core-01", "par-rtr-01"]
    router = result.devices[1]
    assert router.status == "SUCCESS"
    assert [c.command for c in router.commands] == ["show clock", "show version"]
    assert "Cisco IOS XE Software" in router.commands[1].output


async def test_unreachable_devices_come_back_as_timeout(backend: HttpBackend) -> None:
    result = await backend.exec(["par-acc-03"], ["show clock"], 0.2)
    device = result.devices[0]
    assert device.status == "TIMEOUT"
    assert device.commands[0].status == "TIMEOUT"
    assert "timed out" in device.message
    found = await backend.reachability(["par-acc-03", "par-acc-01"], 0.2)
    assert [(r.device, r.reachable) for r in found] == [("par-acc-03", False), ("par-acc-01", True)]


async def test_an_expired_session_leads_to_one_new_login(
    backend: HttpBackend, simulator: Any
) -> None:
    await backend.ping()
    simulator.expire_tokens()
    await asyncio.gather(*(backend.inventory() for _ in range(5)))
    assert simulator.stats()["logins"] == 2


async def test_rejected_credentials_are_a_clear_login_error(simulator: Any) -> None:
    backend = backend_for({**simulator.secret(), "client_secret": "wrong-secret"})
    with pytest.raises(UpstreamError, match="login failed \\(HTTP 401\\)") as caught:
        await backend.ping()
    assert "wrong-secret" not in str(caught.value)
    await backend.aclose()


async def test_an_unknown_service_id_is_named(simulator: Any) -> None:
    backend = backend_for({**simulator.secret(), "service_id": "nope-0000-0000"})
    with pytest.raises(UpstreamError, match="service 'nope-0000-0000' is unknown to the relay"):
        await backend.ping()
    await backend.aclose()


async def test_a_5xx_is_a_clear_upstream_error(backend: HttpBackend, simulator: Any) -> None:
    simulator.fault(f"{PREFIX}/inventory", 500)
    with pytest.raises(UpstreamError) as caught:
        await backend.inventory()
    assert (str(caught.value), caught.value.status) == ("radkit returned HTTP 500", 500)


async def test_a_503_on_a_read_is_retried(backend: HttpBackend, simulator: Any) -> None:
    simulator.fault(f"{PREFIX}/inventory", 503)
    assert len(await backend.inventory()) == 20
    assert simulator.stats()["requests"][f"{PREFIX}/inventory"] == 2


async def test_an_exec_is_never_sent_twice(backend: HttpBackend, simulator: Any) -> None:
    await backend.ping()
    simulator.fault(f"{PREFIX}/exec", 503)
    with pytest.raises(UpstreamError, match="HTTP 503"):
        await backend.exec(["par-acc-01"], ["show clock"], 5)
    stats = simulator.stats()
    assert stats["requests"][f"{PREFIX}/exec"] == 1
    assert stats["commands_run"] == 0


async def test_a_request_that_never_completes_times_out_clearly(
    backend: HttpBackend, simulator: Any
) -> None:
    simulator.hang_next()
    started = time.monotonic()
    with pytest.raises(RequestTimedOut, match=r"did not complete within 0\.7 s") as caught:
        await backend.exec(["par-acc-01"], ["show clock"], 0.2)
    assert 0.7 <= time.monotonic() - started < 2
    assert caught.value.kind == "timeout"


async def test_a_slow_relay_is_an_http_timeout(simulator: Any) -> None:
    simulator.reset()
    backend = backend_for(simulator.secret(), timeout=0.2, retries=0)
    simulator.fault(PREFIX, delay=0.5, count=1)
    with pytest.raises(UpstreamError, match=r"radkit timed out after 0\.2 s"):
        await backend.ping()
    await backend.aclose()


async def test_a_body_that_is_not_json_is_an_upstream_error(simulator: Any) -> None:
    url = "http://radkit.invalid"
    backend = backend_for({**simulator.secret(), "base_url": url})
    with respx.mock(assert_all_called=True) as mock:
        mock.post(f"{url}/api/login").respond(200, json={"token": "t0k"})
        mock.get(f"{url}{PREFIX}").respond(200, text="<html>relay maintenance</html>")
        with pytest.raises(UpstreamError, match="not a JSON object"):
            await backend.ping()
    await backend.aclose()


async def test_the_session_token_is_sent_as_bearer_and_never_logged(
    simulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.headers.get("authorization", ""))

    backend = backend_for(simulator.secret())
    backend._http.event_hooks["request"].append(hook)
    with caplog.at_level("DEBUG"):
        await backend.ping()
    await backend.aclose()
    token = seen[-1].removeprefix("Bearer ")
    assert seen[-1].startswith("Bearer ") and len(token) >= 40
    assert token not in caplog.text
    assert "sim-Radkit-Secret-for-tests" not in caplog.text
