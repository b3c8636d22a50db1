"""The backend secret's keys: validated, TLS verification on unless said otherwise."""

from __future__ import annotations

import os
import re
import stat

import pytest

from mcp_catalyst_center.config import backend_config
from mcp_common import ConfigurationError

BASE = {"base_url": "https://cc.example.net/", "username": "svc", "password": "pw-123456"}


def test_tls_verification_is_on_by_default() -> None:
    config = backend_config(BASE, "api/catalyst-center")
    assert config.verify is True
    assert config.base_url == "https://cc.example.net"


@pytest.mark.parametrize(
    ("raw", "verify"),
    [
        ("true", True),
        ("false", False),
        ("FALSE", False),
        (True, True),
        (False, False),
        ("0", False),
    ],
)
def test_verify_tls_is_read_as_a_boolean(raw: object, verify: bool) -> None:
    assert backend_config({**BASE, "verify_tls": raw}, "p").verify is verify


def test_a_ca_bundle_path_replaces_the_default_roots() -> None:
    config = backend_config({**BASE, "ca_bundle": "/etc/ssl/corp-ca.pem"}, "p")
    assert config.verify == "/etc/ssl/corp-ca.pem"


def test_a_pem_ca_bundle_is_written_to_a_private_file() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----"
    config = backend_config({**BASE, "ca_bundle": pem}, "p")
    assert isinstance(config.verify, str) and os.path.isfile(config.verify)
    assert stat.S_IMODE(os.stat(config.verify).st_mode) == 0o600
    with open(config.verify) as handle:
        assert handle.read().strip() == pem
    os.remove(config.verify)


def test_verification_off_ignores_the_ca_bundle() -> None:
    config = backend_config({**BASE, "verify_tls": "false", "ca_bundle": "/x.pem"}, "p")
    assert config.verify is False


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ({"username": "svc", "password": "pw"}, "lacks base_url"),
        ({"base_url": "https://x"}, "lacks username, password"),
        ({**BASE, "base_url": "cc.example.net"}, "base_url must be an http(s) URL"),
        ({**BASE, "verify_tls": "maybe"}, "verify_tls must be 'true' or 'false'"),
    ],
)
def test_bad_secrets_are_configuration_errors_that_name_keys_not_values(
    secret: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)) as caught:
        backend_config(secret, "api/catalyst-center")
    assert "pw" not in str(caught.value)


def test_the_password_is_not_in_the_repr() -> None:
    assert "pw-123456" not in repr(backend_config(BASE, "p"))
