"""CMDB seeded from the shared inventory: CIs per device, services, relations, people, groups."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulator_kit.network import DEVICES, SITES

CIS = "/api/now/table/cmdb_ci"
RELS = "/api/now/table/cmdb_rel_ci"
CLASS_OF = {
    "Switches and Hubs": "cmdb_ci_ip_switch",
    "Routers": "cmdb_ci_ip_router",
    "Wireless Controller": "cmdb_ci_netgear",
}


def query(sn: httpx.Client, table: str, encoded: str, **params: str) -> list[dict[str, Any]]:
    response = sn.get(table, params={"sysparm_query": encoded, **params})
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["result"]
    return result


@pytest.mark.parametrize("device", DEVICES, ids=[d.hostname for d in DEVICES])
def test_every_inventory_device_has_a_ci_with_its_identity(sn: httpx.Client, device: Any) -> None:
    [ci] = query(
        sn,
        CIS,
        f"name={device.hostname}",
        sysparm_display_value="all",
        sysparm_fields="name,ip_address,serial_number,sys_class_name,model_id,"
        "location,operational_status,correlation_id",
    )
    site = next(s for s in SITES if s.id == device.site_id)
    assert ci["ip_address"]["value"] == device.ip
    assert ci["serial_number"]["value"] == device.serial
    assert ci["sys_class_name"]["value"] == CLASS_OF[device.family]
    assert ci["model_id"]["display_value"] == f"Cisco {device.platform}"
    assert ci["location"]["display_value"] == site.name
    assert ci["operational_status"]["display_value"] == (
        "Operational" if device.reachable else "Non-Operational"
    )
    assert ci["correlation_id"]["value"] == device.id  # the Catalyst Center device id


def test_lookup_by_ip_address(sn: httpx.Client) -> None:
    [ci] = query(sn, CIS, "ip_address=10.20.255.1")
    assert ci["name"] == "lon-rtr-01"


def test_cmdb_ci_answers_across_classes_and_class_tables_narrow_it(sn: httpx.Client) -> None:
    everything = query(sn, CIS, "", sysparm_fields="sys_class_name")
    classes = [ci["sys_class_name"] for ci in everything]
    assert len(everything) == len(DEVICES) + 4 + 2  # devices, business services, applications
    assert classes.count("cmdb_ci_service") == 4 and classes.count("cmdb_ci_appl") == 2
    assert len(query(sn, "/api/now/table/cmdb_ci_netgear", "")) == len(DEVICES)
    switches = query(sn, "/api/now/table/cmdb_ci_ip_switch", "", sysparm_fields="name")
    assert len(switches) == sum(d.family == "Switches and Hubs" for d in DEVICES)
    routers = query(sn, "/api/now/table/cmdb_ci_ip_router", "", sysparm_fields="name")
    assert sorted(r["name"] for r in routers) == ["lon-rtr-01", "par-rtr-01", "sjc-rtr-01"]


def test_a_class_table_shows_its_own_fields_the_base_table_does_not(sn: httpx.Client) -> None:
    [switch] = query(sn, "/api/now/table/cmdb_ci_ip_switch", "name=par-core-01")
    assert switch["firmware_version"] == "17.9.4" and switch["can_switch"] == "true"
    [base] = query(sn, CIS, "name=par-core-01")
    assert "firmware_version" not in base
    assert sn.get(f"/api/now/table/cmdb_ci_ip_router/{switch['sys_id']}").status_code == 404


def test_access_switches_connect_to_their_distribution_switch(sn: httpx.Client) -> None:
    rels = query(
        sn,
        RELS,
        "parent.name=par-acc-01^type.name=Connects to::Connected by",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    assert [r["child"] for r in rels] == ["par-dist-01"]
    uplinks = query(
        sn,
        RELS,
        "parent.name=par-dist-01",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    assert sorted(r["child"] for r in uplinks) == ["par-core-01", "par-core-02"]


def test_business_services_depend_on_their_site_devices(sn: httpx.Client) -> None:
    rels = query(
        sn,
        RELS,
        "parent.name=London-DC Network^type.name=Depends on::Used by",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    london = sorted(d.hostname for d in DEVICES if d.hostname.startswith("lon-"))
    assert sorted(r["child"] for r in rels) == sorted([*london, "Cisco ISE"])
    wan = query(
        sn,
        RELS,
        "parent.name=Corporate WAN",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    assert sorted(r["child"] for r in wan) == ["lon-rtr-01", "par-rtr-01", "sjc-rtr-01"]


def test_impacted_services_of_a_device_by_walking_relations_upwards(sn: httpx.Client) -> None:
    rels = query(
        sn,
        RELS,
        "child.name=sjc-rtr-01^parent.sys_class_name=cmdb_ci_service",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    assert sorted(r["parent"] for r in rels) == ["Corporate WAN", "SanJose-Campus Network"]


def test_users_groups_and_cab_membership(sn: httpx.Client) -> None:
    groups = query(sn, "/api/now/table/sys_user_group", "", sysparm_fields="name")
    assert {g["name"] for g in groups} == {"Network Operations", "Service Desk", "CAB Approval"}
    members = query(
        sn,
        "/api/now/table/sys_user_grmember",
        "group.name=CAB Approval",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    assert sorted(m["user"] for m in members) == ["Diane Chen", "Evan Wright"]
    [me] = query(sn, "/api/now/table/sys_user", "user_name=integration")
    assert me["name"] == "Integration User" and me["active"] == "true"


def test_seeded_incidents_point_at_the_unreachable_devices(sn: httpx.Client) -> None:
    incidents = query(
        sn,
        "/api/now/table/incident",
        "active=true",
        sysparm_display_value="true",
        sysparm_exclude_reference_link="true",
    )
    unreachable = sorted(d.hostname for d in DEVICES if not d.reachable)
    assert sorted(i["cmdb_ci"] for i in incidents) == unreachable


def test_seeded_sys_ids_are_stable_across_resets(sn: httpx.Client, anon: httpx.Client) -> None:
    [before] = query(sn, CIS, "name=par-core-01")
    anon.post("/sandbox/reset")
    [after] = query(sn, CIS, "name=par-core-01")
    assert before["sys_id"] == after["sys_id"]
