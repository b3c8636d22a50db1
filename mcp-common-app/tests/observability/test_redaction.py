"""Redaction masks secrets by key and by shape, everywhere, and leaves the rest alone."""

from mcp_common.observability import REDACTED, is_sensitive_key, redact, redact_text

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl"


def test_sensitive_keys_are_recognised() -> None:
    for key in (
        "password",
        "client_secret",
        "Authorization",
        "access_token",
        "X-Auth-Token",
        "api_key",
        "snmp_community",
        "vault_token",
    ):
        assert is_sensitive_key(key), key
    for key in ("hostname", "token_type", "secret.path", "event.action", "user.id"):
        assert not is_sensitive_key(key), key


def test_values_under_sensitive_keys_are_masked_at_any_depth() -> None:
    data = {"user": "alice", "auth": {"password": "hunter2", "nested": [{"token": "t0k"}]}}
    assert redact(data) == {
        "user": "alice",
        "auth": {"password": REDACTED, "nested": [{"token": REDACTED}]},
    }


def test_secret_shaped_text_is_masked() -> None:
    text = f"Authorization: Bearer {JWT} and vault hvs.CAESIJ1234567890abcdefghijkl password=p4ss"
    out = redact_text(text)
    assert JWT not in out
    assert "hvs.CAESIJ" not in out
    assert "p4ss" not in out
    assert "Authorization" in out


def test_plain_text_is_unchanged() -> None:
    text = "show ip interface brief on par-core-01 (10.10.0.1)"
    assert redact_text(text) == text


def test_private_keys_and_cloud_tokens_are_masked() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    text = f"key: {pem} gh: ghp_abcdefghijklmnopqrstuvwxyz0123 aws: AKIAABCDEFGHIJKLMNOP"
    out = redact_text(text)
    assert "MIIEpAIBAAKCAQEA" not in out
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123" not in out
    assert "AKIAABCDEFGHIJKLMNOP" not in out
