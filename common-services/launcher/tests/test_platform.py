"""What the local platform runs: simulators' commands and secrets, ports (the launcher's
start/stop is exercised end to end by tests/test_platform.py)."""

from __future__ import annotations

import importlib.util

import pytest

from platform_launcher.platform import (
    BACKENDS,
    SERVERS,
    BackendSpec,
    PlatformPorts,
    available_backends,
    backend_command,
    backend_secrets,
)


def test_every_backend_simulator_is_installed_and_runnable_as_a_module() -> None:
    assert [b.name for b in available_backends()] == [b.name for b in BACKENDS]
    for backend in BACKENDS:
        assert importlib.util.find_spec(f"{backend.module}.__main__") is not None


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_passwords_go_through_the_environment_not_argv(backend: BackendSpec) -> None:
    args, env = backend_command(backend, 9999, "s3cret-pw")
    assert args[:2] == ["-m", backend.module] and "9999" in args
    assert "s3cret-pw" not in " ".join(args)
    assert any(v.startswith("s3cret-pw") for v in env.values())


def test_each_backend_secret_lands_at_its_servers_path() -> None:
    urls = {b.name: f"http://127.0.0.1:{b.port}" for b in BACKENDS}
    seeded = backend_secrets(urls, {b.name: f"pw-{b.name}" for b in BACKENDS})
    # ... and catalyst-center's ServiceNow read account (its change gate), in its own path.
    gate = "api/catalyst-center/servicenow"
    assert sorted(seeded) == sorted([gate, *(b.secret_path for b in BACKENDS)])
    assert seeded[gate] == {"username": "integration", "password": "pw-servicenow",
                            "verify_tls": "false"}  # fmt: skip
    assert seeded["api/servicenow"]["client_secret"] == "pw-servicenow-oauth"
    assert seeded["api/radkit"]["mode"] == "http"


def test_free_ports_are_distinct() -> None:
    ports = PlatformPorts.free()
    every = [ports.issuer, ports.proxy, ports.console, ports.vault, ports.temporal,
             ports.temporal_ui, *ports.backends.values(), *ports.servers.values()]  # fmt: skip
    assert len(set(every)) == len(every) == 6 + len(BACKENDS) + len(SERVERS)


def test_the_console_is_listed_in_the_endpoint_table() -> None:
    from platform_launcher.up import _table

    endpoints = {
        "issuer": "http://127.0.0.1:9000",
        "vault": "http://127.0.0.1:8200",
        "servers": {},
        "console": "http://127.0.0.1:8010",
        "backends": {},
        "identities": {},
        "logs": ".platform/logs",
    }
    assert "console (browser)" in _table(endpoints) and "http://127.0.0.1:8010" in _table(endpoints)
