"""Who is signed in, from the issuer's claims; where to come back to after sign-in."""

from __future__ import annotations

import pytest

from mcp_console.people import Person, PersonTokens, SignInRequired, safe_next

MFA = ["mfa", "otp", "hwk", "duo"]


def test_a_person_from_claims_with_mfa_from_amr() -> None:
    claims = {
        "sub": "u-1",
        "preferred_username": "alice",
        "email": "alice@example.com",
        "groups": ["network-engineers"],
        "amr": ["pwd", "otp", "mfa"],
    }
    person = Person.from_claims(claims, groups_claim="groups", mfa_methods=MFA)
    assert person == Person("u-1", "alice", "alice@example.com", ("network-engineers",), True)
    assert Person.from_dict(person.to_dict()) == person


def test_groups_from_a_nested_claim_and_no_mfa_with_a_password_only() -> None:
    claims = {"sub": "u-2", "realm_access": {"roles": ["admin"]}, "amr": ["pwd"]}
    person = Person.from_claims(claims, groups_claim="realm_access.roles", mfa_methods=MFA)
    assert person.groups == ("admin",) and not person.mfa and person.name == "u-2"


def test_a_subject_is_required() -> None:
    with pytest.raises(ValueError):
        Person.from_claims({}, groups_claim="groups", mfa_methods=MFA)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/tools/github/list_issues?x=1", "/tools/github/list_issues?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil", "/"),
        ("/auth/callback?code=x", "/"),
        (None, "/"),
        ("tools", "/"),
    ],
)
def test_only_local_pages_are_returned_to(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected
    assert SignInRequired(value or "").next_path == expected


def test_tokens_know_when_they_expire() -> None:
    tokens = PersonTokens.from_response(
        {"access_token": "a", "expires_in": 300, "refresh_token": "r"}, now=1000.0
    )
    assert tokens.expires_at == 1300.0 and tokens.refresh_token == "r"
    assert tokens.fresh(now=1200.0) and not tokens.fresh(now=1290.0)
    assert PersonTokens.from_dict(tokens.to_dict()) == tokens
    with pytest.raises(ValueError):
        PersonTokens.from_response({"token_type": "Bearer"})
