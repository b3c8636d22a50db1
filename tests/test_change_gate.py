"""The change gate on the launched platform: a worker's deploy needs its change approved.

Everything as `make up` runs it (the dev IdP, OpenBao with one AppRole per service, the
ServiceNow and Catalyst Center simulators, the Catalyst Center MCP server as its own process).
The Temporal worker's token is what it really holds: the person's token exchanged at the IdP
(RFC 8693, `act.sub` = temporal-worker) for the Catalyst Center server. The server reads the
named change from ServiceNow with its own read-only account (secret/api/catalyst-center/
servicenow) before the policy decides; the CAB approves through the simulator's admin
endpoint and the change moves to Implement as the workflow's start_implementation does.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from dev_idp.identities import dev_secret
from mcp_common.auth import TokenExchanger
from platform_launcher.platform import LocalPlatform
from simulator_kit.network import DEVICES

NTP_TEMPLATE = "cd546576-69b2-5b3e-9263-191e9a914336"  # NTP-Servers
NTP_PARAMS = {"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123", "timezone": "UTC"}
TARGET = next(d.id for d in DEVICES if d.hostname == "par-acc-01")
NORMAL = "/api/sn_chg_rest/v1/change/normal"
PLAN = {
    "start_date": "2031-03-01 22:00:00",
    "end_date": "2031-03-01 23:00:00",
    "implementation_plan": "Push the NTP-Servers template",
    "backout_plan": "Restore the previous configuration",
    "test_plan": "show ntp associations",
}


class ServiceNow:
    """The launched ServiceNow simulator, driven as the requester and the CAB would."""

    def __init__(self, platform: LocalPlatform) -> None:
        self.url = platform.endpoints["backends"]["servicenow"]
        password = platform.backend_passwords["servicenow"]
        self.http = httpx.Client(
            base_url=self.url, auth=("integration", password), timeout=10, trust_env=False
        )

    def create(self) -> dict[str, Any]:
        body = {"short_description": "NTP servers", "assignment_group": "Network Operations"}
        response = self.http.post(NORMAL, json=body)
        assert response.status_code == 200, response.text
        change: dict[str, Any] = response.json()["result"]
        return change

    def move(self, change: dict[str, Any], state: str, **fields: Any) -> None:
        sys_id = change["sys_id"]["value"]
        response = self.http.patch(f"{NORMAL}/{sys_id}", json={"state": state, **fields})
        assert response.status_code == 200, response.text

    def submit(self) -> str:
        """A normal change waiting for the CAB (Authorize, approval requested); its number."""
        change = self.create()
        self.move(change, "-4")
        self.move(change, "-3", **PLAN)
        self.changes = {**getattr(self, "changes", {}), change["number"]["value"]: change}
        return str(change["number"]["value"])

    def approve(self, number: str) -> None:
        response = self.http.post(f"/sandbox/changes/{number}/approve", json={})
        assert response.status_code == 200, response.text

    def implement(self, number: str) -> None:
        self.move(self.changes[number], "-1")


@pytest.fixture(scope="module")
def servicenow(launched_platform: LocalPlatform) -> Any:
    sn = ServiceNow(launched_platform)
    yield sn
    sn.http.close()


def person_token(platform: LocalPlatform, identity: str) -> str:
    """The person's own token, as the workflows server received it (its resource)."""
    response = httpx.post(
        platform.endpoints["token_endpoint"],
        data={"grant_type": "client_credentials",
              "resource": platform.endpoints["servers"]["workflows"]},
        auth=(identity, dev_secret(identity)), timeout=10, trust_env=False,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def worker_deploys(platform: LocalPlatform, identity: str, change_number: str) -> Any:
    """deploy_template as the Temporal worker does it: an exchanged token for the person."""
    cc = platform.endpoints["servers"]["catalyst-center"]
    exchanger = TokenExchanger(platform.issuer, "temporal-worker", dev_secret("temporal-worker"))
    try:
        token = await exchanger.exchange(person_token(platform, identity), cc)
    finally:
        await exchanger.aclose()
    arguments = {"template_id": NTP_TEMPLATE, "device_ids": [TARGET], "params": NTP_PARAMS,
                 "change_number": change_number}  # fmt: skip
    async with Client(StreamableHttpTransport(cc, auth=token)) as client:
        return await client.call_tool("deploy_template", arguments, raise_on_error=False)


def refusal(result: Any) -> str:
    assert result.is_error, result
    text: str = result.content[0].text
    assert text.startswith(
        "Access denied: action 'write' on resource 'catalyst-center' (tool 'deploy_template')"
    ), text
    return text


def test_the_catalyst_center_server_is_given_servicenow_and_its_own_read_account(
    launched_platform: LocalPlatform,
) -> None:
    process = launched_platform.processes["mcp-catalyst-center"]
    with open(f"/proc/{process.pid}/environ", "rb") as environ:
        env = dict(
            item.split("=", 1) for item in environ.read().decode().split("\0") if "=" in item
        )
    assert (
        env["MCP_SERVICENOW_INSTANCE_URL"] == launched_platform.endpoints["backends"]["servicenow"]
    )
    assert "SN_SANDBOX_PASSWORD" not in env  # its account comes from Vault, not from here


async def test_a_worker_deploy_naming_a_change_that_is_not_approved_is_refused(
    launched_platform: LocalPlatform, servicenow: ServiceNow
) -> None:
    number = servicenow.submit()
    result = await worker_deploys(launched_platform, "network-engineer-mfa", number)
    text = refusal(result)
    assert f"change {number} is not approved (approval: requested)" in text
    assert f"change {number} is not in Implement (state: authorize)" in text


async def test_a_worker_deploy_naming_an_invented_change_is_refused(
    launched_platform: LocalPlatform,
) -> None:
    result = await worker_deploys(launched_platform, "network-engineer-mfa", "CHG0999999")
    assert "change CHG0999999 was not found in ServiceNow" in refusal(result)


async def test_a_worker_deploy_of_an_approved_change_not_yet_in_implement_is_refused(
    launched_platform: LocalPlatform, servicenow: ServiceNow
) -> None:
    number = servicenow.submit()
    servicenow.approve(number)  # Scheduled: approved, implementation not started
    result = await worker_deploys(launched_platform, "network-engineer-mfa", number)
    assert f"change {number} is not in Implement (state: scheduled)" in refusal(result)


async def test_a_worker_deploy_of_an_approved_change_in_implement_is_allowed(
    launched_platform: LocalPlatform, servicenow: ServiceNow
) -> None:
    number = servicenow.submit()
    servicenow.approve(number)
    servicenow.implement(number)  # as start_implementation does, just before the deploy
    result = await worker_deploys(launched_platform, "network-engineer-mfa", number)
    assert not result.is_error, result.content
    assert result.structured_content["status"] == "SUCCESS"


async def test_an_approved_change_gives_the_worker_no_rights_the_person_lacks(
    launched_platform: LocalPlatform, servicenow: ServiceNow
) -> None:
    number = servicenow.submit()
    servicenow.approve(number)
    servicenow.implement(number)
    text = refusal(await worker_deploys(launched_platform, "developer", number))
    assert "no group grants write on catalyst-center" in text
    assert "not approved" not in text and "not in Implement" not in text
