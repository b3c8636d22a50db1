"""CMDB tools through the full chain: CIs match the Catalyst Center sandbox's devices."""

from __future__ import annotations

from typing import Any

SUMMARY = {"sys_id", "name", "ci_class", "ip_address", "operational_status", "location",
           "support_group"}  # fmt: skip


async def test_lookup_by_name_finds_every_ci_containing_it(stack: Any, fresh: Any) -> None:
    found = await stack.data("lookup_ci", {"name": "par-core"})
    assert found["total"] == 2
    assert [ci["name"] for ci in found["items"]] == ["par-core-01", "par-core-02"]
    first = found["items"][0]
    assert set(first) == SUMMARY and first["ci_class"] == "cmdb_ci_ip_switch"
    assert first["location"] == "Paris-HQ" and first["operational_status"] == "Operational"


async def test_lookup_by_ip_is_exact_and_details_come_on_request(stack: Any, fresh: Any) -> None:
    found = await stack.data("lookup_ci", {"ip_address": "10.10.0.1", "details": True})
    (ci,) = found["items"]
    assert ci["name"] == "par-core-01" and ci["manufacturer"] == "Cisco Systems"
    assert ci["serial_number"] and ci["model"].startswith("Cisco ")


async def test_lookup_reports_nothing_found_as_an_empty_list(stack: Any, fresh: Any) -> None:
    assert await stack.data("lookup_ci", {"ip_address": "192.0.2.77"}) == {"total": 0, "items": []}


async def test_lookup_needs_exactly_one_valid_criterion(stack: Any, fresh: Any) -> None:
    fresh.clear_stats()
    assert "exactly one" in await stack.error("lookup_ci", {})
    assert "exactly one" in await stack.error("lookup_ci", {"name": "a", "ip_address": "10.0.0.1"})
    assert "not an IP address" in await stack.error("lookup_ci", {"ip_address": "10.0.0.300"})
    assert fresh.stats()["total"] == 0


async def test_relations_are_seen_from_the_ci_asked_about(stack: Any, fresh: Any) -> None:
    result = await stack.data("get_ci_relations", {"ci": "par-core-01"})
    assert result["ci"] == "par-core-01" and result["total"] == len(result["relations"])
    seen = {(r["relation"], r["direction"], r["ci"]) for r in result["relations"]}
    assert ("Connected by", "incoming", "par-dist-01") in seen
    assert ("Used by", "incoming", "Paris-HQ Network") in seen
    access = await stack.data("get_ci_relations", {"ci": "par-acc-01"})
    assert ("Connects to", "outgoing") in {
        (r["relation"], r["direction"]) for r in access["relations"]
    }


async def test_relations_accept_a_sys_id_and_page(stack: Any, fresh: Any) -> None:
    ci = (await stack.data("lookup_ci", {"name": "par-core-01"}))["items"][0]
    page = await stack.data("get_ci_relations", {"ci": ci["sys_id"], "limit": 1})
    assert page["sys_id"] == ci["sys_id"] and len(page["relations"]) == 1
    assert page["total"] > 1 and page["next_offset"] == 1


async def test_relations_of_an_unknown_ci_are_not_found(stack: Any, fresh: Any) -> None:
    assert "no CI named 'nope-99'" in await stack.error("get_ci_relations", {"ci": "nope-99"})
    message = await stack.error("get_ci_relations", {"ci": "0" * 32})
    assert "HTTP 404" in message and "no CI with sys_id" in message
