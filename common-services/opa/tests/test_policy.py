"""The authorization policy (policy.rego) as a decision table, evaluated by the embedded engine.

The expected answers are written out by hand below, not derived from the policy's logic.
test_opa_authorizer.py runs the same table through the remote engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import regopy

from mcp_common.authorizer import AuthorizationRequest
from mcp_common.principal import Principal
from mcp_common.rego_authorizer import RegoAuthorizer

OPA_DIR = Path(__file__).parents[1]
POLICY = OPA_DIR / "policy.rego"
POLICY_TESTS = OPA_DIR / "policy_test.rego"

GROUPS = ("admin", "network-engineers", "service-desk", "developers", "contractors", "")
RESOURCES = ("catalyst-center", "radkit", "servicenow", "github", "rest-api-proxy", "billing")
ACTIONS = ("read", "write", "execute")

# One row per (group, resource). Each action column holds two marks: without MFA, with MFA.
# Y = allowed, - = denied. "contractors" is a group the policy does not know; "(none)" is a
# caller with no group at all; "billing" is a resource the policy does not know.
TABLE = """
group               resource          read  write  execute
admin               catalyst-center   YY    -Y     -Y
admin               radkit            YY    -Y     -Y
admin               servicenow        YY    YY     YY
admin               github            YY    YY     YY
admin               rest-api-proxy    YY    YY     YY
admin               billing           YY    YY     YY
network-engineers   catalyst-center   YY    -Y     -Y
network-engineers   radkit            YY    -Y     -Y
network-engineers   servicenow        --    --     --
network-engineers   github            --    --     --
network-engineers   rest-api-proxy    --    --     --
network-engineers   billing           --    --     --
service-desk        catalyst-center   YY    --     --
service-desk        radkit            --    --     --
service-desk        servicenow        YY    YY     YY
service-desk        github            --    --     --
service-desk        rest-api-proxy    YY    YY     YY
service-desk        billing           --    --     --
developers          catalyst-center   --    --     --
developers          radkit            --    --     --
developers          servicenow        --    --     --
developers          github            YY    YY     YY
developers          rest-api-proxy    YY    YY     YY
developers          billing           --    --     --
contractors         catalyst-center   --    --     --
contractors         radkit            --    --     --
contractors         servicenow        --    --     --
contractors         github            --    --     --
contractors         rest-api-proxy    --    --     --
contractors         billing           --    --     --
(none)              catalyst-center   --    --     --
(none)              radkit            --    --     --
(none)              servicenow        --    --     --
(none)              github            --    --     --
(none)              rest-api-proxy    --    --     --
(none)              billing           --    --     --
"""


def _parse(table: str) -> dict[tuple[tuple[str, ...], str, str, bool], bool]:
    expected: dict[tuple[tuple[str, ...], str, str, bool], bool] = {}
    for line in table.strip().splitlines()[1:]:
        group, resource, *marks = line.split()
        groups = () if group == "(none)" else (group,)
        for action, pair in zip(ACTIONS, marks, strict=True):
            expected[(groups, resource, action, False)] = pair[0] == "Y"
            expected[(groups, resource, action, True)] = pair[1] == "Y"
    return expected


# (groups, resource, action, mfa) -> allowed
EXPECTED = _parse(TABLE)

# Several groups combine: whatever any one of them grants (the MFA rule still applies).
UNION_CASES: list[tuple[tuple[str, ...], str, str, bool, bool]] = [
    (("service-desk", "developers"), "servicenow", "write", False, True),
    (("service-desk", "developers"), "github", "execute", False, True),
    (("service-desk", "developers"), "catalyst-center", "read", False, True),
    (("service-desk", "developers"), "catalyst-center", "write", True, False),
    (("service-desk", "network-engineers"), "catalyst-center", "write", True, True),
    (("service-desk", "network-engineers"), "catalyst-center", "write", False, False),
    (("service-desk", "network-engineers"), "servicenow", "execute", False, True),
    (("contractors", "developers"), "rest-api-proxy", "write", False, True),
    (("contractors", "developers"), "radkit", "read", True, False),
    (("admin", "contractors"), "radkit", "execute", True, True),
    (("admin", "contractors"), "radkit", "execute", False, False),
]

UNKNOWN_ACTIONS = ("delete", "READ", "Write", "", "*", "admin")


def request_for(
    groups: tuple[str, ...], resource: str, action: str, mfa: bool
) -> AuthorizationRequest:
    """The request a server would build for this caller and tool."""
    principal = Principal(subject="alice", groups=frozenset(groups), mfa=mfa)
    return AuthorizationRequest(
        principal=principal,
        server=resource,
        resource=resource,
        action=action,
        tool="some_tool",
        arguments={"site": "paris"},
    )


@pytest.fixture(scope="module")
def engine() -> RegoAuthorizer:
    return RegoAuthorizer(POLICY)


def _case_id(case: tuple[tuple[str, ...], str, str, bool]) -> str:
    groups, resource, action, mfa = case
    return f"{'+'.join(groups) or 'no-group'}-{resource}-{action}-{'mfa' if mfa else 'nomfa'}"


def test_table_covers_every_group_resource_action_and_mfa() -> None:
    assert len(EXPECTED) == len(GROUPS) * len(RESOURCES) * len(ACTIONS) * 2
    assert {resource for _, resource, _, _ in EXPECTED} == set(RESOURCES)


@pytest.mark.parametrize("case", list(EXPECTED), ids=_case_id)
async def test_policy_decides_as_the_table_says(
    engine: RegoAuthorizer, case: tuple[tuple[str, ...], str, str, bool]
) -> None:
    assert await engine.decide(request_for(*case)) is EXPECTED[case]


@pytest.mark.parametrize(("groups", "resource", "action", "mfa", "allowed"), UNION_CASES)
async def test_groups_combine_as_a_union(
    engine: RegoAuthorizer,
    groups: tuple[str, ...],
    resource: str,
    action: str,
    mfa: bool,
    allowed: bool,
) -> None:
    assert await engine.decide(request_for(groups, resource, action, mfa)) is allowed


@pytest.mark.parametrize("action", UNKNOWN_ACTIONS)
@pytest.mark.parametrize("resource", ["github", "servicenow", "billing"])
async def test_unknown_actions_are_denied_even_to_admin_with_mfa(
    engine: RegoAuthorizer, resource: str, action: str
) -> None:
    assert await engine.decide(request_for(("admin",), resource, action, True)) is False


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

# The automation group, tool by tool: marks are (acting for nobody, acting for a person).
# Only the tools TemplateDeploymentWorkflow calls, each with its own action, are granted.
AUTOMATION_TABLE = """
resource          tool                        action    for-person
catalyst-center   get_template                read      -Y
catalyst-center   get_device                  read      -Y
catalyst-center   get_device_health           read      -Y
catalyst-center   preview_template            execute   -Y
catalyst-center   deploy_template             write     -Y
catalyst-center   deploy_template             execute   --
catalyst-center   get_template                write     --
catalyst-center   list_devices                read      --
catalyst-center   get_device_config           read      --
catalyst-center   run_show_commands           execute   --
servicenow        search_changes              read      -Y
servicenow        get_change                  read      -Y
servicenow        create_change               write     -Y
servicenow        update_change               write     -Y
servicenow        create_change               read      --
servicenow        get_change_approvals        read      --
servicenow        create_incident             write     --
radkit            get_template                read      --
github            create_change               write     --
workflows         start_template_deployment   execute   --
workflows         get_deployment_status       read      --
billing           get_change                  read      --
"""


def _parse_rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()[1:]]


WORKFLOWS_EXPECTED = {
    (() if group == "(none)" else (group,), action, mfa): pair[int(mfa)] == "Y"
    for group, *marks in _parse_rows(WORKFLOWS_TABLE)
    for action, pair in zip(ACTIONS, marks, strict=True)
    for mfa in (False, True)
}
AUTOMATION_EXPECTED = {
    (resource, tool, action, acting): marks[int(acting)] == "Y"
    for resource, tool, action, marks in _parse_rows(AUTOMATION_TABLE)
    for acting in (False, True)
}


def tool_request(
    groups: tuple[str, ...],
    resource: str,
    tool: str,
    action: str,
    *,
    on_behalf_of: str | None = None,
    mfa: bool = False,
) -> AuthorizationRequest:
    """The request a server builds for a named tool, maybe for a workload acting for someone."""
    principal = Principal(
        subject="caller", groups=frozenset(groups), mfa=mfa, on_behalf_of=on_behalf_of
    )
    return AuthorizationRequest(
        principal=principal, server=resource, resource=resource, action=action, tool=tool
    )


def test_workflows_table_covers_every_group_action_and_mfa() -> None:
    assert len(WORKFLOWS_EXPECTED) == (len(GROUPS) + 1) * len(ACTIONS) * 2


@pytest.mark.parametrize("case", list(WORKFLOWS_EXPECTED), ids=str)
async def test_workflows_resource_decides_as_its_table_says(
    engine: RegoAuthorizer, case: tuple[tuple[str, ...], str, bool]
) -> None:
    groups, action, mfa = case
    request = request_for(groups, "workflows", action, mfa)
    assert await engine.decide(request) is WORKFLOWS_EXPECTED[case]


@pytest.mark.parametrize("case", list(AUTOMATION_EXPECTED), ids=str)
@pytest.mark.parametrize("mfa", [False, True], ids=["nomfa", "mfa"])
async def test_automation_gets_named_tools_only_while_acting_for_a_person(
    engine: RegoAuthorizer, case: tuple[str, str, str, bool], mfa: bool
) -> None:
    resource, tool, action, acting = case
    request = tool_request(
        ("automation",), resource, tool, action, on_behalf_of="alice" if acting else None, mfa=mfa
    )
    assert await engine.decide(request) is AUTOMATION_EXPECTED[case]


@pytest.mark.parametrize(
    "group", ["developers", "service-desk", "contractors", "network-engineers"]
)
async def test_acting_for_a_person_grants_nothing_to_a_group_that_is_not_a_workload(
    engine: RegoAuthorizer, group: str
) -> None:
    request = tool_request((group,), "catalyst-center", "deploy_template", "write",
                           on_behalf_of="alice")  # fmt: skip
    assert await engine.decide(request) is False


@pytest.mark.parametrize("on_behalf_of", ["", 7, True, ["alice"], {"sub": "alice"}])
def test_automation_needs_a_person_named_as_a_non_empty_string(
    engine: RegoAuthorizer, on_behalf_of: Any
) -> None:
    policy_input = {"groups": ["automation"], "resource": "catalyst-center", "action": "write",
                    "tool": "deploy_template", "on_behalf_of": on_behalf_of}  # fmt: skip
    assert engine.evaluate(policy_input) is False


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
             "tool": "deploy_template"},
            {"a workload must act on behalf of a person", "no group grants write on "
             "catalyst-center", "mfa required for write on catalyst-center"},
        ),
        (
            {"groups": ["automation"], "resource": "catalyst-center", "action": "write",
             "tool": "deploy_template", "on_behalf_of": "alice"},
            set(),
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
