"""Delegation never widens rights: the worker acting for a person, through the real servers.

The worker's deploy activity, with its real token exchange at the dev IdP, calls the real
Catalyst Center MCP server and its policy: it deploys only when the person may (group, MFA
at sign-in), the worker may (its named tools), and the deployment names its change, which the
server reads from ServiceNow itself: approved and in Implement (the change gate).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from temporalio.testing import ActivityEnvironment

from dev_idp.identities import subject_for
from mcp_common.auth import TokenExchanger
from simulator_kit.network import DEVICES
from temporal_service.activities.deployment import DeploymentActivities
from temporal_service.activities.mcp_tools import McpPlatformTools
from temporal_service.activities.workload_token import DelegatedTokens
from temporal_service.models import DeployInput

from .conftest import NTP_PARAMS, NTP_TEMPLATE, SN_PASSWORD, SN_USER, Platform

TARGETS = [d.id for d in DEVICES if d.hostname in ("par-acc-01", "par-acc-02")]


@pytest_asyncio.fixture
async def activities(platform: Platform) -> AsyncIterator[DeploymentActivities]:
    """The worker's activities as run_worker builds them, exchanging at the real IdP."""
    exchanger = TokenExchanger(
        platform.idp.issuer, "temporal-worker", platform.idp.secret("temporal-worker")
    )
    tools = McpPlatformTools(
        catalyst_center_url=platform.cc_mcp,
        servicenow_url=platform.sn_mcp,
        tokens=DelegatedTokens(exchanger),
        timeout=20,
        deploy_timeout=30,
    )
    platform.sim(platform.cc_sim, "POST", "/sandbox/reset")
    yield DeploymentActivities(tools)
    await tools.aclose()
    await exchanger.aclose()


def deploy_input(platform: Platform, identity: str, change: str = "CHG0030001") -> DeployInput:
    """What the workflow hands the deploy activity for a person who started a deployment."""
    return DeployInput(
        NTP_TEMPLATE,
        TARGETS,
        dict(NTP_PARAMS),
        2,
        subject_for(identity),
        change,
        # The person's own token, as the workflows server received it (its audience).
        delegation=platform.token(identity, platform.wf_mcp),
    )


def implemented_change(platform: Platform) -> str:
    """A normal change the CAB approved, moved to Implement (as the workflow does); its number."""
    normal = f"{platform.sn_sim}/api/sn_chg_rest/v1/change/normal"
    plan = {"start_date": "2031-03-01 22:00:00", "end_date": "2031-03-01 23:00:00",
            "implementation_plan": "NTP", "backout_plan": "x", "test_plan": "y"}  # fmt: skip
    with httpx.Client(auth=(SN_USER, SN_PASSWORD), timeout=10) as sn:
        created = sn.post(normal, json={"short_description": "NTP",
                                        "assignment_group": "Network Operations"})  # fmt: skip
        change = created.json()["result"]
        number, sys_id = change["number"]["value"], change["sys_id"]["value"]
        sn.patch(f"{normal}/{sys_id}", json={"state": "-4"}).raise_for_status()
        sn.patch(f"{normal}/{sys_id}", json={"state": "-3", **plan}).raise_for_status()
        platform.sim(platform.sn_sim, "POST", f"/sandbox/changes/{number}/approve", {})
        sn.patch(f"{normal}/{sys_id}", json={"state": "-1"}).raise_for_status()
    return str(number)


def decisions(platform: Platform, identity: str) -> list[dict[str, Any]]:
    return [
        e
        for e in platform.audit_events()
        if e.get("event.action") == "authorization.decision"
        and e.get("authz.tool") == "deploy_template"
        and e.get("user.id") == subject_for(identity)
    ]


async def test_the_worker_acting_for_a_developer_cannot_deploy_and_says_why(
    platform: Platform, activities: DeploymentActivities
) -> None:
    outcome = await ActivityEnvironment().run(
        activities.deploy_template, deploy_input(platform, "developer")
    )
    assert outcome.status == "FAILURE"
    assert "Access denied: action 'write' on resource 'catalyst-center'" in outcome.summary
    assert "no group grants write on catalyst-center" in outcome.summary
    deployed = platform.sim(platform.cc_sim, "GET", "/sandbox/deployed")
    assert not any("NTP-Servers" in entry.get("templates", {}) for entry in deployed.values())
    [decision] = decisions(platform, "developer")[-1:]
    assert decision["authz.decision"] == "deny"
    assert decision["user.actors"] == ["temporal-worker"]
    assert "no group grants write on catalyst-center" in decision["authz.reason"]


@pytest.mark.parametrize(
    ("identity", "change", "reason"),
    [
        ("network-engineer", "CHG0030001", "mfa required for write on catalyst-center"),
        ("service-desk", "CHG0030001", "no group grants write on catalyst-center"),
        ("network-engineer-mfa", "", "deploy_template needs the approved change it implements"),
    ],
)
async def test_a_delegated_deploy_needs_the_person_s_rights_and_a_change(
    platform: Platform,
    activities: DeploymentActivities,
    identity: str,
    change: str,
    reason: str,
) -> None:
    outcome = await ActivityEnvironment().run(
        activities.deploy_template, deploy_input(platform, identity, change)
    )
    assert outcome.status == "FAILURE" and reason in outcome.summary, outcome


async def test_the_worker_deploys_for_an_engineer_with_mfa_and_an_approved_change(
    platform: Platform, activities: DeploymentActivities
) -> None:
    change = implemented_change(platform)
    outcome = await ActivityEnvironment().run(
        activities.deploy_template, deploy_input(platform, "network-engineer-mfa", change)
    )
    assert outcome.status == "SUCCESS", outcome
    [decision] = decisions(platform, "network-engineer-mfa")[-1:]
    assert decision["authz.decision"] == "allow"
    assert decision["user.actors"] == ["temporal-worker"]


async def test_without_the_person_s_token_the_worker_has_no_rights_at_all(
    platform: Platform, activities: DeploymentActivities
) -> None:
    data = deploy_input(platform, "network-engineer-mfa")
    data.delegation = ""
    outcome = await ActivityEnvironment().run(activities.deploy_template, data)
    assert outcome.status == "FAILURE"
    assert "carries no delegation" in outcome.summary
