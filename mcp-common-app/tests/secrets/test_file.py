"""Specification of FileSecretStore, the development secret store on a local file."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcp_common.errors import ConfigurationError, SecretNotFound, SecretStoreUnavailable
from mcp_common.secrets import FileSecretStore

PASSWORD = f"pw-{secrets.token_hex(12)}"
SEED_EXAMPLE = (
    Path(__file__).resolve().parents[3] / "common-services" / "vault" / "seed.example.json"
)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.get_records("call"):
        text = " ".join([record.getMessage(), *map(str, vars(record).values())])
        assert PASSWORD not in text, f"secret leaked in log record {record.name}"


def write(path: Path, data: Any, mode: int = 0o600) -> Path:
    path.write_text(json.dumps(data))
    path.chmod(mode)
    # Each write gets a distinct mtime even on coarse-grained file systems.
    stamp = path.stat().st_mtime_ns + 10_000_000
    os.utime(path, ns=(stamp, stamp))
    return path


def audits(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    return [
        (vars(r)["secret.path"], vars(r)["event.outcome"], vars(r)["secret.source"])
        for r in caplog.records
        if r.name == "mcp.audit"
    ]


async def test_reads_a_secret_from_a_json_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secrets.json", {"api/catalyst-center": {"password": PASSWORD}})
    store = FileSecretStore(path)
    assert await store.ready()
    assert dict(await store.get("api/catalyst-center")) == {"password": PASSWORD}


async def test_the_seed_example_has_every_backend(tmp_path: Path) -> None:
    store = FileSecretStore(SEED_EXAMPLE)
    assert set((await store.get("api/catalyst-center")).keys()) >= {
        "base_url",
        "username",
        "password",
        "verify_tls",
    }
    assert set((await store.get("api/servicenow")).keys()) >= {
        "instance_url",
        "username",
        "password",
        "client_id",
        "client_secret",
    }
    assert set((await store.get("api/github")).keys()) >= {"base_url", "token"}
    assert "service_id" in await store.get("api/radkit")


async def test_reads_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.yaml"
    path.write_text(f"api/github:\n  base_url: http://127.0.0.1:9\n  token: {PASSWORD}\n")
    path.chmod(0o600)
    assert (await FileSecretStore(path).get("api/github"))["token"] == PASSWORD


async def test_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = write(tmp_path / "secrets.json", {"api/github": {"token": "first"}})
    store = FileSecretStore(path)
    assert (await store.get("api/github"))["token"] == "first"
    write(path, {"api/github": {"token": "again"}})
    assert (await store.get("api/github"))["token"] == "again"


async def test_missing_path_is_secret_not_found_and_audited(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FileSecretStore(write(tmp_path / "s.json", {"api/github": {"token": PASSWORD}}))
    await store.get("/api/github")
    with pytest.raises(SecretNotFound, match="api/radkit"):
        await store.get("api/radkit")
    assert audits(caplog) == [
        ("api/github", "success", "file"),
        ("api/radkit", "failure", "file"),
    ]


async def test_missing_file_is_unavailable_and_not_ready(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path / "absent.json")
    assert not await store.ready()
    with pytest.raises(SecretStoreUnavailable, match="Cannot read secrets file"):
        await store.get("api/github")


async def test_invalid_json_names_the_place_not_the_content(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"api/github": {"token": "' + PASSWORD + '"}')  # unterminated object
    with pytest.raises(SecretStoreUnavailable, match=r"not valid JSON \(line 1") as failure:
        await FileSecretStore(path).get("api/github")
    assert PASSWORD not in str(failure.value)


async def test_invalid_yaml_names_the_place_not_the_content(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text(f"api/github:\n  token: {PASSWORD}\n \t bad: [\n")
    with pytest.raises(SecretStoreUnavailable, match="not valid YAML") as failure:
        await FileSecretStore(path).get("api/github")
    assert PASSWORD not in str(failure.value)


async def test_entries_must_be_objects(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", {"api/github": PASSWORD})
    with pytest.raises(SecretStoreUnavailable, match="'api/github' must be an object") as failure:
        await FileSecretStore(path).get("api/github")
    assert PASSWORD not in str(failure.value)


async def test_loose_file_mode_is_warned_about_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "s.json", {"api/github": {"token": "x"}}, mode=0o644)
    store = FileSecretStore(path)
    await store.get("api/github")
    write(path, {"api/github": {"token": "y"}}, mode=0o644)
    await store.get("api/github")
    warnings = [r for r in caplog.records if "chmod 600" in r.getMessage()]
    assert len(warnings) == 1
    assert "644" in warnings[0].getMessage()


async def test_private_file_mode_is_not_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await FileSecretStore(write(tmp_path / "s.json", {"api/x": {"a": "b"}})).get("api/x")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_yaml_without_pyyaml_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "yaml" else real_find_spec(name, *a),
    )
    with pytest.raises(ConfigurationError, match="pip install pyyaml"):
        FileSecretStore(tmp_path / "s.yaml")


def test_constructor_rejects_an_empty_path() -> None:
    with pytest.raises(ValueError, match="path"):
        FileSecretStore("")
