"""The server end to end over HTTP, through the whole chain.

IdP token -> server (streamable HTTP) -> policy (embedded Rego, the real policy file) ->
credentials from OpenBao (AppRole) at `api/radkit` -> HttpBackend -> the RADKit simulator.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from dev_idp import IdpServer
from mcp_common.observability import configure_logging
from mcp_radkit import RadkitSettings, build
from platform_launcher.openbao import OpenBaoDevServer
from platform_testkit import StrictStack as Stack
from platform_testkit import capture_logs, start_server_stack
from platform_testkit.server_checks import (
    assert_fails_before_the_backend,
    assert_logs_carry_no_device_secret,
    assert_refuses_to_start_unconfigured,
)
from simulator_kit.network import DEVICES
from simulator_kit.network.configs import running_config
from simulator_kit.network.secretgen import config_secrets

READ_TOOLS = {"list_devices", "get_device"}
ALL_TOOLS = READ_TOOLS | {"exec_commands", "check_reachability", "collect_diagnostics"}
HOSTS = {d.hostname: d for d in DEVICES}


@pytest.fixture(scope="module")
def log_stream() -> Iterator[io.StringIO]:
    with capture_logs(configure_logging, "mcp-radkit") as stream:
        yield stream


@pytest.fixture(scope="module")
def stack(
    idp: IdpServer,
    openbao: OpenBaoDevServer,
    simulator: Any,
    policy_path: Path,
    log_stream: io.StringIO,
) -> Iterator[Stack]:
    with start_server_stack(
        simulator.url, simulator.secret(), RadkitSettings, build, simulator=simulator,
        idp=idp, openbao=openbao, policy_path=policy_path,
        overrides={"poll_interval": 0.05, "wait_margin": 1.0},
    ) as stack:  # fmt: skip
        yield Stack(stack)


# --- every tool succeeds ----------------------------------------------------------------
CASES: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ("list_devices", {"name": "lon-*", "limit": 2}, lambda r: (r["total"], r["count"]) == (6, 2)),
    ("get_device", {"device": "par-rtr-01"}, lambda r: r["attributes"]["site"] == "Paris-HQ"),
    (
        "exec_commands",
        {"devices": ["par-acc-01"], "commands": ["show version"]},
        lambda r: "Cisco IOS XE Software" in r["devices"][0]["results"][0]["output"],
    ),
    (
        "check_reachability",
        {"devices": ["par-acc-01", "lon-core-01"]},
        lambda r: r["service_status"] == "READY" and r["reachable"] == 2,
    ),
    (
        "collect_diagnostics",
        {"devices": ["lon-core-01"]},
        lambda r: r["devices"][0]["software_version"] == "10.3(4a)" and r["findings"] == 1,
    ),
]


def test_every_tool_is_covered() -> None:
    assert {name for name, _, _ in CASES} == ALL_TOOLS


@pytest.mark.parametrize(("tool", "args", "check"), CASES, ids=[c[0] for c in CASES])
async def test_each_tool_succeeds_for_an_engineer_with_mfa(
    stack: Stack, tool: str, args: dict[str, Any], check: Callable[[dict[str, Any]], bool]
) -> None:
    result = await stack.call("network-engineer-mfa", tool, args)
    assert check(result), result


async def test_unreachable_devices_are_reported_as_timeouts(stack: Stack) -> None:
    args = {"devices": ["sjc-acc-02", "sjc-acc-01"], "commands": ["show clock"],
            "device_timeout": 1}  # fmt: skip
    result = await stack.call("network-engineer-mfa", "exec_commands", args)
    assert [d["status"] for d in result["devices"]] == ["TIMEOUT", "SUCCESS"]
    assert result["timed_out"] == 1


# --- backend failures become clear tool errors ------------------------------------------
async def test_unknown_devices_are_named(stack: Stack) -> None:
    with pytest.raises(ToolError, match="not in the RADKit inventory: 'par-acc-77'"):
        await stack.call("network-engineer", "get_device", {"device": "par-acc-77"})


async def test_backend_5xx_is_a_clear_error(stack: Stack) -> None:
    stack.sim.fault("/api/services/test-rdkt-0042/inventory", 500)
    with pytest.raises(ToolError) as caught:
        await stack.call("network-engineer", "list_devices")
    assert str(caught.value) == "radkit returned HTTP 500"


async def test_an_expired_session_leads_to_one_new_login(stack: Stack) -> None:
    stack.sim.reset()  # the server's token is now unknown: its next call logs in again
    await stack.call("network-engineer", "get_device", {"device": "par-acc-01"})
    stack.sim.expire_tokens()
    result = await stack.call("network-engineer", "get_device", {"device": "par-acc-01"})
    assert result["name"] == "par-acc-01"
    assert stack.sim.stats()["logins"] == 2


async def test_a_request_that_never_completes_times_out_clearly(stack: Stack) -> None:
    stack.sim.hang_next()
    with pytest.raises(ToolError, match=r"RADKit request \S+ did not complete within 2 s"):
        await stack.call(
            "network-engineer-mfa",
            "exec_commands",
            {"devices": ["par-acc-01"], "commands": ["show clock"], "device_timeout": 1},
        )


# --- policy -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ("network-engineer", READ_TOOLS),
        ("network-engineer-mfa", ALL_TOOLS),
        ("admin", ALL_TOOLS),
        ("service-desk", set()),
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
        ("network-engineer", "exec_commands",
         {"devices": ["par-acc-01"], "commands": ["show version"]}, "execute"),
        ("network-engineer", "check_reachability", {}, "execute"),
        ("network-engineer", "collect_diagnostics", {"devices": ["par-acc-01"]}, "execute"),
        ("service-desk", "list_devices", {}, "read"),
        ("service-desk", "exec_commands",
         {"devices": ["par-acc-01"], "commands": ["show version"]}, "execute"),
        ("developer", "get_device", {"device": "par-acc-01"}, "read"),
    ],
)  # fmt: skip
async def test_denied_calls_never_reach_the_backend(
    stack: Stack, identity: str, tool: str, args: dict[str, Any], action: str
) -> None:
    await assert_fails_before_the_backend(
        stack, identity, tool, args, f"Access denied: action '{action}'"
    )


async def test_an_engineer_without_mfa_may_read(stack: Stack) -> None:
    result = await stack.call("network-engineer", "list_devices", {"label": "border"})
    assert [d["name"] for d in result["devices"]] == ["lon-rtr-01", "par-rtr-01", "sjc-rtr-01"]


@pytest.mark.parametrize(
    "command",
    ["configure terminal", "conf t", "reload", "write erase", "wr", "show version; reload",
     "show version\nreload", "show clock\rreload", "show run | redirect flash:x"],
)  # fmt: skip
async def test_refused_commands_never_reach_the_backend(stack: Stack, command: str) -> None:
    args = {"devices": ["par-acc-01"], "commands": ["show clock", command]}
    await assert_fails_before_the_backend(
        stack, "network-engineer-mfa", "exec_commands", args, "refused",
        counters=("total_requests", "commands_run"),
    )  # fmt: skip


def test_main_refuses_to_start_without_its_configuration() -> None:
    assert_refuses_to_start_unconfigured("mcp_radkit")


# --- secrets ----------------------------------------------------------------------------
async def test_outputs_and_diagnostics_carry_no_secret(stack: Stack) -> None:
    names = ["par-rtr-01", "lon-core-01", "par-wlc-01"]
    shown = await stack.call(
        "admin", "exec_commands", {"devices": names, "commands": ["show running-config"]}
    )
    texts = [d["results"][0]["output"] for d in shown["devices"]]
    diagnostics = await stack.call(
        "admin", "collect_diagnostics", {"devices": names, "include_outputs": True}
    )
    texts += [o["output"] for d in diagnostics["devices"] for o in d["outputs"]]
    secrets = set().union(*(config_secrets(running_config(HOSTS[n])) for n in names))
    assert len(secrets) >= 20, secrets
    assert not {s for s in secrets for text in texts if s in text}
    assert all("<masked>" in t for t in texts[:3])
    assert sum(d["results"][0]["masked_secrets"] for d in shown["devices"]) >= len(secrets)


def test_no_device_secret_nor_credential_in_any_log_line(
    stack: Stack, log_stream: io.StringIO
) -> None:
    # Runs last in the module: every call above was logged at DEBUG.
    assert_logs_carry_no_device_secret(log_stream.getvalue(), stack.sim.secret()["client_secret"])
