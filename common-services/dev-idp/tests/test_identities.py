"""Specification of the demo identities of the dev issuer."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from dev_idp.identities import (
    DEFAULT_IDENTITIES,
    Identity,
    client_secrets_for,
    dev_secret,
    identity_map,
    subject_for,
)

EXPECTED = {
    # name: (groups, mfa, workload)
    "admin": (("admin",), True, False),
    "network-engineer": (("network-engineers",), False, False),
    "network-engineer-mfa": (("network-engineers",), True, False),
    "service-desk": (("service-desk",), True, False),
    "developer": (("developers",), False, False),
    "temporal-worker": (("automation",), False, True),
    "mcp-console": (("automation",), False, True),
    "rest-api-proxy": (("automation",), False, True),
}
EXCHANGERS = {"temporal-worker", "mcp-console", "rest-api-proxy"}


def test_default_identities_are_the_documented_demo_callers() -> None:
    actual = {i.name: (i.groups, i.mfa, i.workload) for i in DEFAULT_IDENTITIES}
    assert actual == EXPECTED
    assert {i.name for i in DEFAULT_IDENTITIES if i.may_exchange} == EXCHANGERS


def test_only_the_console_takes_people_through_a_redirect_uri() -> None:
    web_apps = {i.name: i.redirect_uris for i in DEFAULT_IDENTITIES if i.redirect_uris}
    assert web_apps == {
        "mcp-console": ("http://127.0.0.1/auth/callback", "http://localhost/auth/callback")
    }


def test_identities_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_IDENTITIES[0].mfa = False  # type: ignore[misc]


def test_subjects_are_stable_distinct_uuids() -> None:
    subjects = [i.subject for i in DEFAULT_IDENTITIES]
    assert len(set(subjects)) == len(subjects)
    for identity in DEFAULT_IDENTITIES:
        assert identity.subject == subject_for(identity.name)
        assert str(uuid.UUID(identity.subject)) == identity.subject
    assert subject_for("admin") != subject_for("admin2")


def test_every_identity_has_an_email_and_a_description() -> None:
    for identity in DEFAULT_IDENTITIES:
        assert identity.email == f"{identity.name}@example.com"
        assert identity.description


def test_dev_secret_is_name_dash_secret() -> None:
    assert dev_secret("admin") == "admin-secret"


def test_client_secrets_default_to_dev_secrets_and_accept_overrides() -> None:
    by_name = identity_map(DEFAULT_IDENTITIES)
    secrets = client_secrets_for(by_name, {"admin": "s3cret"})
    assert secrets["admin"] == "s3cret"
    assert secrets["developer"] == "developer-secret"
    assert set(secrets) == set(EXPECTED)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"nobody": "x"}, "unknown identity"), ({"admin": ""}, "non-empty")],
)
def test_client_secret_overrides_are_validated(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        client_secrets_for(identity_map(DEFAULT_IDENTITIES), overrides)


def test_identity_map_rejects_duplicates_and_empty_lists() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        identity_map([DEFAULT_IDENTITIES[0], DEFAULT_IDENTITIES[0]])
    with pytest.raises(ValueError, match="at least one"):
        identity_map([])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Bad Name"}, "name must match"),
        ({"subject": ""}, "subject"),
        ({"groups": "admin"}, "groups"),
        ({"groups": ("",)}, "groups"),
        ({"email": "nobody"}, "email"),
        ({"may_exchange": True}, "only workloads"),
    ],
)
def test_identity_constructor_validates(changes: dict[str, object], message: str) -> None:
    fields = {
        "name": "x",
        "subject": "s",
        "groups": ("g",),
        "mfa": False,
        "email": "x@example.com",
        "description": "d",
    }
    with pytest.raises(ValueError, match=message):
        Identity(**{**fields, **changes})  # type: ignore[arg-type]
