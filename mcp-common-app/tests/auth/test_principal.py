"""Principal: the verified caller of a request, and how it is made current (contextvars).

`use_principal` makes a principal current for a block; `current_principal` reads it back,
anywhere below in the same request, and nowhere else.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from mcp_common import Principal, current_principal
from mcp_common.auth import use_principal

ALICE = Principal("alice", frozenset({"network-engineers"}), mfa=True)
BOB = Principal("bob", frozenset({"service-desk"}))


def test_a_principal_with_only_a_subject_holds_no_group_scope_mfa_or_delegation() -> None:
    bare = Principal("carol")
    assert (bare.groups, bare.scopes, bare.mfa) == (frozenset(), frozenset(), False)
    assert (bare.client_id, bare.on_behalf_of, bare.actors, bare.expires_at) == (
        None,
        None,
        (),
        None,
    )
    assert dict(bare.claims) == {}


def test_a_principal_cannot_be_changed_once_built() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ALICE.groups = frozenset({"admin"})  # type: ignore[misc]
    assert ALICE.groups == frozenset({"network-engineers"})


def test_the_raw_claims_are_not_part_of_who_the_caller_is() -> None:
    one = Principal("alice", frozenset({"ops"}), claims={"jti": "1", "iat": 100})
    other = Principal("alice", frozenset({"ops"}), claims={"jti": "2", "iat": 200})
    assert one == other
    assert hash(one) == hash(other)
    assert len({one, other}) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"subject": "mallory"},
        {"groups": frozenset({"admin"})},
        {"scopes": frozenset({"write"})},
        {"mfa": False},
        {"client_id": "cli"},
        {"on_behalf_of": "bob"},
        {"actors": ("temporal-worker",)},
        {"expires_at": 1.0},
    ],
)
def test_any_difference_in_identity_or_rights_makes_another_principal(
    changed: dict[str, object],
) -> None:
    assert dataclasses.replace(ALICE, **changed) != ALICE  # type: ignore[arg-type]


def test_the_same_actors_in_another_order_are_another_delegation_chain() -> None:
    # The current actor comes first: (worker acting for scheduler) is not the reverse.
    chain = Principal("alice", actors=("temporal-worker", "scheduler"))
    assert chain != Principal("alice", actors=("scheduler", "temporal-worker"))


def test_outside_an_authenticated_request_there_is_no_principal() -> None:
    assert current_principal() is None


def test_the_principal_is_current_inside_the_block_and_gone_after_it() -> None:
    with use_principal(ALICE):
        assert current_principal() is ALICE
    assert current_principal() is None


def test_the_previous_principal_comes_back_even_when_the_block_raises() -> None:
    with use_principal(ALICE):
        with pytest.raises(RuntimeError), use_principal(BOB):
            assert current_principal() is BOB
            raise RuntimeError("tool failed")
        assert current_principal() is ALICE
    assert current_principal() is None


def test_none_hides_an_outer_principal_for_the_block() -> None:
    with use_principal(ALICE):
        with use_principal(None):
            assert current_principal() is None
        assert current_principal() is ALICE


async def test_requests_served_at_once_each_see_only_their_own_caller() -> None:
    seen: dict[str, list[str | None]] = {}

    async def serve(principal: Principal) -> None:
        with use_principal(principal):
            marks = seen.setdefault(principal.subject, [])
            for _ in range(3):
                await asyncio.sleep(0)  # let the other request run in between
                current = current_principal()
                marks.append(current.subject if current else None)

    await asyncio.gather(serve(ALICE), serve(BOB))
    assert seen == {"alice": ["alice"] * 3, "bob": ["bob"] * 3}


async def test_work_started_within_a_request_carries_its_caller() -> None:
    async def in_a_task() -> Principal | None:
        await asyncio.sleep(0)
        return current_principal()

    with use_principal(ALICE):
        assert await asyncio.to_thread(current_principal) is ALICE
        assert await asyncio.create_task(in_a_task()) is ALICE
