"""The REST client against the simulator: conventions, auth, errors, retries, token renewal."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from mcp_common.errors import SecretNotFound, UpstreamError
from mcp_common.http import RetryPolicy
from mcp_common.testing import StaticSecretStore
from mcp_service_now.client import Page, ServiceNowClient
from mcp_service_now.errors import InvalidArgument, ServiceNowError, ServiceNowNotFound

PATH = "api/servicenow"


def secret(sim: Any, *, oauth: bool, **overrides: str) -> dict[str, str]:
    data = {"instance_url": sim.url, "username": sim.user, "password": sim.password}
    if oauth:
        data.update(client_id=sim.client_id, client_secret=sim.client_secret)
    return {**data, **overrides}


@pytest.fixture
async def basic(fresh: Any) -> AsyncIterator[ServiceNowClient]:
    store = StaticSecretStore({PATH: secret(fresh, oauth=False)})
    client = ServiceNowClient(store, retry=RetryPolicy(retries=2, backoff=0.01))
    yield client
    await client.aclose()


@pytest.fixture
async def oauth(fresh: Any) -> AsyncIterator[ServiceNowClient]:
    store = StaticSecretStore({PATH: secret(fresh, oauth=True)})
    client = ServiceNowClient(store, retry=RetryPolicy(retries=2, backoff=0.01))
    yield client
    await client.aclose()


async def test_lists_are_paged_with_the_total_count(basic: ServiceNowClient) -> None:
    first = await basic.list_records(
        "cmdb_ci", query="nameSTARTSWITHpar-", fields=["sys_id", "name"], limit=2
    )
    assert isinstance(first, Page) and len(first.records) == 2
    assert first.total > 2 and first.next_offset == 2
    assert set(first.records[0]) == {"sys_id", "name"}
    assert first.records[0]["name"]["display_value"].startswith("par-")  # value/display pairs
    last = await basic.list_records(
        "cmdb_ci", query="nameSTARTSWITHpar-", fields=["name"], limit=2, offset=first.total - 1
    )
    assert len(last.records) == 1 and last.next_offset is None


async def test_a_record_is_read_by_sys_id_with_display_values(basic: ServiceNowClient) -> None:
    page = await basic.list_records("incident", fields=["sys_id"], limit=1)
    sys_id = page.records[0]["sys_id"]["value"]
    record = await basic.get_record("incident", sys_id, fields=["number", "state"])
    assert record["number"]["value"].startswith("INC")
    assert record["state"] == {"display_value": "In Progress", "value": "2"}


async def test_an_unknown_record_is_not_found_with_servicenows_message(
    basic: ServiceNowClient,
) -> None:
    with pytest.raises(ServiceNowNotFound) as exc:
        await basic.get_record("incident", "0" * 32)
    assert exc.value.status == 404
    assert "No Record found" in str(exc.value) and "ACL restricts" in str(exc.value)


async def test_a_rejected_write_carries_servicenows_message_and_detail(
    basic: ServiceNowClient,
) -> None:
    with pytest.raises(ServiceNowError) as exc:
        await basic.create_record("incident", {"short_description": "x", "impact": "9"})
    assert exc.value.status == 400
    assert exc.value.message == "Invalid value for field impact (Impact)"
    assert "'9' is not a valid choice" in str(exc.value)


async def test_wrong_basic_credentials_name_the_secret_not_the_password(fresh: Any) -> None:
    store = StaticSecretStore({PATH: secret(fresh, oauth=False, password="wrong-pw-123")})
    client = ServiceNowClient(store)
    with pytest.raises(ServiceNowError) as exc:
        await client.list_records("incident")
    await client.aclose()
    assert exc.value.status == 401 and "api/servicenow" in str(exc.value)
    assert "User Not Authenticated" in str(exc.value) and "wrong-pw-123" not in str(exc.value)


async def test_429_is_retried_after_retry_after(basic: ServiceNowClient, fresh: Any) -> None:
    fresh.fault(path_prefix="/api/now/table/incident", status=429, retry_after=1)
    started = time.monotonic()
    page = await basic.list_records("incident", limit=1)
    assert time.monotonic() - started >= 0.9
    assert page.total >= 1
    assert fresh.requests("GET /api/now/table/incident") == 2


async def test_5xx_on_a_read_is_retried_then_reported(basic: ServiceNowClient, fresh: Any) -> None:
    fresh.fault(path_prefix="/api/now/table/incident", status=503, retry_after=0, count=5)
    with pytest.raises(UpstreamError) as exc:
        await basic.list_records("incident")
    assert exc.value.status == 503 and "servicenow returned HTTP 503" in str(exc.value)
    assert fresh.requests("GET /api/now/table/incident") == 3  # 1 + 2 retries


async def test_5xx_on_a_create_is_not_retried(basic: ServiceNowClient, fresh: Any) -> None:
    fresh.fault(path_prefix="/api/now/table/incident", status=502, method="POST")
    with pytest.raises(UpstreamError):
        await basic.create_record("incident", {"short_description": "x"})
    assert fresh.requests("POST /api/now/table/incident") == 1


async def test_an_expired_oauth_token_is_refreshed_and_the_call_repeated(
    oauth: ServiceNowClient, fresh: Any
) -> None:
    await oauth.list_records("incident", limit=1)
    assert fresh.expire_tokens() == 1
    page = await oauth.list_records("incident", limit=1)
    assert page.records
    assert fresh.requests("GET /api/now/table/incident") == 3  # ok, 401, ok
    assert oauth.oauth.grants == ["password", "refresh_token"]


async def test_a_create_refused_with_401_is_sent_again_once_with_a_new_token(
    oauth: ServiceNowClient, fresh: Any
) -> None:
    await oauth.list_records("incident", limit=1)
    fresh.expire_tokens()
    created = await oauth.create_record("incident", {"short_description": "after expiry"})
    assert created["number"]["value"].startswith("INC")
    assert fresh.requests("POST /api/now/table/incident") == 2  # 401, then created once


async def test_the_pool_is_rebuilt_only_when_url_or_tls_change(fresh: Any) -> None:
    store = StaticSecretStore({PATH: secret(fresh, oauth=False)})
    client = ServiceNowClient(store)
    await client.list_records("incident", limit=1)
    pool = client._http
    await client.list_records("incident", limit=1)
    assert client._http is pool
    store.set(
        PATH, secret(fresh, oauth=False, instance_url=fresh.url.replace("127.0.0.1", "localhost"))
    )
    await client.list_records("incident", limit=1)
    # The old pool is retired, not closed: calls in flight may still be using it.
    assert client._http is not pool and pool is not None and not pool.is_closed
    await client.aclose()
    assert client._http is None and pool.is_closed


async def test_a_missing_secret_is_reported_as_such() -> None:
    client = ServiceNowClient(StaticSecretStore({}))
    with pytest.raises(SecretNotFound):
        await client.list_records("incident")


async def test_path_parts_are_checked_before_any_call(basic: ServiceNowClient, fresh: Any) -> None:
    with pytest.raises(InvalidArgument, match="sys_id"):
        await basic.get_record("incident", "../../sys_user")
    with pytest.raises(InvalidArgument, match="sys_id"):
        await basic.update_record("incident", "a" * 32 + "\n", {"state": "2"})
    with pytest.raises(InvalidArgument, match="limit"):
        await basic.list_records("incident", limit=0)
    with pytest.raises(ValueError, match="table"):
        await basic.list_records("incident/../sys_user")
    assert fresh.stats()["total"] == 0


@respx.mock
async def test_a_body_that_is_not_json_is_an_upstream_error() -> None:
    url = "http://127.0.0.1:9"
    respx.get(f"{url}/api/now/table/incident").mock(
        return_value=httpx.Response(200, text="<html>login</html>")
    )
    store = StaticSecretStore({PATH: {"instance_url": url, "username": "u", "password": "p"}})
    # respx mocks httpx's own (httpcore) transport, not the default aiohttp pool.
    client = ServiceNowClient(store, transport=httpx.AsyncHTTPTransport())
    with pytest.raises(UpstreamError, match="not JSON"):
        await client.list_records("incident")
    await client.aclose()


@pytest.mark.parametrize(
    "kwargs",
    [{"secret_path": "/"}, {"timeout": 0}, {"backend": ""}],
)
def test_constructor_arguments_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ServiceNowClient(StaticSecretStore({}), **kwargs)
