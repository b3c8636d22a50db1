"""References callers give: sys_ids, task numbers (INC..., CHG...) and CI names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .client import Record, ServiceNowClient
from .errors import InvalidArgument, ServiceNowNotFound
from .query import QueryBuilder
from .records import value

__all__ = ["fetch_ci", "fetch_task", "resolve_task"]

_SYS_ID = re.compile(r"[0-9a-f]{32}")
_NUMBER = re.compile(r"([A-Z]{3,4})(\d{7,10})")
# table -> (number prefix, what people call it, its article)
_TASKS = {"incident": ("INC", "incident", "an"), "change_request": ("CHG", "change request", "a")}


def _classify(table: str, ref: str) -> tuple[str, str]:
    """('sys_id' | 'number', normalised reference); InvalidArgument for anything else."""
    prefix, label, article = _TASKS[table]
    cleaned = ref.strip()
    if _SYS_ID.fullmatch(cleaned):
        return "sys_id", cleaned
    found = _NUMBER.fullmatch(cleaned.upper())
    if found and found.group(1) == prefix:
        return "number", cleaned.upper()
    raise InvalidArgument(
        f"'{ref[:64]}' is neither {article} {label} number like {prefix}0010001 nor a sys_id "
        "(32 lowercase hex characters)"
    )


async def fetch_task(
    client: ServiceNowClient, table: str, ref: str, fields: Sequence[str]
) -> Record:
    """The incident or change `ref` names (number first, else sys_id); NotFound otherwise."""
    kind, key = _classify(table, ref)
    label = _TASKS[table][1]
    if kind == "sys_id":
        try:
            return await client.get_record(table, key, fields=fields)
        except ServiceNowNotFound as exc:
            raise ServiceNowNotFound(404, exc.message, f"no {label} with sys_id {key}") from None
    query = QueryBuilder(table).where("number", "=", key).build()
    page = await client.list_records(table, query=query, fields=fields, limit=1)
    if not page.records:
        raise ServiceNowNotFound(404, "No Record found", f"no {label} numbered {key}")
    return page.records[0]


async def resolve_task(client: ServiceNowClient, table: str, ref: str) -> str:
    """The sys_id behind `ref`: a number is looked up, a sys_id is used as given."""
    kind, key = _classify(table, ref)
    if kind == "sys_id":
        return key  # a write to an unknown sys_id gets ServiceNow's own 404
    return value(await fetch_task(client, table, key, ("sys_id",)), "sys_id")


async def fetch_ci(client: ServiceNowClient, ref: str, fields: Sequence[str]) -> Record:
    """The CI with this sys_id or exact name; InvalidArgument when a name is ambiguous."""
    cleaned = ref.strip()
    if _SYS_ID.fullmatch(cleaned):
        try:
            return await client.get_record("cmdb_ci", cleaned, fields=fields)
        except ServiceNowNotFound as exc:
            raise ServiceNowNotFound(404, exc.message, f"no CI with sys_id {cleaned}") from None
    if not cleaned:
        raise InvalidArgument("a CI name or sys_id is required")
    query = QueryBuilder("cmdb_ci").where("name", "=", cleaned).build()
    page = await client.list_records("cmdb_ci", query=query, fields=fields, limit=2)
    if not page.records:
        raise ServiceNowNotFound(404, "No Record found", f"no CI named '{cleaned}'")
    if page.total > 1:
        raise InvalidArgument(f"{page.total} CIs are named '{cleaned}'; give the sys_id instead")
    return page.records[0]
