"""SessionTokens: distinct, valid until their lifetime ends or they are all expired."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from simulator_kit.tokens import SessionTokens


def test_concurrent_logins_issue_distinct_valid_tokens() -> None:
    tokens = SessionTokens(60)
    with ThreadPoolExecutor(8) as pool:
        issued = list(pool.map(lambda _: tokens.issue(), range(200)))
    assert len(set(issued)) == 200
    assert all(tokens.valid(t) for t in issued)
    assert tokens.active() == 200
    assert tokens.expire_all() == 200
    assert not tokens.valid(issued[0])


def test_a_token_expires_after_its_lifetime() -> None:
    tokens = SessionTokens(0.1)
    token = tokens.issue()
    assert tokens.valid(token)
    time.sleep(0.15)
    assert not tokens.valid(token) and tokens.active() == 0
    assert not tokens.valid(None) and not tokens.valid("forged")


@pytest.mark.parametrize(("ttl", "nbytes"), [(0, 32), (-1, 32), (60, 8)])
def test_the_constructor_validates(ttl: float, nbytes: int) -> None:
    with pytest.raises(ValueError):
        SessionTokens(ttl, nbytes=nbytes)
