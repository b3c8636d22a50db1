"""Record rendering: Table API shapes (display_value false/true/all) and sn_chg_rest pairs."""

from __future__ import annotations

from servicenow_simulator.schema import TABLES, Field, all_fields
from servicenow_simulator.state import Instance, Row

__all__ = ["DISPLAY_MODES", "change_record", "journal_text", "table_record"]

DISPLAY_MODES = ("false", "true", "all")


def field_at(table: str, path: str) -> Field | None:
    """The field a dotted path ends on, following references through the dictionary."""
    head, _, rest = path.partition(".")
    field = all_fields(table).get(head)
    if field is None or not rest:
        return field
    return field_at(field.ref, rest) if field.kind == "reference" else None


def journal_text(instance: Instance, row: Row, element: str) -> str:
    """A journal field as the real instance displays it: newest entry first."""
    entries = [
        entry
        for entry in instance.rows("sys_journal_field")
        if entry["element_id"] == row["sys_id"] and entry["element"] == element
    ]
    field = all_fields(instance.class_of(entries[0]["name"], row)).get(element) if entries else None
    label = field.label if field else element
    parts = []
    for entry in reversed(entries):
        author = instance.find("sys_user", "user_name", entry["sys_created_by"])
        who = author["name"] if author else entry["sys_created_by"]
        parts.append(f"{entry['sys_created_on']} - {who} ({label})\n{entry['value']}\n\n")
    return "".join(parts)


def table_record(
    instance: Instance,
    table: str,
    row: Row,
    *,
    display: str = "false",
    fields: list[str] | None = None,
    exclude_links: bool = False,
    base_url: str = "",
) -> dict[str, object]:
    """One record as the Table API returns it."""
    wanted = fields or list(all_fields(table))
    out: dict[str, object] = {}
    for path in wanted:
        resolved = instance.resolve(table, row, path)
        field = field_at(instance.class_of(table, row), path) or field_at(table, path)
        if resolved is None or field is None:
            continue
        value, shown, kind = resolved
        if kind == "journal":
            value, shown = "", journal_text(instance, row, path) if "." not in path else ""
        link = f"{base_url}/api/now/table/{field.ref}/{value}" if kind == "reference" else ""
        if display == "all":
            pair: dict[str, str] = {"display_value": shown, "value": value}
            if link and value and not exclude_links:
                pair["link"] = link
            out[path] = pair
        elif display == "true":
            if link and value and not exclude_links:
                out[path] = {"display_value": shown, "link": link}
            else:
                out[path] = shown
        elif link and value and not exclude_links:
            out[path] = {"link": link, "value": value}
        else:
            out[path] = value
    return out


def change_record(
    instance: Instance, row: Row, *, ignored: list[str] | None = None
) -> dict[str, object]:
    """A change request as sn_chg_rest returns it: every field a value/display_value pair."""
    out: dict[str, object] = {}
    for name, field in all_fields(TABLES["change_request"].name).items():
        resolved = instance.resolve("change_request", row, name)
        if resolved is None:
            continue
        value, shown, kind = resolved
        if kind == "journal":
            value, shown = "", journal_text(instance, row, name)
        if name == "sys_class_name":
            shown = TABLES[value].label if value in TABLES else value
        pair: dict[str, str] = {"display_value": shown, "value": value}
        if field.kind == "datetime":
            pair["display_value_internal"] = value
        out[name] = pair
    if ignored is not None:
        out["__meta"] = {"ignoredFields": ignored}
    return out
