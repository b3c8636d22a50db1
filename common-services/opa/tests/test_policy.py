"""The authorization policy (policy.rego) as a decision table, evaluated by the embedded engine.

The expected answers are written out by hand, not derived from the policy's logic: the main
table in `platform_testkit.policy_cases` (mcp-common-app's test_opa.py runs it through the
remote engine too), the workflows and delegation tables below.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import regopy

from mcp_common.policy import AuthorizationRequest, RegoAuthorizer
from platform_testkit.policy_cases import (
    ACTIONS,
    EXPECTED,
    GROUPS,
    RESOURCES,
    UNION_CASES,
    Case,
    policy_request,
)

OPA_DIR = Path(__file__).parents[1]
POLICY = OPA_DIR / "policy.rego"
POLICY_TESTS = OPA_DIR / "policy_test.rego"

UNKNOWN_ACTIONS = ("delete", "READ", "Write", "", "*", "admin")


@pytest.fixture(scope="module")
def engine() -> RegoAuthorizer:
    return RegoAuthorizer(POLICY)


def _case_id(case: Case) -> str:
    groups, resource, action, mfa = case
    return f"{'+'.join(groups) or 'no-group'}-{resource}-{action}-{'mfa' if mfa else 'nomfa'}"


def test_table_covers_every_group_resource_action_and_mfa() -> None:
    assert len(EXPECTED) == len(GROUPS) * len(RESOURCES) * len(ACTIONS) * 2
    assert {resource for _, resource, _, _ in EXPECTED} == set(RESOURCES)


@pytest.mark.parametrize("case", list(EXPECTED), ids=_case_id)
async def test_policy_decides_as_the_table_says(engine: RegoAuthorizer, case: Case) -> None:
    assert await engine.decide(policy_request(*case)) is EXPECTED[case]


@pytest.mark.parametrize(("groups", "resource", "action", "mfa", "allowed"), UNION_CASES)
async def test_groups_combine_as_a_union(
    engine: RegoAuthorizer,
    groups: tuple[str, ...],
    resource: str,
    action: str,
    mfa: bool,
    allowed: bool,
) -> None:
    assert await engine.decide(policy_request(groups, resource, action, mfa)) is allowed


@pytest.mark.parametrize("action", UNKNOWN_ACTIONS)
@pytest.mark.parametrize("resource", ["github", "servicenow", "billing"])
async def test_unknown_actions_are_denied_even_to_admin_with_mfa(
    engine: RegoAuthorizer, resource: str, action: str
) -> None:
    assert await engine.decide(policy_request(("admin",), resource, action, True)) is False


@pytest.mark.parametrize(
    "policy_input",
    [
        # MFA must be the boolean true, not something that looks like it.
        {"groups": ["admin"], "resource": "radkit", "action": "write", "mfa": "true"},
        {"groups": ["admin"], "resource": "radkit", "action": "write", "mfa": 1},
        {"groups": ["admin"], "resource": "radkit", "action": "write"},
        # Groups must be a list of names: a bare string grants nothing.
        {"groups": "admin", "resource": "github", "action": "read", "mfa": True},
        {"resource": "github", "action": "read", "mfa": True},
        # "*" in the role table means every resource for admin only, not a resource name.
        {"groups": ["developers"], "resource": "*", "action": "read", "mfa": True},
        {},
    ],
)
def test_malformed_input_is_denied(engine: RegoAuthorizer, policy_input: dict[str, Any]) -> None:
    assert engine.evaluate(policy_input) is False


# The workflows resource (temporal-service's start/status/cancel tools), one row per group;
# same marks as TABLE. "automation" is the Temporal worker's workload group.
WORKFLOWS_TABLE = """
group               read  write  execute
admin               YY    -Y     -Y
network-engineers   YY    -Y     -Y
service-desk        YY    --     --
developers          --    --     --
automation          --    --     --
contractors         --    --     --
(none)              --    --     --
"""

# A workload acting for a person (RFC 8693 `act`): allowed only when the person may AND the
# workload may. Person columns: admin (MFA), network engineer with and without MFA, service
# desk (MFA), developer (no MFA); Y = allowed, - = denied. Worker deploys name their change.
DELEGATION_TABLE = """
actor            resource         tool                       action   admin  ne+mfa  ne  desk  dev
temporal-worker  catalyst-center  get_template               read     Y      Y       Y   Y     -
temporal-worker  catalyst-center  get_device                 read     Y      Y       Y   Y     -
temporal-worker  catalyst-center  get_device_health          read     Y      Y       Y   Y     -
temporal-worker  catalyst-center  preview_template           execute  Y      Y       -   -     -
temporal-worker  catalyst-center  deploy_template            write    Y      Y       -   -     -
temporal-worker  catalyst-center  deploy_template            execute  -      -       -   -     -
temporal-worker  catalyst-center  run_show_commands          execute  -      -       -   -     -
temporal-worker  catalyst-center  list_devices               read     -      -       -   -     -
temporal-worker  servicenow       search_changes             read     Y      Y       Y   Y     -
temporal-worker  servicenow       get_change                 read     Y      Y       Y   Y     -
temporal-worker  servicenow       create_change              write    Y      Y       Y   Y     -
temporal-worker  servicenow       update_change              write    Y      Y       Y   Y     -
temporal-worker  servicenow       create_change              read     -      -       -   -     -
temporal-worker  servicenow       create_incident            write    -      -       -   -     -
temporal-worker  servicenow       get_change_approvals       read     Y      Y       Y   Y     -
temporal-worker  radkit           get_template               read     -      -       -   -     -
temporal-worker  github           create_change              write    -      -       -   -     -
temporal-worker  workflows        start_template_deployment  execute  -      -       -   -     -
rest-api-proxy   servicenow       create_incident            write    Y      -       -   Y     -
rest-api-proxy   servicenow       get_change                 read     Y      Y       Y   Y     -
rest-api-proxy   github           create_issue               write    Y      -       -   -     Y
rest-api-proxy   catalyst-center  deploy_template            write    Y      Y       -   -     -
rest-api-proxy   catalyst-center  list_devices               read     Y      Y       Y   Y     -
rest-api-proxy   radkit           exec_command               execute  Y      Y       -   -     -
rest-api-proxy   workflows        start_template_deployment  execute  Y      Y       -   -     -
rest-api-proxy   billing          get_invoice                read     -      -       -   -     -
mcp-console      catalyst-center  list_devices               read     Y      Y       Y   Y     -
mcp-console      catalyst-center  preview_template           execute  Y      Y       -   -     -
mcp-console      github           create_issue               write    Y      -       -   -     Y
mcp-console      workflows        start_template_deployment  execute  Y      Y       -   -     -
mcp-console      workflows        get_deployment_status      read     Y      Y       Y   Y     -
mcp-console      billing          get_invoice                read     -      -       -   -     -
mallory          servicenow       get_change                 read     -      -       -   -     -
mallory          github           create_issue               write    -      -       -   -     -
"""

PERSONS: dict[str, tuple[tuple[str, ...], bool]] = {
    "admin": (("admin",), True),
    "ne+mfa": (("network-engineers",), True),
    "ne": (("network-engineers",), False),
    "desk": (("service-desk",), True),
    "dev": (("developers",), False),
}
CHANGE = {"change_number": "CHG0030001"}
# What the catalyst-center server read from ServiceNow for it (change_gate.py): approved and
# in Implement, as the workflow leaves it just before deploying.
READY = {"number": "CHG0030001", "state": "implement", "approval": "approved",
         "start_date": "2026-12-06 10:00:00", "end_date": "2026-12-06 12:00:00"}  # fmt: skip


def _parse_rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()[1:]]


WORKFLOWS_EXPECTED = {
    (() if group == "(none)" else (group,), action, mfa): pair[int(mfa)] == "Y"
    for group, *marks in _parse_rows(WORKFLOWS_TABLE)
    for action, pair in zip(ACTIONS, marks, strict=True)
    for mfa in (False, True)
}
DELEGATION_EXPECTED = {
    (actor, resource, tool, action, person): mark == "Y"
    for actor, resource, tool, action, *marks in _parse_rows(DELEGATION_TABLE)
    for person, mark in zip(PERSONS, marks, strict=True)
}


def tool_request(
    groups: tuple[str, ...], resource: str, tool: str, action: str, **details: Any
) -> AuthorizationRequest:
    """The request a server builds for a named tool, maybe for a workload acting for someone."""
    return policy_request(groups, resource, action, tool=tool, subject="caller", **details)


def test_workflows_table_covers_every_group_action_and_mfa() -> None:
    assert len(WORKFLOWS_EXPECTED) == (len(GROUPS) + 1) * len(ACTIONS) * 2


@pytest.mark.parametrize("case", list(WORKFLOWS_EXPECTED), ids=str)
async def test_workflows_resource_decides_as_its_table_says(
    engine: RegoAuthorizer, case: tuple[tuple[str, ...], str, bool]
) -> None:
    groups, action, mfa = case
    request = policy_request(groups, "workflows", action, mfa)
    assert await engine.decide(request) is WORKFLOWS_EXPECTED[case]


def test_delegation_table_covers_every_person() -> None:
    assert len(DELEGATION_EXPECTED) == len(_parse_rows(DELEGATION_TABLE)) * len(PERSONS)
    assert {person for *_, person in DELEGATION_EXPECTED} == set(PERSONS)


@pytest.mark.parametrize("case", list(DELEGATION_EXPECTED), ids="-".join)
async def test_a_delegated_call_needs_both_the_person_and_the_actor(
    engine: RegoAuthorizer, case: tuple[str, str, str, str, str]
) -> None:
    actor, resource, tool, action, person = case
    groups, mfa = PERSONS[person]
    request = tool_request(groups, resource, tool, action, actors=(actor,), mfa=mfa,
                           arguments=dict(CHANGE), facts={"change": READY})  # fmt: skip
    assert await engine.decide(request) is DELEGATION_EXPECTED[case]


@pytest.mark.parametrize(
    ("actors", "resource", "tool", "action", "allowed"),
    [
        # Every actor of a chain must be allowed, the current one (first) and those before.
        (("rest-api-proxy", "temporal-worker"), "servicenow", "get_change", "read", True),
        # A deployment started from the console: the worker acts for the person via it.
        (("temporal-worker", "mcp-console"), "servicenow", "create_change", "write", True),
        (("temporal-worker", "mcp-console"), "servicenow", "create_incident", "write", False),
        (("rest-api-proxy", "temporal-worker"), "servicenow", "create_incident", "write", False),
        (("temporal-worker", "rest-api-proxy"), "servicenow", "create_incident", "write", False),
        (("temporal-worker", "mallory"), "servicenow", "get_change", "read", False),
        (("temporal-worker", ""), "servicenow", "get_change", "read", False),
    ],
)
async def test_every_actor_of_a_chain_must_be_allowed(
    engine: RegoAuthorizer,
    actors: tuple[str, ...],
    resource: str,
    tool: str,
    action: str,
    allowed: bool,
) -> None:
    request = tool_request(("admin",), resource, tool, action, actors=actors, mfa=True)
    assert await engine.decide(request) is allowed


@pytest.mark.parametrize(
    ("arguments", "allowed"),
    [
        ({"change_number": "CHG0030001"}, True),
        ({"change_number": "CHG0001"}, True),
        ({}, False),
        ({"change_number": ""}, False),
        ({"change_number": "CHG1"}, False),
        ({"change_number": "INC0010001"}, False),
        ({"change_number": "CHG0030001; x"}, False),
        ({"change_number": 30001}, False),
        ({"change_number": ["CHG0030001"]}, False),
    ],
)
async def test_a_worker_deploy_names_the_change_it_implements(
    engine: RegoAuthorizer, arguments: dict[str, Any], allowed: bool
) -> None:
    # ServiceNow has an approved change in Implement under whatever number was named: only a
    # well-formed number passes.
    ready = {"change": {**READY, "number": arguments.get("change_number")}}
    request = tool_request(("network-engineers",), "catalyst-center", "deploy_template", "write",
                           actors=("temporal-worker",), mfa=True, arguments=arguments,
                           facts=ready)  # fmt: skip
    assert await engine.decide(request) is allowed
    # The change gate is the worker's: a person deploying directly (or via the proxy) names none.
    direct = tool_request(("network-engineers",), "catalyst-center", "deploy_template", "write",
                          mfa=True, arguments=arguments)  # fmt: skip
    assert await engine.decide(direct) is True


@pytest.mark.parametrize(
    ("change", "allowed"),
    [
        (READY, True),
        ({**READY, "state": "scheduled"}, False),  # approved, implementation not started
        ({**READY, "state": "authorize", "approval": "requested"}, False),
        ({**READY, "state": "new", "approval": "rejected"}, False),
        ({**READY, "approval": "not requested"}, False),
        ({**READY, "state": "review"}, False),
        ({**READY, "state": "closed"}, False),
        ({**READY, "number": "CHG0030002"}, False),  # another change than the one named
        ({**READY, "approval": "Approved"}, False),  # values, not display labels
        ({"number": "CHG0030001"}, False),
        (None, False),  # ServiceNow has no such change
        ("approved", False),
        ([READY], False),
    ],
)
async def test_a_worker_deploy_needs_its_change_approved_and_in_implement(
    engine: RegoAuthorizer, change: Any, allowed: bool
) -> None:
    request = tool_request(("network-engineers",), "catalyst-center", "deploy_template", "write",
                           actors=("temporal-worker",), mfa=True, arguments=dict(CHANGE),
                           facts={"change": change})  # fmt: skip
    assert await engine.decide(request) is allowed


async def test_facts_never_replace_what_the_request_says(engine: RegoAuthorizer) -> None:
    facts = {"change": READY, "groups": ["admin"], "mfa": True, "actors": []}
    request = tool_request(("developers",), "catalyst-center", "deploy_template", "write",
                           actors=("temporal-worker",), arguments=dict(CHANGE),
                           facts=facts)  # fmt: skip
    assert request.policy_input()["groups"] == ["developers"]
    assert await engine.decide(request) is False


@pytest.mark.parametrize(
    "actors", ["temporal-worker", {"sub": "temporal-worker"}, [7], [None], [["temporal-worker"]]]
)
def test_a_malformed_actor_chain_is_denied(engine: RegoAuthorizer, actors: Any) -> None:
    policy_input = {"groups": ["admin"], "mfa": True, "resource": "servicenow", "action": "read",
                    "tool": "get_change", "actors": actors}  # fmt: skip
    assert engine.evaluate(policy_input) is False


@pytest.mark.parametrize("actors", [None, []])
def test_no_actor_is_the_person_s_own_call(engine: RegoAuthorizer, actors: Any) -> None:
    policy_input = {"groups": ["developers"], "resource": "github", "action": "write",
                    "tool": "create_issue", "actors": actors}  # fmt: skip
    assert engine.evaluate(policy_input) is True


@pytest.mark.parametrize("on_behalf_of", [None, "alice"])
@pytest.mark.parametrize(
    ("resource", "tool", "action"),
    [
        ("catalyst-center", "deploy_template", "write"),
        ("catalyst-center", "get_template", "read"),
        ("servicenow", "create_change", "write"),
    ],
)
async def test_a_workload_s_own_token_gets_nothing_even_naming_a_person(
    engine: RegoAuthorizer, resource: str, tool: str, action: str, on_behalf_of: str | None
) -> None:
    # The legacy `on_behalf_of` claim carried no rights of the person: it grants nothing now.
    request = tool_request(("automation",), resource, tool, action, on_behalf_of=on_behalf_of,
                           mfa=True, arguments=dict(CHANGE))  # fmt: skip
    assert await engine.decide(request) is False


@pytest.mark.parametrize(
    ("tool", "action", "allowed"),
    [
        ("search_changes", "read", True),
        ("get_change", "read", True),
        ("create_change", "write", True),
        ("update_change", "write", True),
        ("create_change", "read", False),
        ("create_incident", "write", False),
        ("get_incident", "read", False),
        ("close_change", "execute", False),
    ],
)
async def test_network_engineers_work_with_their_change_records_only(
    engine: RegoAuthorizer, tool: str, action: str, allowed: bool
) -> None:
    request = tool_request(("network-engineers",), "servicenow", tool, action)
    assert await engine.decide(request) is allowed


def _reasons(policy_input: dict[str, Any]) -> set[str]:
    interpreter = regopy.Interpreter()
    interpreter.add_module("policy.rego", POLICY.read_text())
    interpreter.set_input(policy_input)
    return set(interpreter.query("x := data.authz.reasons")[0]["x"])


@pytest.mark.parametrize(
    ("policy_input", "reasons"),
    [
        (
            {"groups": ["network-engineers"], "resource": "catalyst-center", "action": "write"},
            {"mfa required for write on catalyst-center"},
        ),
        (
            {"groups": ["developers"], "resource": "radkit", "action": "execute", "mfa": True},
            {"no group grants execute on radkit"},
        ),
        (
            {"groups": ["developers"], "resource": "radkit", "action": "execute"},
            {"no group grants execute on radkit", "mfa required for execute on radkit"},
        ),
        (
            {"groups": ["admin"], "resource": "github", "action": "delete"},
            {"unknown action delete"},
        ),
        ({"groups": ["developers"], "resource": "github", "action": "write"}, set()),
        (
            {"groups": ["automation"], "resource": "catalyst-center", "action": "write",
             "tool": "deploy_template", "on_behalf_of": "alice"},
            {"a workload acts for a person only with an exchanged token (act)",
             "no group grants write on catalyst-center",
             "mfa required for write on catalyst-center"},
        ),
        (
            {"groups": ["developers"], "resource": "catalyst-center", "action": "write",
             "tool": "deploy_template", "actors": ["temporal-worker"],
             "arguments": {"change_number": "CHG0030001"}, "change": READY},
            {"no group grants write on catalyst-center",
             "mfa required for write on catalyst-center"},
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "execute", "tool": "run_show_commands", "actors": ["temporal-worker"]},
            {"actor temporal-worker may not call run_show_commands (execute on "
             "catalyst-center)"},
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "write", "tool": "deploy_template", "actors": ["temporal-worker"]},
            {"deploy_template needs the approved change it implements (change_number)"},
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "write", "tool": "deploy_template", "actors": ["temporal-worker"],
             "arguments": {"change_number": "CHG0030001"}, "change": READY},
            set(),
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "write", "tool": "deploy_template", "actors": ["temporal-worker"],
             "arguments": {"change_number": "CHG0030001"}, "change": None},
            {"change CHG0030001 was not found in ServiceNow"},
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "write", "tool": "deploy_template", "actors": ["temporal-worker"],
             "arguments": {"change_number": "CHG0030001"},
             "change": {**READY, "state": "authorize", "approval": "requested"}},
            {"change CHG0030001 is not approved (approval: requested)",
             "change CHG0030001 is not in Implement (state: authorize)"},
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "write", "tool": "deploy_template", "actors": ["temporal-worker"],
             "arguments": {"change_number": "CHG0030001"},
             "change": {**READY, "state": "scheduled"}},
            {"change CHG0030001 is not in Implement (state: scheduled)"},
        ),
        (
            {"groups": ["network-engineers"], "mfa": True, "resource": "catalyst-center",
             "action": "write", "tool": "deploy_template", "actors": ["temporal-worker"],
             "arguments": {"change_number": "CHG0030001"},
             "change": {**READY, "number": "CHG0030002"}},
            {"the change record read is not CHG0030001"},
        ),
        (
            {"groups": ["admin"], "mfa": True, "resource": "servicenow", "action": "read",
             "tool": "get_change", "actors": "temporal-worker"},
            {"malformed actor chain"},
        ),
        (
            {"groups": ["network-engineers"], "resource": "workflows", "action": "execute"},
            {"mfa required for execute on workflows"},
        ),
    ],
)  # fmt: skip
def test_reasons_explain_a_deny(policy_input: dict[str, Any], reasons: set[str]) -> None:
    assert _reasons(policy_input) == reasons


def _with_rego_tests(*extra: str) -> regopy.Interpreter:
    interpreter = regopy.Interpreter()
    interpreter.add_module("policy.rego", POLICY.read_text())
    interpreter.add_module("policy_test.rego", POLICY_TESTS.read_text())
    for index, source in enumerate(extra):
        interpreter.add_module(f"extra_{index}.rego", source)
    return interpreter


def _passes(interpreter: regopy.Interpreter, rule: str) -> bool:
    output = interpreter.query(f"x := data.authz.{rule}")
    return output.ok() and len(output) == 1 and output[0].bindings.get("x") is True


def test_rego_unit_tests_parse_and_admin_test_passes() -> None:
    assert _passes(_with_rego_tests(), "test_admin_allowed")


def test_every_rego_unit_test_passes_under_regopy() -> None:
    names = re.findall(r"^(test_\w+) if", POLICY_TESTS.read_text(), flags=re.MULTILINE)
    interpreter = _with_rego_tests()
    assert len(names) >= 10
    assert [name for name in names if not _passes(interpreter, name)] == []


def test_a_wrong_rego_unit_test_fails() -> None:
    wrong = (
        "package authz\n\n"
        "test_wrong_developer_reads_radkit if {\n"
        '\tallow with input.groups as ["developers"] with input.resource as "radkit"'
        ' with input.action as "read"\n}\n'
    )
    assert not _passes(_with_rego_tests(wrong), "test_wrong_developer_reads_radkit")
