"""SdkBackend: without the RADKit SDK it says how to install it; it never fakes the SDK."""

from __future__ import annotations

import sys

import pytest

from mcp_common import ConfigurationError
from mcp_radkit.config import radkit_config
from mcp_radkit.sdk_backend import INSTALL_HINT, SdkBackend

SDK_SECRET = {"mode": "sdk", "service_id": "abcd-efgh-1234", "client_id": "me@corp"}


@pytest.fixture
def no_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import radkit_client` fail, whatever is installed."""
    monkeypatch.setitem(sys.modules, "radkit_client", None)
    monkeypatch.setitem(sys.modules, "radkit_client.sync", None)


@pytest.mark.usefixtures("no_sdk")
def test_without_the_sdk_the_error_is_a_clear_install_hint() -> None:
    with pytest.raises(ConfigurationError) as caught:
        SdkBackend(radkit_config(SDK_SECRET, "api/radkit"))
    message = str(caught.value)
    assert message == INSTALL_HINT
    assert "radkit_client" in message and "cisco-radkit-client" in message
    assert "https://radkit.cisco.com/downloads/release/" in message
    assert "mode=http" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_it_needs_an_sdk_mode_config() -> None:
    secret = {**SDK_SECRET, "mode": "http", "client_secret": "x", "base_url": "http://h"}
    with pytest.raises(ValueError, match="sdk-mode"):
        SdkBackend(radkit_config(secret, "api/radkit"))
