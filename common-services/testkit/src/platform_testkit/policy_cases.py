"""The platform policy's decision table, written by hand, and the requests that ask it.

Every policy engine's tests run these cases: the embedded engine against the deployed policy
(`common-services/opa/tests/test_policy.py`) and the remote one through OPA's REST API
(`mcp-common-app/tests/policy/test_opa.py`). `policy_request` builds the request a server
would send for a caller and a tool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mcp_common.auth import Principal
from mcp_common.policy import AuthorizationRequest

__all__ = [
    "ACTIONS",
    "EXPECTED",
    "GROUPS",
    "RESOURCES",
    "TABLE",
    "UNION_CASES",
    "Case",
    "policy_request",
]

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

# (groups, resource, action, mfa): one caller asking for one action on one resource.
Case = tuple[tuple[str, ...], str, str, bool]


def _parse(table: str) -> dict[Case, bool]:
    expected: dict[Case, bool] = {}
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


def policy_request(
    groups: Iterable[str] = ("developers",),
    resource: str = "github",
    action: str = "read",
    mfa: bool = False,
    *,
    tool: str = "some_tool",
    subject: str = "alice",
    actors: tuple[str, ...] = (),
    on_behalf_of: str | None = None,
    arguments: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> AuthorizationRequest:
    """The request a server (named after its resource) builds for this caller and tool."""
    principal = Principal(
        subject=subject,
        groups=frozenset(groups),
        mfa=mfa,
        on_behalf_of=on_behalf_of,
        actors=actors,
    )
    return AuthorizationRequest(
        principal=principal,
        server=resource,
        resource=resource,
        action=action,
        tool=tool,
        arguments=dict(arguments or {}),
        facts=dict(facts or {}),
    )
