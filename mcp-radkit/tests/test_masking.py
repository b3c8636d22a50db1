"""Masking: no secret of any sandbox config or log survives; public values do."""

from __future__ import annotations

import pytest

from mcp_common.network import MASK, mask_line
from mcp_common.network import mask_config as mask_text
from radkit_simulator.outputs import show_logging
from simulator_kit.network import DEVICES
from simulator_kit.network.configs import running_config
from simulator_kit.network.secretgen import config_secrets


@pytest.mark.parametrize("device", DEVICES, ids=[d.hostname for d in DEVICES])
def test_no_secret_of_any_sandbox_config_or_log_survives(device: object) -> None:
    config = running_config(device)  # type: ignore[arg-type]
    secrets = config_secrets(config)
    assert len(secrets) >= 6
    for text in (config, show_logging(device, config)):  # type: ignore[arg-type]
        masked = mask_text(text)
        assert not {s for s in secrets if s in masked.text}
    assert mask_text(config).masked >= len(secrets)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("enable secret 9 $9$abc", f"enable secret 9 {MASK}"),
        ("enable secret level 15 5 $1$xyz", f"enable secret level 15 5 {MASK}"),
        (
            "username a privilege 15 password 0 Plain!1",
            f"username a privilege 15 password 0 {MASK}",
        ),
        (' tacacs-server key 7 "0822455D0A16"', f' tacacs-server key 7 "{MASK}"'),
        ("crypto isakmp key Psk!23 address 1.2.3.4", f"crypto isakmp key {MASK} address 1.2.3.4"),
        ("  key-string 7 1511021F0725", f"  key-string 7 {MASK}"),
        ("ntp authentication-key 1 md5 0822455D 7", f"ntp authentication-key 1 md5 {MASK} 7"),
        ("snmp-server community s3cr3t RO ACL", f"snmp-server community {MASK} RO ACL"),
        (
            "snmp-server host 10.0.0.6 version 2c comm1",
            f"snmp-server host 10.0.0.6 version 2c {MASK}",
        ),
        (
            "snmp-server host 10.0.0.6 traps comm1 udp-port 162",
            f"snmp-server host 10.0.0.6 traps {MASK} udp-port 162",
        ),
        (
            "snmp-server user mon grp v3 auth sha A1 priv aes 256 P2",
            f"snmp-server user mon grp v3 auth sha {MASK} priv aes 256 {MASK}",
        ),
        (" security wpa psk set-key ascii 0 Wifi!pw", f" security wpa psk set-key ascii 0 {MASK}"),
        (
            "logged command:snmp-server community abc RO",
            f"logged command:snmp-server community {MASK} RO",
        ),
    ],
)
def test_secret_values_are_masked_in_place(line: str, expected: str) -> None:
    masked, count = mask_line(line)
    assert masked == expected
    assert count == expected.count(MASK)


@pytest.mark.parametrize(
    "line",
    [
        "service password-encryption",
        "key chain OSPF-KEYS",
        "ntp server 10.0.0.123 key 1",
        "ntp trusted-key 1",
        "crypto key generate rsa modulus 2048",
        " set community 65000:100 additive",
        " authentication port-control auto",
        "Interface GigabitEthernet1/0/1 is up",
    ],
)
def test_public_values_stay(line: str) -> None:
    assert mask_line(line) == (line, 0)


def test_line_endings_are_kept() -> None:
    assert mask_text("a\r\nenable secret 5 x\n").text == f"a\r\nenable secret 5 {MASK}\n"


def test_key_ids_inside_a_key_chain_stay() -> None:
    text = "key chain OSPF-KEYS\n key 1\n  key-string 7 1511021F0725\n"
    masked = mask_text(text)
    assert " key 1\n" in masked.text and "1511021F0725" not in masked.text
