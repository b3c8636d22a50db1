"""Results as tables when they are records, readable JSON otherwise."""

from __future__ import annotations

import json

from mcp_console.results import view_of


def test_a_page_of_records_is_a_table_with_its_paging_as_a_summary() -> None:
    value = {
        "total": 2,
        "offset": 1,
        "devices": [
            {"id": "1", "hostname": "par-acc-01", "tags": ["a"]},
            {"id": "2", "hostname": "par-acc-02", "role": "ACCESS"},
        ],
    }
    view = view_of(value)
    assert view.table is not None and view.table.title == "Devices"
    assert view.table.columns == ("id", "hostname", "role", "tags")  # scalars first
    assert view.table.rows[0] == ("1", "par-acc-01", "", '["a"]')
    assert dict(view.summary) == {"total": "2", "offset": "1"}
    assert json.loads(view.raw_json) == value


def test_a_list_of_records_is_a_table() -> None:
    view = view_of([{"a": 1}, {"b": True}])
    assert view.table is not None and view.table.rows == (("1", ""), ("", "true"))


def test_anything_else_is_pretty_json_and_plain_text_stays_text() -> None:
    view = view_of({"cli": "ntp server 1.1.1.1", "complete": True})
    assert view.table is None and view.text is not None and '\n  "complete": true' in view.text
    assert view_of("just text").text == "just text"
    assert view_of('{"a": [1, 2]}').text == json.dumps({"a": [1, 2]}, indent=2)


def test_long_cells_are_cut() -> None:
    view = view_of([{"config": "x" * 1000}])
    assert view.table is not None and len(view.table.rows[0][0]) == 200
