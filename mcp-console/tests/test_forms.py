"""Input schemas as forms, submissions back as arguments validated against the schema."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_console.forms import FormErrors, fields_of, parse_form

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "hostname": {
            "anyOf": [{"type": "string", "pattern": "^[a-z*-]+$"}, {"type": "null"}],
            "default": None,
            "description": "Hostname",
        },
        "reachability": {
            "anyOf": [{"$ref": "#/$defs/Reach"}, {"type": "null"}],
            "default": None,
        },
        "limit": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
        "device_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "params": {"type": "object"},
        "dry_run": {"type": "boolean", "default": False},
    },
    "required": ["device_ids"],
    "$defs": {"Reach": {"type": "string", "enum": ["Reachable", "Unreachable"]}},
}


def test_each_property_becomes_a_labelled_field_of_the_right_kind() -> None:
    fields = {f.name: f for f in fields_of(SCHEMA)}
    assert next(f.name for f in fields_of(SCHEMA)) == "device_ids"  # required first
    assert fields["hostname"].kind == "text" and fields["hostname"].nullable
    assert fields["hostname"].pattern == "^[a-z*-]+$"
    assert fields["reachability"].kind == "select"
    assert fields["reachability"].choices == ("Reachable", "Unreachable")
    assert (fields["limit"].kind, fields["limit"].minimum, fields["limit"].maximum) == (
        "integer", 1, 500,
    )  # fmt: skip
    assert fields["device_ids"].kind == "lines" and fields["device_ids"].required
    assert fields["params"].kind == "json"
    assert fields["dry_run"].kind == "checkbox"
    assert fields["dry_run"].label == "Dry run" and fields["limit"].input_id == "arg-limit"


def test_a_valid_submission_becomes_typed_arguments_and_empty_fields_keep_defaults() -> None:
    form = {
        "arg.device_ids": "d1\n d2 \n\n",
        "arg.limit": "10",
        "arg.params": '{"a": 1}',
        "arg.hostname": "",
        "arg.dry_run": "on",
    }
    assert parse_form(SCHEMA, form) == {
        "device_ids": ["d1", "d2"],
        "limit": 10,
        "params": {"a": 1},
        "dry_run": True,
    }


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({}, "device_ids", "is required"),
        ({"arg.device_ids": "d", "arg.limit": "x"}, "limit", "must be a number"),
        ({"arg.device_ids": "d", "arg.limit": "1.5"}, "limit", "must be a whole number"),
        ({"arg.device_ids": "d", "arg.limit": "501"}, "limit", "501 is greater than"),
        ({"arg.device_ids": "d", "arg.params": "{"}, "params", "is not valid JSON"),
        ({"arg.device_ids": "d", "arg.hostname": "UPPER"}, "hostname", "expected format"),
        ({"arg.device_ids": "d", "arg.reachability": "Maybe"}, "reachability", "allowed"),
    ],
)
def test_problems_are_reported_per_field(form: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(FormErrors) as caught:
        parse_form(SCHEMA, form)
    assert any(message in m for m in caught.value.messages[field]), caught.value.messages
    assert caught.value.values  # what was typed goes back into the form


def test_a_schema_without_properties_has_no_fields() -> None:
    assert fields_of({"type": "object"}) == []
    assert parse_form({"type": "object"}, {}) == {}
