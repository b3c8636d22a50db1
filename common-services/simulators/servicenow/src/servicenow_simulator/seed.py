"""Seed data: people, groups, locations and a CMDB built from the shared sandbox inventory."""

from __future__ import annotations

from collections import defaultdict

from servicenow_simulator.state import Instance, Row, seed_id
from simulator_kit.network import DEVICES, SITES, Device

__all__ = ["CAB_GROUP", "seed"]

CAB_GROUP = "CAB Approval"
_EPOCH = "2024-01-08 09:00:00"  # reference data predates every test run
_PEOPLE = (
    # user_name, first, last, title, group
    ("admin", "System", "Administrator", "Administrator", ""),
    ("alice.martin", "Alice", "Martin", "Network Engineer", "Network Operations"),
    ("bruno.leroy", "Bruno", "Leroy", "Network Engineer", "Network Operations"),
    ("carol.nguyen", "Carol", "Nguyen", "Service Desk Analyst", "Service Desk"),
    ("diane.chen", "Diane", "Chen", "Change Manager", CAB_GROUP),
    ("evan.wright", "Evan", "Wright", "CAB Member", CAB_GROUP),
)
_GROUPS = (
    ("Network Operations", "Runs the campus and WAN network", "alice.martin"),
    ("Service Desk", "First line support", "carol.nguyen"),
    (CAB_GROUP, "Change Advisory Board: authorizes normal changes", "diane.chen"),
)
_CITIES = {"Paris-HQ": ("Paris", "France"), "London-DC": ("London", "United Kingdom"),
           "SanJose-Campus": ("San Jose", "USA")}  # fmt: skip
_CLASSES = {
    "Switches and Hubs": ("cmdb_ci_ip_switch", "Switch"),
    "Routers": ("cmdb_ci_ip_router", "Router"),
    "Wireless Controller": ("cmdb_ci_netgear", "Wireless Controller"),
}
_CONNECTS = "Connects to::Connected by"
_DEPENDS = "Depends on::Used by"


def seed(instance: Instance, *, integration_user: str) -> None:
    """Fill an empty instance with the reference data every test can rely on."""
    add = _Adder(instance)
    _people(add, integration_user)
    cisco = add("core_company", "company:cisco", name="Cisco Systems", manufacturer="true")
    for site in SITES:
        parent = site.hierarchy.rsplit("/", 1)[0]
        city, country = _CITIES.get(site.name, ("", ""))
        add("cmn_location", f"loc:{site.hierarchy}", name=site.name, full_name=site.hierarchy,
            parent=seed_id(f"loc:{parent}") if parent != "Global" else "",
            city=city, country=country)  # fmt: skip
    for platform in sorted({d.platform for d in DEVICES}):
        add("cmdb_model", f"model:{platform}", name=f"Cisco {platform}", model_number=platform,
            display_name=f"Cisco {platform}", manufacturer=cisco)  # fmt: skip
    for rel in (_CONNECTS, _DEPENDS, "Runs on::Runs", "Contains::Contained by"):
        parent_word, child_word = rel.split("::")
        add("cmdb_rel_type", f"rel:{rel}", name=rel, parent_descriptor=parent_word,
            child_descriptor=child_word)  # fmt: skip
    for device in DEVICES:
        _device_ci(add, device)
    _services(add)
    _topology(add)
    _history(add)


