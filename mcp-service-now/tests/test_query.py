"""Encoded queries are built from typed filters; anything that could inject is refused."""

from __future__ import annotations

import re

import pytest

from mcp_service_now.errors import InvalidArgument, UnsafeQuery
from mcp_service_now.query import FIELDS, QueryBuilder, check_value, parse_fragment


def test_conditions_are_anded_in_order_and_sorting_comes_last() -> None:
    q = (
        QueryBuilder("incident")
        .where("short_description", "LIKE", "router down")
        .where("state", "IN", ["1", "2"])
        .where("active", "ISNOTEMPTY")
        .order_by("sys_updated_on", descending=True)
    )
    assert q.build() == (
        "short_descriptionLIKErouter down^stateIN1,2^activeISNOTEMPTY^ORDERBYDESCsys_updated_on"
    )
    assert str(q) == q.build()


def test_or_groups_are_built_only_from_checked_conditions() -> None:
    q = QueryBuilder("cmdb_rel_ci").where_any([("parent", "=", "a" * 32), ("child", "=", "b" * 32)])
    assert q.build() == f"parent={'a' * 32}^ORchild={'b' * 32}"
    with pytest.raises(UnsafeQuery):
        QueryBuilder("cmdb_rel_ci").where_any([("parent", "=", "x^NQchild=y")])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("router^ORactive=false", "'^'"),
        ("x^NQsys_idISNOTEMPTY", "'^'"),
        ("line\nactive=false", "line breaks"),
        ("carriage\rreturn", "line breaks"),
        ("tab\there", "control"),
        ("javascript:gs.getUserID()", "javascript:"),
        ("JavaScript :alert(1)", "javascript:"),
        ("x gs.sleep(10000)", "gs."),
        ("GS.getSession()", "gs."),
        ("a;b", "';'"),
        ("x" * 257, "longer than"),
    ],
)
def test_unsafe_values_are_refused_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(UnsafeQuery, match=re.escape(reason)):
        check_value(value)


@pytest.mark.parametrize("value", ["par-core-01", "Network Operations", "10.10.0.1", "50% loss"])
def test_plain_values_pass(value: str) -> None:
    assert check_value(value) == value


def test_unsafe_query_is_an_invalid_argument_and_a_value_error() -> None:
    assert issubclass(UnsafeQuery, InvalidArgument)
    assert issubclass(UnsafeQuery, ValueError)


@pytest.mark.parametrize(
    "field", ["password", "caller_id.password", "sys_created_by", "assignment_group.manager"]
)
def test_fields_outside_the_allow_list_are_refused(field: str) -> None:
    with pytest.raises(UnsafeQuery, match="cannot be used"):
        QueryBuilder("incident").where(field, "=", "x")


def test_unknown_operators_and_misused_operators_are_refused() -> None:
    with pytest.raises(UnsafeQuery, match="operator"):
        QueryBuilder("incident").where("state", "RLIKE", "x")
    with pytest.raises(UnsafeQuery, match="takes no value"):
        QueryBuilder("incident").where("state", "ISEMPTY", "1")
    with pytest.raises(UnsafeQuery, match="exactly one value"):
        QueryBuilder("incident").where("state", "=", ["1", "2"])
    with pytest.raises(UnsafeQuery, match="','"):
        QueryBuilder("incident").where("state", "IN", ["1,2"])
    with pytest.raises(UnsafeQuery, match="at least one"):
        QueryBuilder("incident").where("state", "IN", [])


def test_tables_without_an_allow_list_cannot_be_queried() -> None:
    with pytest.raises(ValueError, match="allow-list"):
        QueryBuilder("sys_user")
    assert set(FIELDS) >= {"incident", "change_request", "cmdb_ci", "cmdb_rel_ci"}


def test_a_strict_fragment_is_split_into_checked_conditions() -> None:
    assert parse_fragment("incident", "priority<=2^categoryLIKEnet^stateIN1,2") == [
        ("priority", "<=", "2"),
        ("category", "LIKE", "net"),
        ("state", "IN", ["1", "2"]),
    ]
    q = QueryBuilder("incident").fragment("priority<=2^stateNOT IN6,7").fragment("  ")
    assert q.build() == "priority<=2^stateNOT IN6,7"


@pytest.mark.parametrize(
    "fragment",
    [
        "active=true^ORactive=false",
        "active=true^NQsys_idISNOTEMPTY",
        "priority=1^ORDERBYnumber",
        "active=true^",
        "^EQ",
        "short_descriptionLIKEjavascript:gs.getUser()",
        "caller_id.password=x",
        "sys_idINjavascript:new GlideRecord('sys_user')",
        "active=true\n^priority=1",
        "priority=1;drop",
        "Priority=1",
        "nonsense",
        "^".join(["priority=1"] * 11),
    ],
)
def test_fragments_that_could_inject_are_refused(fragment: str) -> None:
    with pytest.raises(UnsafeQuery):
        parse_fragment("incident", fragment)
