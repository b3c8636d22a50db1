"""ArgumentValidator: JSON Schema checks with precise places, compiled once per schema."""

from __future__ import annotations

import pytest

from mcp_common.client import ToolInfo
from mcp_rest_api_proxy.problems import ProxyProblem
from mcp_rest_api_proxy.validation import ArgumentValidator

TOOL = ToolInfo(
    name="get_device",
    input_schema={
        "type": "object",
        "properties": {
            "device_id": {"type": "string", "format": "uuid"},
            "limit": {"type": "integer", "maximum": 5},
        },
        "required": ["device_id"],
        "additionalProperties": False,
    },
)


def test_matching_arguments_pass() -> None:
    ArgumentValidator().check("cc", TOOL, {"device_id": "d1", "limit": 5})


def test_each_mismatch_is_listed_with_its_place() -> None:
    with pytest.raises(ProxyProblem) as caught:
        ArgumentValidator().check("cc", TOOL, {"limit": 9, "other": 1})
    problem = caught.value
    assert problem.status == 422 and problem.extensions["tool"] == "get_device"
    places = {e["path"] for e in problem.extensions["errors"]}
    assert places == {"arguments", "arguments/limit"}


def test_a_validator_is_rebuilt_only_when_the_schema_object_changes() -> None:
    validator = ArgumentValidator()
    validator.check("cc", TOOL, {"device_id": "d1"})
    compiled = validator._validators[("cc", "get_device")][1]
    validator.check("cc", TOOL, {"device_id": "d2"})
    assert validator._validators[("cc", "get_device")][1] is compiled
    changed = ToolInfo(name="get_device", input_schema={"type": "object"})
    validator.check("cc", changed, {"anything": True})
    assert validator._validators[("cc", "get_device")][1] is not compiled


def test_an_unreadable_schema_leaves_checking_to_the_server() -> None:
    broken = ToolInfo(name="odd", input_schema={"type": "no-such-type"})
    ArgumentValidator().check("cc", broken, {"x": 1})  # no exception: the server decides
