"""Running-configs: realistic, per-device, and full of secrets of every kind."""

from __future__ import annotations

import re

import pytest

from simulator_kit.network import DEVICES, Device
from simulator_kit.network.configs import running_config

IOS = [d for d in DEVICES if not d.platform.startswith("N9K")]


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.hostname)
def test_every_config_names_its_device_and_carries_credentials(device: Device) -> None:
    config = running_config(device)
    assert f"hostname {device.hostname}" in config
    assert re.search(r"^username \S+ (privilege 15 )?(secret|password) \d ", config, re.M)
    assert "snmp-server community " in config
    assert re.search(r"(tacacs-server|tacacs server)", config)


def test_secrets_differ_between_devices() -> None:
    admin = re.compile(r"^username admin privilege 15 secret 9 (\S+)$", re.M)
    hashes = {m.group(1) for d in IOS if (m := admin.search(running_config(d)))}
    assert len(hashes) == len(IOS)


def test_the_fleet_covers_every_secret_form_masking_must_handle() -> None:
    fleet = "\n".join(running_config(d) for d in DEVICES)
    for pattern in (
        r"enable secret 9 \$9\$", r"enable secret 5 \$1\$", r"enable password 7 [0-9A-F]+",
        r"secret 8 \$8\$", r"password 7 [0-9A-F]{10,}", r"password 0 \S+",
        r" key 0 \S+", r" key 7 [0-9A-F]+", r"^ key [A-Z]\S+$",
        r"snmp-server community public RO", r"snmp-server community \S+ RW",
        r"crypto isakmp key \S+ address", r"pre-shared-key \S+",
        r"set-key ascii 0 \S+", r"ntp authentication-key 1 md5 \S+ 7",
        r"key-string 7 \S+", r'tacacs-server key 7 "\S+"', r"password 5 \$5\$",
        r"auth sha 0x[0-9a-f]+ priv aes-128 0x[0-9a-f]+",
    ):  # fmt: skip
        assert re.search(pattern, fleet, re.M), pattern


def test_configs_are_stable_and_end_like_ios() -> None:
    assert running_config(DEVICES[0]) == running_config(DEVICES[0])
    assert running_config(DEVICES[0]).endswith("\nend\n")


def test_deployed_template_blocks_are_inserted_before_end() -> None:
    config = running_config(DEVICES[3], ["banner motd ^C\nHello\n^C"])
    assert config.endswith("banner motd ^C\nHello\n^C\n!\nend\n")
