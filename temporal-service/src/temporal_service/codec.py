"""Encrypted Temporal payloads: the requester's token a workflow carries is never stored in clear.

Temporal keeps every workflow input and activity argument in its history. A deployment carries
the requester's access token (its delegation, ADR 0006), so the workflows server and the worker
encrypt every payload with AES-256-GCM before it leaves the process, with a key from the
secret store (`MCP_PAYLOAD_KEY_PATH`, field `key`, 32 bytes in base64) or `MCP_PAYLOAD_KEY`.
Temporal's UI then shows ciphertext; a payload encrypted under another key, or altered, fails
to decode rather than being read.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
from collections.abc import Sequence

import temporalio.converter
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from mcp_common.errors import ConfigurationError
from mcp_common.secrets import SecretStore

from .settings import WorkflowSettings

__all__ = ["ENCODING", "EncryptionCodec", "encrypted", "parse_key", "payload_key"]

ENCODING = b"binary/encrypted"
_NONCE = 12


def parse_key(value: str) -> bytes:
    """A 32-byte AES key from its base64 text; ConfigurationError otherwise (never the value)."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("the payload key is not base64") from None
    if len(key) != 32:
        raise ConfigurationError("the payload key must be 32 bytes (AES-256)")
    return key


class EncryptionCodec(temporalio.converter.PayloadCodec):
    """AES-256-GCM over each payload; the key id travels in the payload's metadata."""

    def __init__(self, key: bytes, key_id: str = "default") -> None:
        if len(key) != 32:
            raise ValueError("key must be 32 bytes")
        self._aead = AESGCM(key)
        self.key_id = key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload (a fresh nonce each)."""
        encoded = []
        for payload in payloads:
            nonce = os.urandom(_NONCE)
            sealed = self._aead.encrypt(nonce, payload.SerializeToString(), self.key_id.encode())
            encoded.append(
                Payload(
                    metadata={"encoding": ENCODING, "encryption-key-id": self.key_id.encode()},
                    data=nonce + sealed,
                )
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt encrypted payloads; others (written before encryption) pass as they are."""
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)
                continue
            key_id = payload.metadata.get("encryption-key-id", b"").decode()
            if key_id != self.key_id:
                raise ValueError(f"payload encrypted with unknown key {key_id[:32]!r}")
            try:
                clear = self._aead.decrypt(
                    payload.data[:_NONCE], payload.data[_NONCE:], key_id.encode()
                )
            except InvalidTag:
                raise ValueError("payload failed authentication (altered or another key)") from None
            decoded.append(Payload.FromString(clear))
        return decoded


async def payload_key(settings: WorkflowSettings, secrets: SecretStore | None) -> bytes | None:
    """The payload key from the settings or the secret store; None when none is configured."""
    if settings.payload_key is not None:
        return parse_key(settings.payload_key.get_secret_value())
    if settings.payload_key_path is None:
        return None
    if secrets is None:
        raise ConfigurationError("MCP_PAYLOAD_KEY_PATH needs a secret store")
    value = (await secrets.get(settings.payload_key_path)).get("key")
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"secret {settings.payload_key_path} has no key")
    return parse_key(value)


def encrypted(client: Client, key: bytes | None) -> Client:
    """The same connection, encrypting payloads with `key` (the client itself when None)."""
    if key is None:
        return client
    config = client.config()
    converter = dataclasses.replace(config["data_converter"], payload_codec=EncryptionCodec(key))
    config["data_converter"] = converter
    return Client(**config)
