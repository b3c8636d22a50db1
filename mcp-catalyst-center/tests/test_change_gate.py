"""The change gate: a worker's deploy is decided on its change as ServiceNow has it.

The lookup runs against the real ServiceNow simulator (a change through its normal life, CAB
approval by the simulator's admin endpoint); respx only stands in for a ServiceNow that is
down or failing. The server tests show the gate in the chain: no facts, no deploy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx
from fastmcp import Client

from mcp_catalyst_center import CatalystCenterSettings, build
from mcp_catalyst_center.change_gate import (
    ChangeGate,
    ChangeRecord,
    ServiceNowChangeLookup,
    change_gate,
)
from mcp_common import Principal
from mcp_common.auth import PlatformAccessToken
from mcp_common.errors import ConfigurationError, SecretError, UpstreamError
from mcp_common.http import RetryPolicy
from mcp_common.observability import PlatformMetrics
from mcp_common.policy import PolicyFacts, RegoAuthorizer
from mcp_common.testing import StaticSecretStore, StaticVerifier
from servicenow_simulator import create_servicenow_app
from simulator_kit.serve import BackgroundServer

SN_USER, SN_PASSWORD = "integration", "sn-Pa55word-for-tests"
READ_PATH = "api/catalyst-center/servicenow"
NORMAL = "/api/sn_chg_rest/v1/change/normal"
PLAN = {
    "start_date": "2031-03-01 22:00:00",
    "end_date": "2031-03-01 23:00:00",
    "implementation_plan": "Push template",
    "backout_plan": "Restore config",
    "test_plan": "Ping gateways",
}
WORKER = Principal("ne-mfa", groups=frozenset({"network-engineers"}), mfa=True,
                   actors=("temporal-worker",))  # fmt: skip
NTP_TEMPLATE = "cd546576-69b2-5b3e-9263-191e9a914336"
DEVICE = "6a49c827-9b28-490b-8df0-8b6c3b582d8a"


class ServiceNow:
    """The simulator, driven as a person and the CAB would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, auth=(SN_USER, SN_PASSWORD), timeout=10)

    def create(self) -> dict[str, Any]:
        body = {"short_description": "Deploy NTP", "assignment_group": "Network Operations"}
        response = self.http.post(NORMAL, json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["result"]
        return result

    def move(self, change: dict[str, Any], state: str, **fields: Any) -> None:
        response = self.http.patch(
            f"{NORMAL}/{change['sys_id']['value']}", json={"state": state, **fields}
        )
        assert response.status_code == 200, response.text

    def to_authorize(self, change: dict[str, Any]) -> None:
        self.move(change, "-4")
        self.move(change, "-3", **PLAN)

    def approve(self, change: dict[str, Any]) -> None:
        number = change["number"]["value"]
        response = httpx.post(f"{self.url}/sandbox/changes/{number}/approve", json={}, timeout=10)
        assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def servicenow(serve: Callable[[Any], BackgroundServer]) -> Iterator[ServiceNow]:
    sn = ServiceNow(serve(create_servicenow_app(username=SN_USER, password=SN_PASSWORD)).url)
    yield sn
    sn.http.close()


def read_account(**extra: str) -> StaticSecretStore:
    return StaticSecretStore({READ_PATH: {"username": SN_USER, "password": SN_PASSWORD, **extra}})


@pytest_asyncio.fixture
async def lookup(servicenow: ServiceNow) -> AsyncIterator[ServiceNowChangeLookup]:
    client = ServiceNowChangeLookup(
        read_account(), instance_url=servicenow.url, secret_path=READ_PATH
    )
    yield client
    await client.aclose()


# --- the lookup, against the simulator ---------------------------------------------------
async def test_a_change_is_read_with_its_state_by_name_and_its_approval(
    servicenow: ServiceNow, lookup: ServiceNowChangeLookup
) -> None:
    change = servicenow.create()
    number = change["number"]["value"]
    assert await lookup.change(number) == ChangeRecord(number, "new", "not requested", "", "")
    servicenow.to_authorize(change)
    read = await lookup.change(number)
    assert read is not None and (read.state, read.approval) == ("authorize", "requested")
    servicenow.approve(change)
    servicenow.move(change, "-1")  # Implement, as the workflow's start_implementation does
    assert await lookup.change(number) == ChangeRecord(
        number, "implement", "approved", PLAN["start_date"], PLAN["end_date"]
    )


async def test_a_change_servicenow_does_not_have_is_none(lookup: ServiceNowChangeLookup) -> None:
    assert await lookup.change("CHG9999999") is None


async def test_a_wrong_read_account_is_an_upstream_401(servicenow: ServiceNow) -> None:
    store = StaticSecretStore({READ_PATH: {"username": SN_USER, "password": "wrong"}})
    lookup = ServiceNowChangeLookup(store, instance_url=servicenow.url, secret_path=READ_PATH)
    with pytest.raises(UpstreamError) as raised:
        await lookup.change("CHG0030001")
    await lookup.aclose()
    assert raised.value.status == 401 and "wrong" not in str(raised.value)


@pytest.mark.parametrize("secret", [{}, {"username": SN_USER}, {"username": "", "password": "x"}])
async def test_an_incomplete_read_account_names_the_key_never_a_value(
    servicenow: ServiceNow, secret: dict[str, str]
) -> None:
    store = StaticSecretStore({READ_PATH: secret})
    lookup = ServiceNowChangeLookup(store, instance_url=servicenow.url, secret_path=READ_PATH)
    with pytest.raises(ConfigurationError, match=r"secret 'api/catalyst-center/servicenow'"):
        await lookup.change("CHG0030001")


def test_the_instance_url_must_be_http() -> None:
    with pytest.raises(ConfigurationError, match="http"):
        ServiceNowChangeLookup(read_account(), instance_url="ftp://sn", secret_path=READ_PATH)


# --- ServiceNow down or failing (respx: the simulator cannot be down for one call) -------
SN = "https://sn.example.invalid"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.ConnectError("refused"), "change CHG0030001 cannot be checked in ServiceNow"),
        (httpx.Response(500, json={"error": {"message": "boom"}}), "(HTTP 500)"),
        (httpx.Response(200, text="<html>maintenance</html>"), "cannot be checked in ServiceNow"),
        (httpx.Response(200, json={"result": "nope"}), "cannot be checked in ServiceNow"),
    ],
)
async def test_a_servicenow_that_cannot_answer_refuses_the_deploy(answer: Any, reason: str) -> None:
    # respx mocks httpx's own (httpcore) transport, not the default aiohttp pool.
    lookup = ServiceNowChangeLookup(
        read_account(), instance_url=SN, secret_path=READ_PATH,
        retry=RetryPolicy(retries=0, backoff=0),
        transport=httpx.AsyncHTTPTransport(),
    )  # fmt: skip
    gate = ChangeGate(lookup)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{SN}/api/now/table/change_request")
        route.side_effect = answer if isinstance(answer, Exception) else None
        if not isinstance(answer, Exception):
            route.return_value = answer
        with pytest.raises(UpstreamError) as raised:
            await gate.facts(WORKER, "deploy_template", {"change_number": "CHG0030001"})
    await gate.aclose()
    assert reason in str(raised.value) and "boom" not in str(raised.value)
    query = route.calls.last.request.url.params
    assert query["sysparm_query"] == "number=CHG0030001" and query["sysparm_limit"] == "1"
    assert query["sysparm_fields"] == "number,state,approval,start_date,end_date"
    assert route.calls.last.request.headers["Authorization"].startswith("Basic ")


