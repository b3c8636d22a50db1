"""Server checks: a clean log passes; a device secret, the credential or a token fails it."""

from __future__ import annotations

import json

import pytest

from platform_testkit.server_checks import assert_logs_carry_no_device_secret
from simulator_kit.network import DEVICES
from simulator_kit.network.configs import running_config
from simulator_kit.network.secretgen import config_secrets

CREDENTIAL = "sim-Pa55word-for-tests"
CLEAN = "\n".join(
    json.dumps(record)
    for record in ({"message": "MCP tool executed"}, {"event.action": "upstream.login"})
)


def test_a_clean_log_passes() -> None:
    assert_logs_carry_no_device_secret(CLEAN, CREDENTIAL)


@pytest.mark.parametrize(
    "leak",
    [sorted(config_secrets(running_config(DEVICES[0])))[0], CREDENTIAL, "Bearer eyJhbGciOi"],
    ids=["device secret", "credential", "token"],
)
def test_a_leak_fails(leak: str) -> None:
    with pytest.raises(AssertionError):
        assert_logs_carry_no_device_secret(f"{CLEAN}\nplain line: {leak}", CREDENTIAL)


def test_a_log_without_tool_calls_proves_nothing() -> None:
    with pytest.raises(AssertionError):
        assert_logs_carry_no_device_secret("", CREDENTIAL)
