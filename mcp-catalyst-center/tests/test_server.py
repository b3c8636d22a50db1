"""The server end to end over HTTP, through the whole chain.

IdP token -> server (streamable HTTP) -> policy (embedded Rego, the real policy file) ->
credentials from OpenBao (AppRole) at `api/catalyst-center` -> the Catalyst Center simulator.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
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
from simulator_kit.network import DEVICES, Device
from simulator_kit.network.configs import running_config
from simulator_kit.network.secretgen import config_secrets


def device(hostname: str) -> Device:
    """A simulated device by hostname."""
    return next(d for d in DEVICES if d.hostname == hostname)


READ_TOOLS = {
    "list_devices",
    "get_device",
    "get_device_interfaces",
    "get_device_config",
    "list_sites",
    "get_device_health",
    "get_network_health",
    "list_issues",
    "get_all_templates",
    "get_template",
    "get_task",
}
ALL_TOOLS = READ_TOOLS | {"preview_template", "deploy_template", "run_show_commands"}
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


def test_every_tool_is_covered() -> None:
    assert {name for name, _, _ in CASES} | {"get_task"} == ALL_TOOLS


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
    ("identity", "expected"),
    [
        ("service-desk", READ_TOOLS),
        ("network-engineer", READ_TOOLS),
        ("network-engineer-mfa", ALL_TOOLS),
        ("admin", ALL_TOOLS),
        ("developer", set()),
    ],
)
async def test_tools_list_shows_what_the_policy_allows(
    stack: Stack, identity: str, expected: set[str]
) -> None:
    assert await stack.tools(identity) == expected


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
    before = stack.sim.stats()["total_requests"]
    with pytest.raises(ToolError, match=f"Access denied: action '{action}'"):
        await stack.call(identity, tool, args)
    assert stack.sim.stats()["total_requests"] == before


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
    before = stack.sim.stats()
    with pytest.raises(ToolError, match="refused"):
        await stack.call(
            "network-engineer-mfa",
            "run_show_commands",
            {"device_ids": [PAR_ACC_01], "commands": ["show clock", command]},
        )
    after = stack.sim.stats()
    assert after["total_requests"] == before["total_requests"]
    assert after["cli_commands"] == before["cli_commands"]


def test_main_refuses_to_start_without_its_configuration() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_")}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_catalyst_center"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "configuration error: MCP_OIDC_ISSUER" in done.stderr
    assert "Traceback" not in done.stderr


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
    text = log_stream.getvalue()
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(r.get("message") == "MCP tool executed" for r in records)
    assert any(r.get("event.action") == "upstream.login" for r in records)
    secrets = set().union(*(config_secrets(running_config(d)) for d in DEVICES))
    assert len(secrets) > 100
    assert not {s for s in secrets if s in text}
    assert stack.sim.secret()["password"] not in text
    assert "eyJ" not in text
