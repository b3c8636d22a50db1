"""The embedded engine (RegoAuthorizer): the deployed policy compiled and evaluated in process."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mcp_common.errors import ConfigurationError, PolicyEngineError
from mcp_common.policy import RegoAuthorizer
from platform_testkit.policy_cases import policy_request as request

POLICY = Path(__file__).parents[3] / "common-services" / "opa" / "policy.rego"

ADMIN_READS = {"groups": ["admin"], "resource": "github", "action": "read", "mfa": False}
DEVELOPER_ON_RADKIT = {"groups": ["developers"], "resource": "radkit", "action": "read"}


def write_policy(tmp_path: Path, body: str, name: str = "policy.rego") -> Path:
    path = tmp_path / name
    path.write_text("package authz\n\n" + body)
    return path


@pytest.fixture(scope="module")
def engine() -> RegoAuthorizer:
    return RegoAuthorizer(POLICY)


# --- the engine -------------------------------------------------------------------------


async def test_it_is_named_embedded_and_ready_once_compiled(engine: RegoAuthorizer) -> None:
    assert engine.name == "embedded"  # the `authz.engine` of its audit events
    assert await engine.ready() is True


async def test_decides_with_the_real_policy(engine: RegoAuthorizer) -> None:
    assert await engine.decide(request(("developers",), "github", "write")) is True
    assert await engine.decide(request(("developers",), "radkit", "read")) is False
    assert await engine.decide(request(("network-engineers",), "radkit", "execute")) is False
    assert await engine.decide(request(("network-engineers",), "radkit", "execute", True)) is True


def test_policy_with_syntax_error_names_the_file_and_the_parser_message(tmp_path: Path) -> None:
    # The reference design's mistake: `or` is not Rego.
    path = write_policy(
        tmp_path,
        'default allow := false\n\nallow if {\n\tinput.resource == "servicenow" or'
        ' input.action == "read"\n}\n',
        name="broken.rego",
    )
    with pytest.raises(ConfigurationError) as caught:
        RegoAuthorizer(path)
    message = str(caught.value)
    assert str(path) in message
    assert "Invalid literal" in message
    assert "line 6" in message


def test_missing_policy_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"absent\.rego"):
        RegoAuthorizer(tmp_path / "absent.rego")


def test_query_naming_no_rule_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"data\.authz\.alow"):
        RegoAuthorizer(POLICY, query="data.authz.alow")


def test_decision_rule_without_default_is_a_configuration_error(tmp_path: Path) -> None:
    # Without a default the rule is undefined on most inputs: refuse rather than guess.
    path = write_policy(tmp_path, 'allow if input.subject == "alice"\n')
    with pytest.raises(ConfigurationError, match="default"):
        RegoAuthorizer(path)


@pytest.mark.parametrize("query", ["allow", "data", "data.authz.allow == true", "", "data..x"])
def test_query_must_be_a_data_path(query: str) -> None:
    with pytest.raises(ValueError, match="data path"):
        RegoAuthorizer(POLICY, query=query)


def test_data_must_be_a_json_mapping() -> None:
    with pytest.raises(ValueError, match="mapping"):
        RegoAuthorizer(POLICY, data=["admin"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="JSON"):
        RegoAuthorizer(POLICY, data={"when": datetime.now(UTC)})


def test_data_is_visible_to_the_policy(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path, "default allow := false\n\nallow if input.subject in data.operators\n"
    )
    engine = RegoAuthorizer(path, data={"operators": ["alice"]})
    assert engine.evaluate({"subject": "alice"}) is True
    assert engine.evaluate({"subject": "mallory"}) is False


def test_another_query_can_be_decided(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path, "default allow := false\n\ndefault audit_only := false\n\naudit_only := true\n"
    )
    assert RegoAuthorizer(path, query="data.authz.audit_only").evaluate({}) is True
    assert RegoAuthorizer(path).evaluate({}) is False


@pytest.mark.parametrize("value", ['"yes"', '"true"', "1", "[true]", '{"allow": true}', "null"])
def test_only_the_boolean_true_allows(tmp_path: Path, value: str) -> None:
    path = write_policy(
        tmp_path, f'default allow := false\n\nallow := {value} if input.subject == "alice"\n'
    )
    assert RegoAuthorizer(path).evaluate({"subject": "alice"}) is False


def test_true_allows_in_the_same_setup(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path, 'default allow := false\n\nallow := true if input.subject == "alice"\n'
    )
    assert RegoAuthorizer(path).evaluate({"subject": "alice"}) is True


def test_an_undefined_answer_is_a_deny(tmp_path: Path) -> None:
    # Defined (true) on an empty input, undefined once `blocked` is set.
    path = write_policy(tmp_path, "allow := true if not input.blocked\n")
    engine = RegoAuthorizer(path)
    assert engine.evaluate({}) is True
    assert engine.evaluate({"blocked": True}) is False


def test_a_policy_runtime_error_raises_policy_engine_error(tmp_path: Path) -> None:
    # Two rules giving different values for the same input: an evaluation conflict.
    path = write_policy(
        tmp_path,
        "default allow := false\n\nallow := true if input.a\n\nallow := false if input.a\n",
    )
    engine = RegoAuthorizer(path)
    with pytest.raises(PolicyEngineError) as caught:
        engine.evaluate({"a": True, "token": "s3cret-token-value"})
    assert "s3cret" not in str(caught.value)


async def test_an_input_regopy_cannot_take_raises_without_quoting_it(
    engine: RegoAuthorizer,
) -> None:
    when = datetime(2031, 5, 17, tzinfo=UTC)
    with pytest.raises(PolicyEngineError) as caught:
        await engine.decide(request(arguments={"when": when}))
    assert "2031" not in str(caught.value)


async def test_a_closed_engine_is_not_ready_and_refuses_to_decide() -> None:
    engine = RegoAuthorizer(POLICY)
    await engine.aclose()
    assert await engine.ready() is False
    with pytest.raises(PolicyEngineError, match="closed"):
        await engine.decide(request())


def test_decisions_run_the_compiled_bundle_never_a_recompiling_query(
    engine: RegoAuthorizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plain regopy query recompiles the policy on every call (about 1.5 ms against about
    # 0.15 ms for the bundle: bench/auth_overhead.py measures it); decisions must not use it.
    runner = engine._runner
    queries: list[str] = []
    monkeypatch.setattr(runner, "query", lambda *args: queries.append(str(args)), raising=False)
    assert engine.evaluate(ADMIN_READS) is True
    assert engine.evaluate(DEVELOPER_ON_RADKIT) is False
    assert queries == []


def test_threads_sharing_one_engine_get_consistent_answers(engine: RegoAuthorizer) -> None:
    def decide_many(allowed: bool) -> set[bool]:
        policy_input = ADMIN_READS if allowed else DEVELOPER_ON_RADKIT
        return {engine.evaluate(policy_input) for _ in range(200)}

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(decide_many, [True, False, True, False]))
    assert answers == [{True}, {False}, {True}, {False}]
