"""Command outputs: IOS-style abbreviations, errors, and the permissive runner."""

from __future__ import annotations

import pytest

from simulator_kit.network import DEVICES, Device
from simulator_kit.network.commands import BLACKLISTED, FAILURE, SUCCESS, run_command

ACCESS = next(d for d in DEVICES if d.hostname == "par-acc-01")
NEXUS = next(d for d in DEVICES if d.hostname == "lon-core-01")


def _run(command: str, device: Device = ACCESS, reachable: bool = True) -> tuple[str, str]:
    return run_command(
        device,
        command,
        reachable=reachable,
        running_config=lambda: "hostname x\nend",
        uptime=90_061.0,
        reachable_ips=frozenset({"10.10.0.1"}),
    )


@pytest.mark.parametrize(
    "command", ["show version", "sh ver", "sho vers", "show ip interface brief", "sh ip int br",
                "show run", "show inventory", "show clock"],
)  # fmt: skip
def test_known_show_commands_and_abbreviations_succeed(command: str) -> None:
    bucket, text = _run(command)
    assert bucket == SUCCESS
    assert text.startswith(command + "\n")
    assert text.endswith("par-acc-01#")


def test_output_echoes_the_command_then_the_prompt() -> None:
    _, text = _run("show version")
    assert "par-acc-01 uptime is 0 weeks, 1 days, 1 hours, 1 minutes" in text


def test_invalid_input_points_at_the_first_bad_word() -> None:
    bucket, text = _run("show ip foo")
    assert bucket == FAILURE
    lines = text.splitlines()
    assert lines[1].index("^") == len("show ip ")
    assert lines[2] == "% Invalid input detected at '^' marker."


def test_ping_succeeds_only_towards_reachable_addresses() -> None:
    assert "100 percent" in _run("ping 10.10.0.1")[1]
    assert "0 percent" in _run("ping 10.99.0.1")[1]
    assert "Unrecognized host" in _run("ping nowhere")[1]


def test_tech_support_is_blacklisted() -> None:
    assert _run("show tech-support")[0] == BLACKLISTED


@pytest.mark.parametrize("command", ["configure terminal", "conf t", "interface Gi1/0/1",
                                     "no shutdown", "write memory", "reload"])  # fmt: skip
def test_configuration_and_write_commands_are_accepted_like_a_permissive_runner(
    command: str,
) -> None:
    assert _run(command)[0] == SUCCESS


def test_unreachable_device_fails_every_command() -> None:
    bucket, text = _run("show version", reachable=False)
    assert bucket == FAILURE and "unreachable" in text


def test_nexus_answers_in_nxos_format() -> None:
    _, version = _run("show version", NEXUS)
    assert "Cisco Nexus Operating System (NX-OS) Software" in version
    _, brief = _run("show ip interface brief", NEXUS)
    assert 'IP Interface Status for VRF "default"' in brief
