"""The command runner's allow-list: read-only commands in, everything else out, with a reason."""

from __future__ import annotations

import pytest

from mcp_common.errors import PlatformError
from mcp_common.network import CommandRefused, check_command

ACCEPTED = [
    ("show version", "show version"),
    ("  show   ip  interface brief ", "show ip interface brief"),
    ("SHOW clock", "SHOW clock"),
    ("show running-config | section interface", "show running-config | section interface"),
    ("show run|include hostname", "show run | include hostname"),
    ("show logging | exclude LINK | count down", "show logging | exclude LINK | count down"),
    ("ping 10.0.0.1", "ping 10.0.0.1"),
    ("traceroute 10.0.0.1", "traceroute 10.0.0.1"),
]

REFUSED = [
    ("configure terminal", "only read-only commands"),
    ("conf t", "only read-only commands"),
    ("config t", "only read-only commands"),
    ("reload", "only read-only commands"),
    ("reload in 5", "only read-only commands"),
    ("write erase", "only read-only commands"),
    ("write memory", "only read-only commands"),
    ("wr", "only read-only commands"),
    ("copy running-config startup-config", "only read-only commands"),
    ("delete flash:config.text", "only read-only commands"),
    ("clear counters", "only read-only commands"),
    ("debug ip packet", "only read-only commands"),
    ("sh run", "only read-only commands"),  # abbreviations are not interpreted
    ("terminal length 0", "only read-only commands"),
    ("show version; reload", "';'"),
    ("show version ;reload", "';'"),
    ("show version\nreload", "line break"),
    ("show version\rreload", "line break"),
    ("show version\r\nconf t", "line break"),
    ("show clock\x00reload", "control character"),
    ("show running-config > bootflash:x", "'>'"),
    ("show run | redirect flash:x", "after '|'"),
    ("show run | append flash:x", "after '|'"),
    ("show run | tee flash:x", "after '|'"),
    ("show run | include", "after '|'"),
    ("show run |", "after '|'"),
    ("show", "needs an argument"),
    ("", "only read-only commands"),
    ("   ", "only read-only commands"),
    ("show version \u037e reload", "ASCII"),  # a Greek question mark looks like ';'
    ("show " + "x" * 300, "longer than 256"),
]


@pytest.mark.parametrize(("command", "normalised"), ACCEPTED)
def test_read_only_commands_are_accepted(command: str, normalised: str) -> None:
    assert check_command(command) == normalised


@pytest.mark.parametrize(("command", "reason"), REFUSED, ids=[repr(c[0])[:40] for c in REFUSED])
def test_anything_else_is_refused_with_a_reason(command: str, reason: str) -> None:
    with pytest.raises(CommandRefused) as caught:
        check_command(command)
    assert reason in str(caught.value)
    assert "refused" in str(caught.value) or "longer" in str(caught.value)


def test_refusal_is_a_platform_error_and_shows_control_characters_escaped() -> None:
    with pytest.raises(PlatformError) as caught:
        check_command("show clock\nreload")
    assert "\\n" in str(caught.value) and "\n" not in str(caught.value)
