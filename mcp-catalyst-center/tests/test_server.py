"""The server end to end over HTTP, through the whole chain.

IdP token -> server (streamable HTTP) -> policy (embedded Rego, the real policy file) ->
credentials from OpenBao (AppRole) at `api/catalyst-center` -> the Catalyst Center simulator.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from dev_idp import IdpServer
from mcp_catalyst_center import CatalystCenterSettings, build
from mcp_common.observability import configure_logging
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import StrictStack as Stack
from platform_testkit import capture_logs, start_server_stack
from platform_testkit.server_checks import (
    assert_fails_before_the_backend,
    assert_logs_carry_no_device_secret,
    assert_refuses_to_start_unconfigured,
)
from simulator_kit.network import DEVICES, Device
from simulator_kit.network.configs import running_config
from simulator_kit.network.secretgen import config_secrets


def device(hostname: str) -> Device:
    """A simulated device by hostname."""
    return next(d for d in DEVICES if d.hostname == hostname)


UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"
NTP_TEMPLATE = "cd546576-69b2-5b3e-9263-191e9a914336"
NTP_PARAMS = {"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123", "timezone": "UTC"}


@pytest.fixture(scope="module")
def log_stream() -> Iterator[io.StringIO]:
    with capture_logs(configure_logging, "mcp-catalyst-center") as stream:
        yield stream


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    simulator: Any,
    policy_path: Path,
    log_stream: io.StringIO,
) -> Iterator[Stack]:
    overrides = {"task_poll_interval": 0.05, "task_timeout": 1.0}
    with start_server_stack(
        simulator.url, simulator.secret(), CatalystCenterSettings, build, simulator=simulator,
        idp=idp, openbao=openbao, policy_path=policy_path, overrides=overrides,
    ) as stack:  # fmt: skip
        yield Stack(stack)


# --- every tool succeeds ----------------------------------------------------------------
PAR_ACC_01 = device("par-acc-01").id
CASES: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ("list_devices", {"family": "Routers"}, lambda r: r["total"] == 3 and r["count"] == 3),
    ("get_device", {"device_id": PAR_ACC_01}, lambda r: r["hostname"] == "par-acc-01"),
    (
        "get_device_interfaces",
        {"device_id": PAR_ACC_01},
        lambda r: r["total"] == r["up"] + r["down"] == r["count"] > 0,
    ),
    ("get_device_config", {"device_id": PAR_ACC_01}, lambda r: r["masked_secrets"] >= 5),
    ("list_sites", {"type": "building"}, lambda r: r["count"] == 3),
    ("get_device_health", {"health": "POOR"}, lambda r: r["total"] == r["poor"] >= 1),
    ("get_network_health", {}, lambda r: 0 < r["health_score"] <= 100),
    ("list_issues", {"priority": ["P1"]}, lambda r: r["by_priority"] == {"P1": r["total"]}),
    ("get_all_templates", {}, lambda r: r["total"] >= 4),
    ("get_template", {"template_id": NTP_TEMPLATE}, lambda r: r["name"] == "NTP-Servers"),
    (
        "preview_template",
        {"template_id": NTP_TEMPLATE, "params": NTP_PARAMS},
        lambda r: r["complete"] and "ntp server 10.0.0.123 prefer" in r["cli"],
    ),
    (
        "deploy_template",
        {"template_id": NTP_TEMPLATE, "device_ids": [PAR_ACC_01], "params": NTP_PARAMS},
        lambda r: r["status"] == "SUCCESS" and r["devices"][0]["hostname"] == "par-acc-01",
    ),
    (
        "run_show_commands",
        {"device_ids": [PAR_ACC_01], "commands": ["show version"]},
        lambda r: "Cisco IOS XE Software" in r["devices"][0]["results"][0]["output"],
    ),
]


def test_every_tool_is_covered(tool_sets: dict[str, set[str]]) -> None:
    assert {name for name, _, _ in CASES} | {"get_task"} == tool_sets["all"]


@pytest.mark.parametrize(("tool", "args", "check"), CASES, ids=[c[0] for c in CASES])
async def test_each_tool_succeeds_for_an_engineer_with_mfa(
    stack: Stack, tool: str, args: dict[str, Any], check: Callable[[dict[str, Any]], bool]
) -> None:
    result = await stack.call("network-engineer-mfa", tool, args)
    assert check(result), result


async def test_get_task_reports_a_finished_deployment(stack: Stack) -> None:
    deployed = await stack.call(
        "network-engineer-mfa",
        "deploy_template",
        {"template_id": NTP_TEMPLATE, "device_ids": [PAR_ACC_01], "params": NTP_PARAMS},
    )
    task = await stack.call("network-engineer", "get_task", {"task_id": deployed["task_id"]})
    assert task["done"] and not task["is_error"] and task["data"] == deployed["deployment_id"]


# --- backend failures become clear tool errors ------------------------------------------
async def test_backend_404_names_what_was_not_found(stack: Stack) -> None:
    with pytest.raises(ToolError, match=f"device {UNKNOWN_UUID} was not found in Catalyst Center"):
        await stack.call("network-engineer", "get_device", {"device_id": UNKNOWN_UUID})


async def test_backend_5xx_is_a_clear_error(stack: Stack) -> None:
    stack.sim.fault("/dna/intent/api/v1/network-health", 500)
    with pytest.raises(ToolError) as caught:
        await stack.call("network-engineer", "get_network_health")
    assert str(caught.value) == "catalyst-center returned HTTP 500"


async def test_429_with_retry_after_is_retried(stack: Stack) -> None:
    before = stack.sim.stats()
    stack.sim.fault("/dna/intent/api/v1/issues", 429, retry_after=1)
    result = await stack.call("network-engineer", "list_issues", {})
    after = stack.sim.stats()
    assert result["total"] > 0
    assert after["faults_served"] == before["faults_served"] + 1
    path = "/dna/intent/api/v1/issues"
    assert after["requests"][path] == before["requests"].get(path, 0) + 2


async def test_expired_token_leads_to_one_new_login(stack: Stack) -> None:
    stack.sim.reset()  # the server's token is now unknown: its next call logs in again
    await stack.call("network-engineer", "get_device", {"device_id": PAR_ACC_01})
    stack.sim.expire_tokens()
    result = await stack.call("network-engineer", "get_device", {"device_id": PAR_ACC_01})
    assert result["hostname"] == "par-acc-01"
    assert stack.sim.stats()["logins"] == 2


async def test_task_failure_carries_the_failure_reason(stack: Stack) -> None:
    stack.sim.fail_next_task("NCTP template engine unavailable")
    with pytest.raises(ToolError, match="failed: NCTP template engine unavailable"):
        await stack.call(
            "network-engineer-mfa",
            "deploy_template",
            {"template_id": NTP_TEMPLATE, "device_ids": [PAR_ACC_01], "params": NTP_PARAMS},
        )


async def test_task_that_never_ends_times_out_clearly(stack: Stack) -> None:
    stack.sim.hang_next_task()
    with pytest.raises(ToolError, match=r"did not complete within 1 s.*get_task"):
        await stack.call(
            "network-engineer-mfa",
            "run_show_commands",
            {"device_ids": [PAR_ACC_01], "commands": ["show clock"]},
        )


# --- policy -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("identity", "sees"),
    [
        ("service-desk", "read"),
        ("network-engineer", "read"),
        ("network-engineer-mfa", "all"),
        ("admin", "all"),
        ("developer", "none"),
    ],
)
async def test_tools_list_shows_what_the_policy_allows(
    stack: Stack, tool_sets: dict[str, set[str]], identity: str, sees: str
) -> None:
    assert await stack.tools(identity) == tool_sets[sees]


@pytest.mark.parametrize(
    ("identity", "tool", "args", "action"),
    [
        (
            "service-desk",
            "deploy_template",
            {"template_id": NTP_TEMPLATE, "device_ids": [PAR_ACC_01]},
            "write",
        ),
        (
            "service-desk",
            "run_show_commands",
            {"device_ids": [PAR_ACC_01], "commands": ["show version"]},
            "execute",
        ),
        (
            "service-desk",
            "preview_template",
            {"template_id": NTP_TEMPLATE, "params": {}},
            "execute",
        ),
        (
            "network-engineer",
            "deploy_template",
            {"template_id": NTP_TEMPLATE, "device_ids": [PAR_ACC_01]},
            "write",
        ),
        (
            "network-engineer",
            "run_show_commands",
            {"device_ids": [PAR_ACC_01], "commands": ["show version"]},
            "execute",
        ),
    ],
)
async def test_denied_calls_never_reach_the_backend(
    stack: Stack, identity: str, tool: str, args: dict[str, Any], action: str
) -> None:
    await assert_fails_before_the_backend(
        stack, identity, tool, args, f"Access denied: action '{action}'"
    )


async def test_service_desk_may_read(stack: Stack) -> None:
    result = await stack.call("service-desk", "list_devices", {"hostname": "lon-*", "limit": 2})
    assert result["count"] == 2 and result["next_offset"] == 3


@pytest.mark.parametrize(
    "command",
    [
        "configure terminal",
        "conf t",
        "reload",
        "write erase",
        "wr",
        "show version; reload",
        "show version\nreload",
        "show clock\rreload",
    ],
)
async def test_refused_commands_never_reach_the_backend(stack: Stack, command: str) -> None:
    args = {"device_ids": [PAR_ACC_01], "commands": ["show clock", command]}
    await assert_fails_before_the_backend(
        stack, "network-engineer-mfa", "run_show_commands", args, "refused",
        counters=("total_requests", "cli_commands"),
    )  # fmt: skip


def test_main_refuses_to_start_without_its_configuration() -> None:
    assert_refuses_to_start_unconfigured("mcp_catalyst_center")


# --- secrets ----------------------------------------------------------------------------
async def test_configs_and_show_outputs_carry_no_secret(stack: Stack) -> None:
    router, nexus = device("par-rtr-01"), device("lon-core-01")
    texts = []
    for dev in (router, nexus):
        config = await stack.call("admin", "get_device_config", {"device_id": dev.id})
        texts.append(config["config"])
    shown = await stack.call(
        "admin",
        "run_show_commands",
        {"device_ids": [router.id, nexus.id], "commands": ["show running-config"]},
    )
    texts += [d["results"][0]["output"] for d in shown["devices"]]
    secrets = config_secrets(running_config(router)) | config_secrets(running_config(nexus))
    assert len(secrets) >= 15, secrets
    leaked = {s for s in secrets for text in texts if s in text}
    assert not leaked
    assert all("hostname" in t and "<masked>" in t for t in texts)


def test_no_device_secret_nor_credential_in_any_log_line(
    stack: Stack, log_stream: io.StringIO
) -> None:
    # Runs last in the module: every call above was logged at DEBUG.
    assert_logs_carry_no_device_secret(log_stream.getvalue(), stack.sim.secret()["password"])