class _Adder:
    """Inserts seeded records with stable sys_ids."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def __call__(self, table: str, key: str, *, when: str = _EPOCH, **values: str) -> str:
        values["sys_id"] = seed_id(key)
        return self.instance.insert(table, values, user="admin", when=when)["sys_id"]


def _people(add: _Adder, integration_user: str) -> None:
    people = [*_PEOPLE, (integration_user, "Integration", "User", "Integration account", "")]
    for user_name, first, last, title, _ in people:
        add("sys_user", f"user:{user_name}", user_name=user_name, first_name=first,
            last_name=last, name=f"{first} {last}", title=title, active="true",
            email=f"{user_name}@example.com")  # fmt: skip
    for name, description, manager in _GROUPS:
        add("sys_user_group", f"group:{name}", name=name, description=description,
            manager=seed_id(f"user:{manager}"), active="true",
            email=f"{name.lower().replace(' ', '-')}@example.com")  # fmt: skip
    for user_name, *_, group in people:
        if group:
            add("sys_user_grmember", f"member:{group}:{user_name}",
                user=seed_id(f"user:{user_name}"), group=seed_id(f"group:{group}"))  # fmt: skip


def _device_ci(add: _Adder, device: Device) -> None:
    site = next(s for s in SITES if s.id == device.site_id)
    table, kind = _CLASSES[device.family]
    add(table, f"ci:{device.hostname}", name=device.hostname, ip_address=device.ip,
        serial_number=device.serial, mac_address=device.mac, correlation_id=device.id,
        model_id=seed_id(f"model:{device.platform}"), manufacturer=seed_id("company:cisco"),
        location=seed_id(f"loc:{site.hierarchy}"),
        support_group=seed_id("group:Network Operations"),
        operational_status="1" if device.reachable else "2", install_status="1",
        firmware_version=device.software_version, device_type=kind,
        can_switch="true" if kind == "Switch" else "false",
        can_route="true" if kind == "Router" else "false",
        short_description=f"{device.role.title()} {kind.lower()} at {site.name}")  # fmt: skip


def _services(add: _Adder) -> None:
    owner = seed_id("user:alice.martin")
    for site in (s for s in SITES if s.kind == "building"):
        add("cmdb_ci_service", f"svc:{site.name}", name=f"{site.name} Network",
            busines_criticality="2 - somewhat critical", owned_by=owner,
            service_classification="Business Service",
            short_description=f"Campus network of {site.name}")  # fmt: skip
    add("cmdb_ci_service", "svc:wan", name="Corporate WAN", owned_by=owner,
        busines_criticality="1 - most critical", service_classification="Business Service",
        short_description="Inter-site WAN")  # fmt: skip
    add("cmdb_ci_appl", "app:catalyst", name="Cisco Catalyst Center", version="2.3.7")
    add("cmdb_ci_appl", "app:ise", name="Cisco ISE", version="3.3")


def _topology(add: _Adder) -> None:
    def relate(parent: str, child: str, kind: str) -> None:
        add("cmdb_rel_ci", f"relci:{parent}:{child}:{kind}", parent=seed_id(parent),
            child=seed_id(child), type=seed_id(f"rel:{kind}"))  # fmt: skip

    by_site: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for device in DEVICES:
        by_site[device.site_id][device.role].append(device.hostname)
    for site in SITES:
        roles = by_site.get(site.id)
        if not roles:
            continue
        cores, dists = roles["CORE"], roles["DISTRIBUTION"]
        for host in roles["DISTRIBUTION"] + roles["BORDER ROUTER"]:
            for core in cores:
                relate(f"ci:{host}", f"ci:{core}", _CONNECTS)
        for host in roles["ACCESS"]:
            for upstream in dists or cores:
                relate(f"ci:{host}", f"ci:{upstream}", _CONNECTS)
        for hosts in roles.values():
            for host in hosts:
                relate(f"svc:{site.name}", f"ci:{host}", _DEPENDS)
        relate(f"svc:{site.name}", "app:ise", _DEPENDS)
    for device in DEVICES:
        if device.role == "BORDER ROUTER":
            relate("svc:wan", f"ci:{device.hostname}", _DEPENDS)


def _history(add: _Adder) -> None:
    netops, alice = seed_id("group:Network Operations"), seed_id("user:alice.martin")
    for index, device in enumerate(d for d in DEVICES if not d.reachable):
        add(
            "incident",
            f"inc:unreachable:{device.hostname}",
            when=_EPOCH,
            short_description=f"Device unreachable: {device.hostname}",
            description=f"{device.hostname} ({device.ip}) stopped answering management polls.",
            cmdb_ci=seed_id(f"ci:{device.hostname}"),
            caller_id=alice,
            assignment_group=netops,
            state="2",
            incident_state="2",
            impact="2",
            urgency="2",
            priority="3",
            category="network",
            contact_type="monitoring",
            opened_by=alice,
            opened_at=_EPOCH,
            correlation_id=f"seed-unreachable-{index}",
        )
    change: Row = {
        "short_description": "Upgrade IOS-XE on lon-acc-01 to 17.9.4",
        "description": "Planned software upgrade.", "type": "normal", "state": "3",
        "close_code": "successful", "close_notes": "Upgrade completed, device healthy.",
        "active": "false", "approval": "approved", "risk": "4", "category": "Network",
        "cmdb_ci": seed_id("ci:lon-acc-01"), "assignment_group": netops,
        "start_date": "2024-01-10 22:00:00", "end_date": "2024-01-10 23:00:00",
        "opened_by": alice, "requested_by": alice, "opened_at": _EPOCH,
        "closed_at": "2024-01-11 07:00:00", "closed_by": alice,
    }  # fmt: skip
    add("change_request", "chg:history:lon-acc-01", **change)
