"""Terminal outputs: the reused show generators, the extra ones, IOS output filters, secrets."""

from __future__ import annotations

from functools import partial

import pytest

from radkit_simulator.outputs import BUSY_DEVICES, processes_cpu, show_logging
from radkit_simulator.terminal import FAILURE, SUCCESS, Session, apply_filter
from simulator_kit.network import DEVICES
from simulator_kit.network.configs import running_config

HOSTS = {d.hostname: d for d in DEVICES}


def session(hostname: str) -> Session:
    device = HOSTS[hostname]
    return Session(device, partial(running_config, device), 86_400.0, frozenset({"10.10.0.1"}))


def body(text: str) -> list[str]:
    """The output lines between the echoed command and the final prompt."""
    return text.splitlines()[1:-1]


def test_output_has_the_prompt_the_echo_and_the_reused_generator() -> None:
    status, text = session("par-acc-01").run("show version")
    assert status == SUCCESS
    lines = text.splitlines()
    assert lines[0] == "par-acc-01#show version"
    assert lines[1].startswith("Cisco IOS XE Software, Version 17.09.04")
    assert lines[-1] == "par-acc-01#"


def test_invalid_commands_fail_with_a_caret_under_the_error() -> None:
    status, text = session("par-acc-01").run("show bogus")
    assert status == FAILURE
    echo, caret = text.splitlines()[:2]
    assert caret.index("^") == echo.index("bogus")
    assert "% Invalid input detected" in text


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("include o", ["one", "two", "four"]),
        ("exclude o", ["three", " child"]),
        ("begin thr", ["three", " child", "four"]),
        ("section thr", ["three", " child"]),
        ("count o", ["Number of lines which match regexp = 3"]),
        ("include t(wo|hree)", ["two", "three"]),
    ],
)
def test_filters_follow_ios_semantics(stage: str, expected: list[str]) -> None:
    assert apply_filter(["one", "two", "three", " child", "four"], stage) == expected


@pytest.mark.parametrize("stage", ["redirect flash:x", "include", "include (", "grep x"])
def test_unknown_or_incomplete_filters_are_invalid(stage: str) -> None:
    assert apply_filter(["a"], stage) is None


def test_filters_apply_to_the_output_and_chain() -> None:
    runner = session("par-rtr-01")
    status, text = runner.run("show running-config | section snmp-server | exclude location")
    assert status == SUCCESS
    lines = body(text)
    assert lines and all(line.startswith("snmp-server") for line in lines)
    assert not any("location" in line for line in lines)
    status, text = runner.run("show running-config | include snmp|ntp")  # regex alternation
    assert status == SUCCESS and any("ntp" in x for x in body(text))
    status, text = runner.run("show clock | redirect flash:out.txt")
    assert status == FAILURE and "% Invalid input" in text


def test_running_config_carries_the_devices_secrets() -> None:
    status, text = session("par-rtr-01").run("show running-config")
    assert status == SUCCESS
    assert "crypto isakmp key " in text and "snmp-server community " in text


def test_processes_cpu_shows_load_and_busy_devices_run_hot() -> None:
    quiet, busy = processes_cpu(HOSTS["par-acc-01"]), processes_cpu(HOSTS["par-core-02"])
    assert quiet.startswith("CPU utilization for five seconds: ")
    five_min = int(busy.splitlines()[0].rsplit(" ", 1)[1].rstrip("%"))
    assert "par-core-02" in BUSY_DEVICES and five_min >= 80
    assert "CPU util  :" in processes_cpu(HOSTS["lon-core-01"])  # NX-OS wording


def test_logging_holds_a_logged_command_with_its_secret_and_link_failures() -> None:
    device = HOSTS["lon-core-01"]
    config = running_config(device)
    community = next(
        line.split()[2] for line in config.splitlines() if line.startswith("snmp-server community")
    )
    text = show_logging(device, config)
    assert f"snmp-server community {community}" in text
    assert "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/3 is down" in text
    assert "%SYS-3-CPUHOG" in show_logging(HOSTS["par-core-02"], "")


def test_the_terminal_runs_configuration_commands_too() -> None:
    # Refusing them is the MCP server's job; the simulator behaves like a device.
    status, text = session("par-acc-01").run("configure terminal")
    assert status == SUCCESS and "(config)#" in text
