"""The diagnostics parsers, on IOS-XE and NX-OS outputs from the simulator and on odd input."""

from __future__ import annotations

from functools import partial

from mcp_common.network import check_command
from mcp_radkit.diagnostics import (
    BUNDLE,
    parse_cpu,
    parse_interfaces,
    parse_inventory,
    parse_logging,
    parse_version,
)
from radkit_simulator.terminal import Session
from simulator_kit.network import DEVICES
from simulator_kit.network.configs import running_config

HOSTS = {d.hostname: d for d in DEVICES}


def output(hostname: str, command: str) -> str:
    device = HOSTS[hostname]
    session = Session(device, partial(running_config, device), 90_061.0, frozenset())
    return session.run(command)[1]


def test_the_bundle_is_read_only() -> None:
    assert [check_command(c) for c in BUNDLE] == list(BUNDLE)


def test_version_facts_from_ios_xe_and_nx_os() -> None:
    xe = parse_version(output("par-acc-01", "show version"))
    assert (xe.software_version, xe.model, xe.serial) == ("17.09.04", "C9300-48U", "FOC2404X004")
    assert xe.uptime == "0 weeks, 1 days, 1 hours, 1 minutes"
    nx = parse_version(output("lon-core-01", "show version"))
    assert (nx.software_version, nx.model, nx.serial) == ("10.3(4a)", "C93180YC-FX", "FOC2409X009")
    assert nx.uptime is not None and nx.uptime.startswith("1 day(s)")


def test_inventory_lists_each_module() -> None:
    modules = parse_inventory(output("par-rtr-01", "show inventory"))
    assert len(modules) == 3
    assert modules[0] == ("ISR4451-X/K9", "FOC2407X007")


def test_interfaces_are_counted_and_enabled_down_ones_named() -> None:
    switch = parse_interfaces(output("par-acc-01", "show ip interface brief"))
    assert switch is not None
    assert (switch.total, switch.admin_down) == (10, 1)
    assert switch.down == [
        "GigabitEthernet1/0/4",
        "GigabitEthernet1/0/5",
        "TenGigabitEthernet1/1/2",
    ]
    nexus = parse_interfaces(output("lon-core-01", "show ip interface brief"))
    assert nexus is not None
    assert (nexus.total, nexus.up, nexus.down) == (5, 4, ["Ethernet1/3"])


def test_cpu_load_from_ios_xe_and_nx_os() -> None:
    busy = parse_cpu(output("par-core-02", "show processes cpu"))
    assert busy is not None and busy.five_minutes is not None and busy.five_minutes >= 80
    nexus = parse_cpu(output("lon-core-01", "show processes cpu"))
    assert nexus is not None
    assert nexus.five_seconds is not None and nexus.one_minute is None


def test_logging_counts_errors_and_keeps_the_last_ones() -> None:
    logs = parse_logging(output("par-core-02", "show logging"))
    assert logs is not None
    assert logs.errors == 1
    assert "%SYS-3-CPUHOG" in logs.recent_errors[0]
    quiet = parse_logging(output("lon-core-01", "show logging"))
    assert quiet is not None and quiet.errors == 0


def test_unparseable_outputs_give_nothing_rather_than_guesses() -> None:
    for parse in (parse_interfaces, parse_cpu, parse_logging):
        assert parse("% Invalid input detected at '^' marker.") is None
    assert parse_version("") == parse_version("garbage")
    assert parse_version("").software_version is None
    assert parse_inventory("") == []
