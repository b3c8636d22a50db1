"""A workload asks for a token acting for a person: granted to workloads, for known people only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from dev_idp import IdpServer
from dev_idp.delegation import ON_BEHALF_OF_CLAIM, REQUEST_FIELD, delegation_claims
from dev_idp.identities import DEFAULT_IDENTITIES, identity_map, subject_for
from dev_idp.oauth import OAuthError

IDENTITIES = identity_map(DEFAULT_IDENTITIES)
ALICE = subject_for("network-engineer-mfa")


@pytest.fixture(scope="module")
def idp() -> Iterator[IdpServer]:
    with IdpServer(audience="mcp-platform") as server:
        yield server


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def token_error(idp: IdpServer, identity: str, **form: str) -> tuple[int, str]:
    data = {"grant_type": "client_credentials", **form}
    auth = (identity, idp.secret(identity))
    response = httpx.post(idp.endpoint("/token"), data=data, auth=auth, timeout=10)
    return response.status_code, response.json().get("error", "")


def test_a_workload_token_for_a_person_keeps_the_workload_and_names_the_person(
    idp: IdpServer,
) -> None:
    claims = claims_of(idp.token("temporal-worker", **{REQUEST_FIELD: ALICE}))
    assert claims["sub"] == subject_for("temporal-worker")
    assert claims["groups"] == ["automation"]
    assert claims["acr"] == "1"  # the person's MFA is not lent to the workload
    assert claims[ON_BEHALF_OF_CLAIM] == ALICE


def test_without_the_field_a_workload_token_names_nobody(idp: IdpServer) -> None:
    assert ON_BEHALF_OF_CLAIM not in claims_of(idp.token("temporal-worker"))


def test_the_claim_is_also_reported_by_introspection(idp: IdpServer) -> None:
    token = idp.token("temporal-worker", **{REQUEST_FIELD: ALICE}, token_format="opaque")
    response = httpx.post(
        idp.endpoint("/introspect"),
        data={"token": token},
        auth=("developer", idp.secret("developer")),
        timeout=10,
    )
    assert response.json()[ON_BEHALF_OF_CLAIM] == ALICE


@pytest.mark.parametrize("person", ["admin", "network-engineer", "developer"])
def test_a_persons_client_may_not_act_for_someone_else(idp: IdpServer, person: str) -> None:
    status, error = token_error(idp, person, **{REQUEST_FIELD: ALICE})
    assert (status, error) == (400, "unauthorized_client")


@pytest.mark.parametrize(
    "subject",
    [
        subject_for("temporal-worker"),  # another workload, or itself: never
        subject_for("nobody-we-know"),
        "",
        "alice\nadmin",
        "x" * 200,
    ],
)
def test_a_workload_may_act_only_for_a_known_person(idp: IdpServer, subject: str) -> None:
    status, error = token_error(idp, "temporal-worker", **{REQUEST_FIELD: subject})
    assert (status, error) == (400, "invalid_request")


def test_delegation_claims_is_empty_when_not_asked() -> None:
    assert delegation_claims({}, IDENTITIES["temporal-worker"], IDENTITIES) == {}


def test_delegation_claims_refuses_a_person_client_before_reading_the_subject() -> None:
    with pytest.raises(OAuthError) as caught:
        delegation_claims({REQUEST_FIELD: "?"}, IDENTITIES["admin"], IDENTITIES)
    assert caught.value.error == "unauthorized_client"
