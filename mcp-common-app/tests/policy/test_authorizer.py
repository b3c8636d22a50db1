"""CachingAuthorizer: the decision cache, fail-closed and audit wrapper every engine gets.

The engine inside is the real embedded one (regopy with the deployed policy); only the
failures a healthy engine cannot produce come from small engines written here.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mcp_common.auth import Principal
from mcp_common.errors import PolicyEngineError
from mcp_common.observability import AUDIT_LOGGER, PlatformMetrics
from mcp_common.policy import AuthorizationRequest, CachingAuthorizer, RegoAuthorizer


def request(
    groups: tuple[str, ...] = ("developers",),
    resource: str = "github",
    action: str = "read",
    *,
    mfa: bool = False,
    subject: str = "alice",
    on_behalf_of: str | None = None,
    **arguments: Any,
) -> AuthorizationRequest:
    principal = Principal(
        subject=subject, groups=frozenset(groups), mfa=mfa, on_behalf_of=on_behalf_of
    )
    return AuthorizationRequest(
        principal=principal,
        server=resource,
        resource=resource,
        action=action,
        tool="list_repos",
        arguments=arguments,
    )


class CountingEngine:
    """The real engine, counted; it raises `error` for its first `failures` decisions."""

    def __init__(
        self, inner: RegoAuthorizer, failures: int = 0, error: Exception | None = None
    ) -> None:
        self.name = inner.name
        self.inner = inner
        self.calls = 0
        self.failures = failures
        self.error = error or PolicyEngineError("engine unavailable")
        self.closed = False

    async def decide(self, request: AuthorizationRequest) -> bool:
        self.calls += 1
        if self.failures:
            self.failures -= 1
            raise self.error
        return await self.inner.decide(request)

    async def ready(self) -> bool:
        if self.failures:
            raise self.error
        return await self.inner.ready()

    async def aclose(self) -> None:
        self.closed = True
        await self.inner.aclose()


@pytest.fixture(scope="module")
def rego(policy_path: Path) -> RegoAuthorizer:
    return RegoAuthorizer(policy_path)


@pytest.fixture
def engine(rego: RegoAuthorizer) -> CountingEngine:
    return CountingEngine(rego)


def audit_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        vars(r)
        for r in caplog.records
        if r.name == AUDIT_LOGGER and r.getMessage() == "authorization.decision"
    ]


# --- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"ttl_seconds": -1}, "ttl_seconds"), ({"max_entries": 0}, "max_entries")],
)
def test_a_negative_ttl_or_an_empty_cache_is_refused_at_construction(
    engine: CountingEngine, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CachingAuthorizer(engine, **kwargs)


def test_it_takes_the_name_of_the_engine_it_wraps(engine: CountingEngine) -> None:
    assert CachingAuthorizer(engine).name == "embedded"


# --- the cache -----------------------------------------------------------------------------


async def test_a_repeated_request_within_the_ttl_is_answered_without_the_engine(
    engine: CountingEngine,
) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=60)
    first = await authorizer.authorize(request())
    second = await authorizer.authorize(request())
    assert (first.allowed, first.cached, first.reason) == (True, False, "policy")
    assert (second.allowed, second.cached, second.reason) == (True, True, "cached")
    assert engine.calls == 1


async def test_denials_are_cached_like_allows(engine: CountingEngine) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=60)
    assert (await authorizer.authorize(request(resource="radkit"))).allowed is False
    again = await authorizer.authorize(request(resource="radkit"))
    assert (again.allowed, again.cached) == (False, True)
    assert engine.calls == 1


@pytest.mark.parametrize(
    "other",
    [
        request(("network-engineers",)),
        request(resource="servicenow"),
        request(action="write"),
        request(mfa=True),
        request(subject="bob"),
        request(on_behalf_of="carol"),
        request(repo="secret-project"),
    ],
    ids=["groups", "resource", "action", "mfa", "subject", "on_behalf_of", "arguments"],
)
async def test_a_request_differing_in_anything_the_policy_reads_is_decided_again(
    engine: CountingEngine, other: AuthorizationRequest
) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=60)
    await authorizer.authorize(request())
    assert (await authorizer.authorize(other)).cached is False
    assert engine.calls == 2


async def test_the_cache_key_is_stable_for_equal_requests_whatever_the_group_order() -> None:
    a = request(("developers", "admin"), repo="x")
    b = request(("admin", "developers"), repo="x")
    assert a.cache_key() == b.cache_key()
    assert a.cache_key() != request(("admin", "developers"), repo="y").cache_key()


async def test_a_cached_decision_expires_after_the_ttl(engine: CountingEngine) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=0.05)
    await authorizer.authorize(request())
    await asyncio.sleep(0.06)
    assert (await authorizer.authorize(request())).cached is False
    assert engine.calls == 2


async def test_a_zero_ttl_asks_the_engine_every_time(engine: CountingEngine) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=0)
    decisions = [await authorizer.authorize(request()) for _ in range(3)]
    assert [d.cached for d in decisions] == [False, False, False]
    assert engine.calls == 3


async def test_the_oldest_decision_is_evicted_past_max_entries(engine: CountingEngine) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=60, max_entries=2)
    for resource in ("github", "servicenow", "radkit"):
        await authorizer.authorize(request(resource=resource))
    assert (await authorizer.authorize(request(resource="radkit"))).cached is True
    assert (await authorizer.authorize(request(resource="github"))).cached is False
    assert engine.calls == 4


async def test_clear_forgets_every_cached_decision(engine: CountingEngine) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=60)
    await authorizer.authorize(request())
    authorizer.clear()
    assert (await authorizer.authorize(request())).cached is False
    assert engine.calls == 2


# --- fail closed ---------------------------------------------------------------------------


async def test_an_engine_error_is_a_deny_that_is_not_cached(engine: CountingEngine) -> None:
    engine.failures = 1
    authorizer = CachingAuthorizer(engine, ttl_seconds=60)
    failed = await authorizer.authorize(request())
    assert (failed.allowed, failed.reason) == (False, "engine error: engine unavailable")
    recovered = await authorizer.authorize(request())
    assert (recovered.allowed, recovered.cached) == (True, False)
    assert engine.calls == 2


async def test_an_unexpected_engine_crash_is_a_deny_without_its_message(
    rego: RegoAuthorizer, caplog: pytest.LogCaptureFixture
) -> None:
    crashing = CountingEngine(rego, failures=1, error=RuntimeError("internal detail x9"))
    decision = await CachingAuthorizer(crashing).authorize(request())
    assert (decision.allowed, decision.reason) == (False, "engine error")
    warning = next(r for r in caplog.records if r.getMessage() == "policy engine failed")
    assert vars(warning)["error.type"] == "RuntimeError"
    assert "internal detail x9" not in caplog.text


async def test_ready_is_false_when_the_engine_cannot_say(rego: RegoAuthorizer) -> None:
    assert await CachingAuthorizer(CountingEngine(rego)).ready() is True
    failing = CountingEngine(rego, failures=1, error=RuntimeError("down"))
    assert await CachingAuthorizer(failing).ready() is False


async def test_aclose_closes_the_engine_which_then_denies(policy_path: Path) -> None:
    engine = CountingEngine(RegoAuthorizer(policy_path))  # its own: closing is for good
    authorizer = CachingAuthorizer(engine, ttl_seconds=0)
    await authorizer.aclose()
    assert engine.closed
    assert (await authorizer.authorize(request())).allowed is False


# --- audit and metrics ---------------------------------------------------------------------


async def test_every_decision_emits_one_audit_event_cached_or_not(
    engine: CountingEngine, caplog: pytest.LogCaptureFixture
) -> None:
    authorizer = CachingAuthorizer(engine, ttl_seconds=60)
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    await authorizer.authorize(request(("developers",), "github", "read"))
    await authorizer.authorize(request(("developers",), "github", "read"))  # cached
    await authorizer.authorize(request(("developers",), "radkit", "read"))  # denied
    events = audit_events(caplog)
    for event in events:
        assert event["user.id"] == "alice"
        assert event["user.roles"] == ["developers"]
        assert event["authz.action"] == "read"
        assert event["authz.tool"] == "list_repos"
        assert event["authz.engine"] == "embedded"
        assert event["event.kind"] == "event"
        assert event["event.duration"] >= 0
    assert [e["authz.resource"] for e in events] == ["github", "github", "radkit"]
    assert [e["authz.decision"] for e in events] == ["allow", "allow", "deny"]
    assert [e["event.outcome"] for e in events] == ["success", "success", "failure"]
    assert [e["authz.cached"] for e in events] == [False, True, False]


async def test_a_deny_on_engine_error_is_audited_with_its_reason(
    engine: CountingEngine, caplog: pytest.LogCaptureFixture
) -> None:
    engine.failures = 1
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    await CachingAuthorizer(engine).authorize(request(on_behalf_of="carol", mfa=True))
    (event,) = audit_events(caplog)
    assert (event["authz.decision"], event["authz.reason"]) == (
        "deny",
        "engine error: engine unavailable",
    )
    assert (event["on_behalf_of"], event["user.mfa"]) == ("carol", True)


async def test_audit_can_be_turned_off_for_a_listing_filter(
    engine: CountingEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    decision = await CachingAuthorizer(engine).authorize(request(), audit_event=False)
    assert decision.allowed is True
    assert audit_events(caplog) == []


async def test_every_decision_is_counted_by_resource_and_outcome(engine: CountingEngine) -> None:
    metrics = PlatformMetrics("test", CollectorRegistry())
    authorizer = CachingAuthorizer(engine, ttl_seconds=60, metrics=metrics)
    await authorizer.authorize(request())
    await authorizer.authorize(request())  # cached decisions are decisions too
    await authorizer.authorize(request(resource="radkit"))

    def count(resource: str, decision: str) -> float | None:
        return metrics.registry.get_sample_value(
            "mcp_authorization_decisions_total", {"resource": resource, "decision": decision}
        )

    assert (count("github", "allow"), count("radkit", "deny")) == (2.0, 1.0)