async def test_an_unreadable_read_account_refuses_the_deploy() -> None:
    lookup = ServiceNowChangeLookup(StaticSecretStore({}), instance_url=SN, secret_path=READ_PATH)
    with pytest.raises(SecretError, match="the ServiceNow read account is unavailable"):
        await ChangeGate(lookup).facts(WORKER, "deploy_template", {"change_number": "CHG0030001"})


# --- the gate: who is asked about, and what -----------------------------------------------
class CountingLookup:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def change(self, number: str) -> ChangeRecord | None:
        self.asked.append(number)
        return ChangeRecord(number, "implement", "approved", "", "")

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize(
    ("principal", "tool", "arguments"),
    [
        (Principal("ne-mfa", mfa=True), "deploy_template", {"change_number": "CHG0030001"}),
        (Principal("ne-mfa", actors=("rest-api-proxy",)), "deploy_template",
         {"change_number": "CHG0030001"}),
        (WORKER, "get_template", {"change_number": "CHG0030001"}),
        (WORKER, "deploy_template", {}),
        (WORKER, "deploy_template", {"change_number": None}),
        (WORKER, "deploy_template", {"change_number": "CHG0030001^ORnumber=CHG0030002"}),
        (WORKER, "deploy_template", {"change_number": "CHG1"}),
    ],
)  # fmt: skip
async def test_only_a_worker_deploy_naming_a_well_formed_change_is_looked_up(
    principal: Principal, tool: str, arguments: dict[str, Any]
) -> None:
    lookup = CountingLookup()
    assert await ChangeGate(lookup).facts(principal, tool, arguments) == {"change": None}
    assert lookup.asked == []


