"""The `api/radkit` secret: which backend, which service, as whom; bad secrets named clearly."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mcp_common import ConfigurationError
from mcp_radkit.config import RadkitConfig, radkit_config

PATH = "api/radkit"
HTTP = {
    "mode": "http",
    "service_id": "abcd-efgh-1234",
    "client_id": "bot@corp.example.net",
    "client_secret": "s3cret-value",
    "base_url": "http://127.0.0.1:9104/",
}


def test_http_mode_reads_every_key_and_trims_the_url() -> None:
    config = radkit_config({**HTTP, "verify_tls": "false"}, PATH)
    assert config == RadkitConfig(
        mode="http",
        service_id="abcd-efgh-1234",
        client_id="bot@corp.example.net",
        client_secret="s3cret-value",
        base_url="http://127.0.0.1:9104",
        verify=False,
    )


def test_email_and_password_are_accepted_as_aliases() -> None:
    secret = {k: v for k, v in HTTP.items() if k not in ("client_id", "client_secret")}
    config = radkit_config({**secret, "email": "me@corp", "password": "pw"}, PATH)
    assert (config.client_id, config.client_secret) == ("me@corp", "pw")


def test_sdk_is_the_default_mode_and_needs_no_url_nor_secret() -> None:
    config = radkit_config({"service_id": "abcd-efgh-1234", "email": "me@corp"}, PATH)
    assert (config.mode, config.base_url, config.client_secret) == ("sdk", "", "")
    assert config.verify is True


def test_sdk_mode_keeps_certificate_paths() -> None:
    secret = {"mode": "SDK", "service_id": "abcd-efgh-1234", "client_id": "me@corp",
              "cert_path": "/run/radkit/cert.pem", "key_path": "/run/radkit/key.pem"}  # fmt: skip
    config = radkit_config(secret, PATH)
    assert (config.cert_path, config.key_path, config.ca_path) == (
        "/run/radkit/cert.pem", "/run/radkit/key.pem", ""
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"base_url": ""}, "lacks base_url"),
        ({"client_secret": None}, "lacks client_secret (or password)"),
        ({"service_id": "", "client_id": ""}, "lacks service_id, client_id (or email)"),
        ({"mode": "ssh"}, "mode must be 'sdk' or 'http'"),
        ({"service_id": "no spaces allowed"}, "not a RADKit service serial"),
        ({"base_url": "ftp://relay"}, "base_url must be an http(s) URL"),
        ({"verify_tls": "maybe"}, "verify_tls must be 'true' or 'false'"),
    ],
)
def test_bad_secrets_are_configuration_errors_naming_the_problem(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        ConfigurationError, match=f"secret 'api/radkit'.*{re.escape(message)}"
    ) as caught:
        radkit_config({**HTTP, **change}, PATH)
    assert "s3cret-value" not in str(caught.value)


def test_the_client_secret_is_not_in_the_repr() -> None:
    assert "s3cret-value" not in repr(radkit_config(HTTP, PATH))
