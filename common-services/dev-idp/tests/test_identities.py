"""Specification of the demo identities of the dev issuer."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from mcp_sandbox.identities import (
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
}


def test_default_identities_are_the_documented_demo_callers() -> None:
    actual = {i.name: (i.groups, i.mfa, i.workload) for i in DEFAULT_IDENTITIES}
    assert actual == EXPECTED


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
