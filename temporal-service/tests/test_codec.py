"""Temporal payloads are encrypted (they carry the requester's token): AES-256-GCM, key checked."""

from __future__ import annotations

import base64
import os

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import default

from mcp_common.errors import ConfigurationError
from mcp_common.testing import StaticSecretStore
from temporal_service.codec import ENCODING, EncryptionCodec, parse_key, payload_key
from temporal_service.models import DeploymentRequest
from temporal_service.settings import WorkflowSettings

KEY = os.urandom(32)
BASE = {"oidc_issuer": "http://127.0.0.1:9", "secrets_backend": "file", "secrets_file": "x"}


async def test_a_request_with_its_delegation_is_stored_only_encrypted() -> None:
    request = DeploymentRequest("t", ["d"], "a reason", "alice", delegation="eyJ.secret.token")
    clear = default().payload_converter.to_payloads([request])
    codec = EncryptionCodec(KEY)
    [sealed] = await codec.encode(clear)
    assert sealed.metadata["encoding"] == ENCODING and b"secret" not in sealed.data
    assert b"secret" in clear[0].data  # what Temporal would have kept without the codec
    [opened] = await codec.decode([sealed])
    assert opened == clear[0]
    assert "eyJ" not in repr(request)  # never in a log line either


async def test_altered_payloads_and_other_keys_do_not_decode() -> None:
    [sealed] = await EncryptionCodec(KEY).encode([Payload(data=b"x")])
    with pytest.raises(ValueError, match="authentication"):
        await EncryptionCodec(os.urandom(32)).decode([sealed])
    tampered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + b"\0")
    with pytest.raises(ValueError, match="authentication"):
        await EncryptionCodec(KEY).decode([tampered])
    with pytest.raises(ValueError, match="unknown key"):
        await EncryptionCodec(KEY, key_id="2027").decode([sealed])
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b"1")  # written before
    assert await EncryptionCodec(KEY).decode([plain]) == [plain]


async def test_the_key_comes_from_the_secret_store_or_the_settings() -> None:
    text = base64.b64encode(KEY).decode()
    from_store = WorkflowSettings(**BASE, payload_key_path="api/temporal-payloads")
    store = StaticSecretStore({"api/temporal-payloads": {"key": text}})
    assert await payload_key(from_store, store) == KEY
    assert await payload_key(WorkflowSettings(**BASE, payload_key=text), None) == KEY
    assert await payload_key(WorkflowSettings(**BASE), None) is None
    with pytest.raises(ConfigurationError, match="secret store"):
        await payload_key(from_store, None)


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_bad_key_is_a_configuration_error_that_does_not_quote_it(value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_key(value)
    assert value not in str(caught.value)