async def test_a_worker_deploy_gets_the_change_as_read() -> None:
    lookup = CountingLookup()
    gate: PolicyFacts = ChangeGate(lookup)
    chained = Principal("ne-mfa", actors=("mcp-console", "temporal-worker"))
    for principal in (WORKER, chained):
        facts = await gate.facts(principal, "deploy_template", {"change_number": "CHG0030001"})
        assert facts == {"change": {"number": "CHG0030001", "state": "implement",
                                    "approval": "approved", "start_date": "",
                                    "end_date": ""}}  # fmt: skip
    assert lookup.asked == ["CHG0030001", "CHG0030001"]


def settings(policy_path: Path, **values: Any) -> CatalystCenterSettings:
    return CatalystCenterSettings(
        oidc_issuer="http://127.0.0.1:1", secrets_backend="file", secrets_file="/dev/null",
        policy_path=str(policy_path), rate_limit_per_minute=0, **values,
    )  # fmt: skip


async def test_without_servicenow_settings_a_worker_deploy_is_refused(policy_path: Path) -> None:
    gate = change_gate(settings(policy_path), StaticSecretStore({}), PlatformMetrics("t"))
    assert gate.lookup is None
    with pytest.raises(ConfigurationError, match="MCP_SERVICENOW_INSTANCE_URL"):
        await gate.facts(WORKER, "deploy_template", {"change_number": "CHG0030001"})
    # ... and a person's own deploy needs no change.
    assert await gate.facts(Principal("ne-mfa"), "deploy_template", {}) == {"change": None}


def test_the_settings_give_the_gate_its_servicenow_and_read_account(policy_path: Path) -> None:
    s = settings(policy_path, servicenow_instance_url="http://127.0.0.1:9102")
    gate = change_gate(s, read_account(), PlatformMetrics("t"))
    assert isinstance(gate.lookup, ServiceNowChangeLookup)
    assert (gate.lookup.instance_url, gate.lookup.secret_path) == (
        "http://127.0.0.1:9102",
        READ_PATH,
    )


def test_the_gate_retries_servicenow_as_every_backend_call_is_retried(policy_path: Path) -> None:
    s = settings(
        policy_path, servicenow_instance_url="http://127.0.0.1:9102",
        backend_retries=1, backend_backoff=0.25, backend_max_retry_after=7,
    )  # fmt: skip
    lookup = change_gate(s, read_account(), PlatformMetrics("t")).lookup
    assert isinstance(lookup, ServiceNowChangeLookup)
    assert lookup.retry == RetryPolicy(retries=1, backoff=0.25, max_retry_after=7)


# --- in the server's chain ----------------------------------------------------------------
@pytest.fixture
def as_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    token = PlatformAccessToken(token="x", client_id="temporal-worker", scopes=[], subject="ne")
    token._principal = WORKER
    monkeypatch.setattr("mcp_common.auth._fastmcp.get_access_token", lambda: token)


DEPLOY = {"template_id": NTP_TEMPLATE, "device_ids": [DEVICE], "change_number": "CHG0030001"}


@pytest.mark.usefixtures("as_worker")
async def test_a_server_without_servicenow_refuses_a_worker_deploy_naming_why(
    policy_path: Path,
) -> None:
    platform = build(
        settings(policy_path), verifier=StaticVerifier({}),
        authorizer=RegoAuthorizer(policy_path), secrets=StaticSecretStore({}),
    )  # fmt: skip
    async with Client(platform.mcp) as client:
        result = await client.call_tool("deploy_template", DEPLOY, raise_on_error=False)
    assert result.is_error
    assert result.content[0].text == (
        "Access denied: action 'write' on resource 'catalyst-center' (tool 'deploy_template'): "
        "change CHG0030001 cannot be checked: no ServiceNow is configured for the change gate "
        "(MCP_SERVICENOW_INSTANCE_URL)"
    )


@pytest.mark.usefixtures("as_worker")
async def test_the_server_s_policy_reads_the_change_from_servicenow(
    policy_path: Path, servicenow: ServiceNow
) -> None:
    change = servicenow.create()
    number = change["number"]["value"]
    platform = build(
        settings(policy_path, servicenow_instance_url=servicenow.url),
        verifier=StaticVerifier({}), authorizer=RegoAuthorizer(policy_path),
        secrets=read_account(),
    )  # fmt: skip
    async with Client(platform.mcp) as client:
        result = await client.call_tool(
            "deploy_template", {**DEPLOY, "change_number": number}, raise_on_error=False
        )
    await platform.aclose()
    assert result.is_error
    assert f"change {number} is not approved (approval: not requested)" in result.content[0].text
