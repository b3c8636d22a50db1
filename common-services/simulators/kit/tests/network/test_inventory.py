"""The shared inventory: stable, unique identities every simulator agrees on."""

from __future__ import annotations

from simulator_kit.network import DEVICES, SITES


def test_devices_are_unique_by_id_hostname_ip_and_serial() -> None:
    for key in ("id", "hostname", "ip", "serial"):
        assert len({getattr(d, key) for d in DEVICES}) == len(DEVICES), key


def test_every_device_sits_in_a_known_building() -> None:
    buildings = {s.id for s in SITES if s.kind == "building"}
    assert all(d.site_id in buildings for d in DEVICES)
    assert any(not d.reachable for d in DEVICES)  # the simulators need unreachable ones too
