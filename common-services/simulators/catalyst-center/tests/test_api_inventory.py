"""Read-only routes: network devices (filters, paging, config), interfaces, sites, assurance."""

from __future__ import annotations

from typing import Any

import pytest

from simulator_kit.network import DEVICES, SITES

V1 = "/dna/intent/api/v1"
UNREACHABLE = {d.hostname for d in DEVICES if not d.reachable}


def _id(hostname: str) -> str:
    return next(d.id for d in DEVICES if d.hostname == hostname)


def _hostnames(cc: Any, **params: Any) -> list[str]:
    response = cc.get(f"{V1}/network-device", params=params)
    assert response.status_code == 200, response.text
    return [d["hostname"] for d in response.json()["response"]]


def test_device_list_returns_every_device_with_real_field_names(cc: Any) -> None:
    body = cc.get(f"{V1}/network-device").json()
    assert body["version"] == "1.0"
    assert len(body["response"]) == len(DEVICES)
    first = body["response"][0]
    for field in ("hostname", "managementIpAddress", "platformId", "family", "role",
                  "softwareVersion", "reachabilityStatus", "serialNumber", "macAddress",
                  "upTime", "id", "instanceUuid", "series", "type", "lastUpdateTime"):  # fmt: skip
        assert field in first, field
    assert first["id"] == first["instanceUuid"] == DEVICES[0].id
    assert first["serialNumber"] == DEVICES[0].serial


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hostname": "par-core-01"}, ["par-core-01"]),
        ({"hostname": ["par-core-01", "lon-core-01"]}, ["par-core-01", "lon-core-01"]),
        ({"hostname": "sjc-acc-.*"}, ["sjc-acc-01", "sjc-acc-02"]),
        ({"managementIpAddress": "10.20.255.1"}, ["lon-rtr-01"]),
        ({"platformId": "C9300-24P"}, ["lon-acc-01", "lon-acc-02"]),
        ({"family": "Routers"}, ["par-rtr-01", "lon-rtr-01", "sjc-rtr-01"]),
        ({"family": "Wireless Controller", "hostname": "lon.*"}, ["lon-wlc-01"]),
        ({"role": "CORE", "softwareVersion": "17.9.4"}, ["par-core-01", "par-core-02"]),
        ({"reachabilityStatus": "Unreachable"}, sorted(UNREACHABLE)),
        ({"hostname": "does-not-exist"}, []),
    ],
)
def test_device_list_filters_by_query_parameters(
    cc: Any, params: dict[str, Any], expected: list[str]
) -> None:
    assert sorted(_hostnames(cc, **params)) == sorted(expected)


def test_device_list_pages_with_a_one_based_offset(cc: Any) -> None:
    page = _hostnames(cc, offset=3, limit=5)
    assert page == [d.hostname for d in DEVICES[2:7]]
    assert _hostnames(cc, offset=20, limit=500) == [DEVICES[19].hostname]
    assert _hostnames(cc, offset=21) == []


@pytest.mark.parametrize(
    ("params", "needle"),
    [({"limit": 501}, "500"), ({"limit": 0}, "limit"), ({"offset": 0}, "offset"),
     ({"limit": "ten"}, "integer")],
)  # fmt: skip
def test_device_list_rejects_bad_paging_with_400(
    cc: Any, params: dict[str, Any], needle: str
) -> None:
    response = cc.get(f"{V1}/network-device", params=params)
    assert response.status_code == 400
    error = response.json()["response"]
    assert error["errorCode"] == "BAD_REQUEST"
    assert needle in error["message"] + error["detail"]


def test_device_count_applies_the_same_filters(cc: Any) -> None:
    assert cc.get(f"{V1}/network-device/count").json() == {"response": 20, "version": "1.0"}
    routers = cc.get(f"{V1}/network-device/count", params={"family": "Routers"}).json()
    assert routers["response"] == 3


