"""Secrets are recognised by shape and refused without ever being echoed."""

from __future__ import annotations

import pytest

from mcp_github.errors import ContentRefused
from mcp_github.secret_scan import find_secrets, refuse_secrets

FOUND = {
    "private key": "-----BEGIN RSA PRIVATE KEY-----",
    "GitHub token": "token = ghp_" + "Ab1" * 12,
    "AWS access key": "AKIAIOSFODNN7EXAMPLE",
    "Slack token": "xoxb-1234567890-abcdefghij",
    "Google API key": "AIza" + "B" * 35,
    "Vault token": "VAULT_TOKEN=hvs." + "C" * 24,
    "JSON web token": "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.c2lnbmF0dXJlMTIz",
    "device password": "username admin privilege 15 secret 0 S3cret!",
    "SNMP community": "snmp-server community n3tw0rk RO",
    "password literal": 'api_key: "sk-live-0123456789"',
}
CLEAN = [
    "enable secret {{ enable_secret }}",
    "snmp-server community {{ snmp_ro_community }} RO",
    "enable secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",
    'password = os.environ["DB_PASSWORD"]',
    'password: "${DB_PASSWORD}"',
    "token_type: bearer",
    "We rotated the secret 0 days ago.",
    "ghp_short",
]


@pytest.mark.parametrize("kind", FOUND)
def test_each_kind_of_secret_is_found(kind: str) -> None:
    assert [k for k, _ in find_secrets(FOUND[kind])] == [kind]


@pytest.mark.parametrize("text", CLEAN)
def test_variables_references_and_hashes_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == []


def test_the_refusal_names_kinds_and_lines_never_the_value() -> None:
    text = "line one\nhostname x\nenable secret 0 Cisco123!\n" + FOUND["AWS access key"]
    with pytest.raises(ContentRefused) as caught:
        refuse_secrets(text, "content")
    message = str(caught.value)
    assert "content looks like it contains a secret: device password (line 3), " in message
    assert "AWS access key (line 4)" in message
    assert "Cisco123!" not in message and "AKIA" not in message


@pytest.mark.parametrize("text", [None, "", *CLEAN])
def test_absent_or_clean_content_is_let_through_unchanged(text: str | None) -> None:
    # What the write tools call: it refuses by raising, and lets anything else through.
    assert refuse_secrets(text, "body") is None