def test_device_by_id_returns_one_device(cc: Any) -> None:
    body = cc.get(f"{V1}/network-device/{_id('lon-rtr-01')}").json()
    assert body["response"]["hostname"] == "lon-rtr-01"
    assert body["response"]["reachabilityStatus"] == "Reachable"


def test_unknown_device_id_is_404_in_the_real_error_shape(cc: Any) -> None:
    response = cc.get(f"{V1}/network-device/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["response"]["errorCode"] == "NOT_FOUND"
    assert cc.get(f"{V1}/network-device/nope/config").status_code == 404


def test_unreachable_device_says_so_and_why(cc: Any) -> None:
    view = cc.get(f"{V1}/network-device/{_id('par-acc-03')}").json()["response"]
    assert view["reachabilityStatus"] == "Unreachable"
    assert view["reachabilityFailureReason"]


def test_running_config_contains_the_secrets_a_real_one_does(cc: Any) -> None:
    config = cc.get(f"{V1}/network-device/{_id('par-acc-01')}/config").json()["response"]
    assert "hostname par-acc-01" in config
    assert "enable secret 9 $9$" in config
    assert "username admin privilege 15 secret 9 $9$" in config
    assert "snmp-server community " in config and " RO " in config
    assert "tacacs server ISE-TAC-1" in config and "\n key " in config
    assert "radius server ISE-RAD-1" in config
    router = cc.get(f"{V1}/network-device/{_id('par-rtr-01')}/config").json()["response"]
    assert "crypto isakmp key " in router and "pre-shared-key " in router
    assert "neighbor 198.51.100.2 password 7 " in router
    wlc = cc.get(f"{V1}/network-device/{_id('lon-wlc-01')}/config").json()["response"]
    assert "security wpa psk set-key ascii 0 " in wlc


def test_running_configs_differ_between_devices_and_platforms(cc: Any) -> None:
    a = cc.get(f"{V1}/network-device/{_id('par-acc-01')}/config").json()["response"]
    b = cc.get(f"{V1}/network-device/{_id('par-acc-02')}/config").json()["response"]
    nexus = cc.get(f"{V1}/network-device/{_id('lon-core-01')}/config").json()["response"]
    secret = [line for line in a.splitlines() if line.startswith("enable secret")]
    assert secret and secret[0] not in b
    assert "!Command: show running-config" in nexus
    assert 'tacacs-server key 7 "' in nexus and "role network-admin" in nexus


def test_interfaces_list_ports_with_status_and_addressing(cc: Any) -> None:
    ports = cc.get(f"{V1}/interface/network-device/{_id('par-acc-01')}").json()["response"]
    by_name = {p["portName"]: p for p in ports}
    assert by_name["GigabitEthernet0/0"]["ipv4Address"] == "10.10.2.11"
    assert by_name["GigabitEthernet1/0/1"]["status"] == "up"
    assert by_name["GigabitEthernet1/0/1"]["vlanId"] == "10"
    shut = by_name["GigabitEthernet1/0/6"]
    assert (shut["status"], shut["adminStatus"]) == ("down", "DOWN")
    for field in ("speed", "macAddress", "description", "deviceId", "portMode"):
        assert field in shut


def test_interfaces_of_an_unreachable_device_are_all_down(cc: Any) -> None:
    ports = cc.get(f"{V1}/interface/network-device/{_id('sjc-acc-02')}").json()["response"]
    assert ports and all(p["status"] == "down" for p in ports)
    assert cc.get(f"{V1}/interface/network-device/unknown").status_code == 404


def test_sites_v1_carry_name_and_id_hierarchies(cc: Any) -> None:
    sites = cc.get(f"{V1}/site").json()["response"]
    paris = next(s for s in sites if s["name"] == "Paris-HQ")
    global_id = next(s["id"] for s in sites if s["name"] == "Global")
    emea_id = next(s["id"] for s in sites if s["name"] == "EMEA")
    assert paris["siteNameHierarchy"] == "Global/EMEA/Paris-HQ"
    assert paris["siteHierarchy"] == f"{global_id}/{emea_id}/{paris['id']}"
    assert paris["parentId"] == emea_id
    assert len(sites) == len(SITES) + 1


def test_sites_filter_by_type_and_name_hierarchy(cc: Any) -> None:
    buildings = cc.get(f"{V1}/sites", params={"type": "building"}).json()["response"]
    assert {s["name"] for s in buildings} == {"Paris-HQ", "London-DC", "SanJose-Campus"}
    assert all(s["type"] == "building" for s in buildings)
    one = cc.get(f"{V1}/sites", params={"nameHierarchy": "Global/EMEA/London-DC"}).json()
    assert [s["name"] for s in one["response"]] == ["London-DC"]


def test_device_health_reports_every_device_with_scores(cc: Any) -> None:
    body = cc.get(f"{V1}/device-health").json()
    assert body["totalCount"] == 20
    assert len(body["response"]) == 20  # default page is 50
    entry = next(e for e in body["response"] if e["name"] == "par-acc-02")
    assert entry["cpuUtilization"] > 80 and entry["overallHealth"] < 8
    for field in ("ipAddress", "overallHealth", "reachabilityHealth", "memoryUtilization"):
        assert field in entry


def test_device_health_filters_by_role_site_and_health(cc: Any) -> None:
    routers = cc.get(f"{V1}/device-health", params={"deviceRole": "ROUTER"}).json()
    assert {e["name"] for e in routers["response"]} == {"par-rtr-01", "lon-rtr-01", "sjc-rtr-01"}
    emea = next(s.id for s in SITES if s.name == "EMEA")
    in_emea = cc.get(f"{V1}/device-health", params={"siteId": emea}).json()["response"]
    assert {e["name"][:3] for e in in_emea} == {"par", "lon"}
    poor = cc.get(f"{V1}/device-health", params={"health": "POOR"}).json()["response"]
    assert {e["name"] for e in poor} == UNREACHABLE
    assert all(e["reachabilityHealth"] == "UNREACHABLE" for e in poor)
    paged = cc.get(f"{V1}/device-health", params={"limit": 5, "offset": 16}).json()
    assert len(paged["response"]) == 5 and paged["totalCount"] == 20


def test_network_health_summarises_device_health(cc: Any) -> None:
    body = cc.get(f"{V1}/network-health").json()
    latest = body["response"][0]
    assert latest["totalCount"] == 20
    assert latest["goodCount"] + latest["fairCount"] + latest["badCount"] == 20
    assert latest["healthScore"] == round(100 * latest["goodCount"] / 20)
    assert latest["badCount"] == len(UNREACHABLE)
    categories = {c["category"]: c for c in body["healthDistirubution"]}
    assert set(categories) == {"Access", "Distribution", "Core", "Router", "Wireless"}
    assert categories["Router"]["totalCount"] == 3


def test_issues_carry_priority_status_and_device(cc: Any) -> None:
    body = cc.get(f"{V1}/issues").json()
    assert body["totalCount"] == len(body["response"]) >= 6
    issue = body["response"][0]
    for field in ("issueId", "name", "deviceId", "priority", "status", "category",
                  "last_occurence_time", "issue_occurence_count", "siteId"):  # fmt: skip
        assert field in issue, field


def test_issues_filter_by_priority_status_and_device(cc: Any) -> None:
    p1 = cc.get(f"{V1}/issues", params={"priority": "P1"}).json()["response"]
    assert {i["deviceId"] for i in p1} == {_id(h) for h in UNREACHABLE}
    resolved = cc.get(f"{V1}/issues", params={"issueStatus": "RESOLVED"}).json()["response"]
    assert resolved and all(i["status"] == "resolved" for i in resolved)
    alias = cc.get(f"{V1}/issues", params={"status": "resolved"}).json()["response"]
    assert alias == resolved
    mine = cc.get(f"{V1}/issues", params={"deviceId": _id("par-acc-02")}).json()["response"]
    assert [i["priority"] for i in mine] == ["P2"]
