"""The simulated dictionary: tables, their class hierarchy, fields, choices and references."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from servicenow_simulator.choices import (
    APPROVAL,
    CHANGE_STATES,
    IMPACT,
    INCIDENT_STATES,
    INSTALL,
    OPERATIONAL,
    PRIORITY,
    Choices,
)

__all__ = [
    "CHANGE_STATES",
    "INCIDENT_STATES",
    "TABLES",
    "Field",
    "Table",
    "all_fields",
    "descendants",
    "is_a",
    "root_of",
]


@dataclass(frozen=True, slots=True)
class Field:
    """One column: kind is string|integer|boolean|datetime|reference|choice|journal."""

    name: str
    label: str
    kind: str = "string"
    ref: str = ""
    choices: Choices = ()
    read_only: bool = False

    def label_of(self, value: str) -> str:
        """The display label of a choice value (the value itself when unknown)."""
        return next((label for v, label in self.choices if v == value), value)


@dataclass(frozen=True, slots=True)
class Table:
    """A table; children extend a parent and share its storage (like task or cmdb_ci)."""

    name: str
    label: str
    fields: tuple[Field, ...]
    parent: str = ""
    display: str = "name"
    number_prefix: str = ""
    number_start: int = 0
    # The integration user (roles itil + cmdb) may write only tables marked writable.
    writable: bool = True
    defaults: dict[str, str] = field(default_factory=dict)


def _ro(name: str, label: str, kind: str = "string", ref: str = "") -> Field:
    return Field(name, label, kind, ref, read_only=True)


def _ref(name: str, label: str, target: str, *, read_only: bool = False) -> Field:
    return Field(name, label, "reference", target, read_only=read_only)


def _choice(name: str, label: str, choices: Choices, *, read_only: bool = False) -> Field:
    return Field(name, label, "choice", choices=choices, read_only=read_only)


def _same(*labels: str) -> Choices:
    return tuple((label, label) for label in labels)


_SYS = (
    _ro("sys_id", "Sys ID"),
    _ro("sys_created_on", "Created", "datetime"),
    _ro("sys_created_by", "Created by"),
    _ro("sys_updated_on", "Updated", "datetime"),
    _ro("sys_updated_by", "Updated by"),
    _ro("sys_mod_count", "Updates", "integer"),
)
_CLASS = (_ro("sys_class_name", "Class"),)

_TASK = Table("task", "Task", (*_SYS, *_CLASS,
    _ro("number", "Number"),
    Field("short_description", "Short description"),
    Field("description", "Description"),
    _choice("impact", "Impact", IMPACT),
    _choice("urgency", "Urgency", IMPACT),
    _choice("priority", "Priority", PRIORITY, read_only=True),
    _ro("active", "Active", "boolean"),
    _choice("approval", "Approval", APPROVAL, read_only=True),
    _ref("assignment_group", "Assignment group", "sys_user_group"),
    _ref("assigned_to", "Assigned to", "sys_user"),
    _ref("opened_by", "Opened by", "sys_user", read_only=True),
    _ro("opened_at", "Opened", "datetime"),
    _ref("closed_by", "Closed by", "sys_user", read_only=True),
    _ro("closed_at", "Closed", "datetime"),
    _ref("cmdb_ci", "Configuration item", "cmdb_ci"),
    Field("close_notes", "Close notes"),
    Field("correlation_id", "Correlation ID"),
    Field("correlation_display", "Correlation display"),
    Field("work_notes", "Work notes", "journal"),
    Field("comments", "Additional comments", "journal"),
), display="number", writable=False)  # fmt: skip

_INCIDENT = Table("incident", "Incident", (
    _ref("caller_id", "Caller", "sys_user"),
    _choice("state", "State", INCIDENT_STATES),
    _choice("incident_state", "Incident state", INCIDENT_STATES, read_only=True),
    _choice("category", "Category", (
        ("inquiry", "Inquiry / Help"), ("software", "Software"), ("hardware", "Hardware"),
        ("network", "Network"), ("database", "Database"),
    )),
    Field("subcategory", "Subcategory"),
    Field("contact_type", "Channel"),
    _choice("hold_reason", "On hold reason", (
        ("1", "Awaiting Caller"), ("3", "Awaiting Vendor"), ("4", "Awaiting Change"),
        ("5", "Awaiting Problem"),
    )),
    _choice("close_code", "Resolution code", _same(
        "Duplicate", "Known error", "No resolution provided", "Resolved by caller",
        "Resolved by change", "Resolved by problem", "Resolved by request",
        "Solution provided", "Workaround provided", "User error",
    )),
    _ref("resolved_by", "Resolved by", "sys_user", read_only=True),
    _ro("resolved_at", "Resolved", "datetime"),
), parent="task", display="number", number_prefix="INC", number_start=10001, defaults={
    "state": "1", "incident_state": "1", "impact": "3", "urgency": "3", "priority": "5",
    "active": "true", "approval": "not requested", "category": "inquiry",
})  # fmt: skip

_CHANGE = Table("change_request", "Change Request", (
    _choice("type", "Type", (("normal", "Normal"), ("standard", "Standard"),
                             ("emergency", "Emergency"))),
    _choice("state", "State", CHANGE_STATES),
    _choice("risk", "Risk", (("1", "Very High"), ("2", "High"), ("3", "Moderate"),
                             ("4", "Low"))),
    _choice("category", "Category", _same(
        "Hardware", "Software", "Service", "System Software", "Applications Software",
        "Network", "Telecom", "Documentation", "Other",
    )),
    Field("justification", "Justification"),
    Field("implementation_plan", "Implementation plan"),
    Field("backout_plan", "Backout plan"),
    Field("test_plan", "Test plan"),
    Field("risk_impact_analysis", "Risk and impact analysis"),
    Field("start_date", "Planned start date", "datetime"),
    Field("end_date", "Planned end date", "datetime"),
    _ref("requested_by", "Requested by", "sys_user"),
    Field("on_hold", "On hold", "boolean"),
    _choice("close_code", "Close code", (
        ("successful", "Successful"), ("successful_issues", "Successful with issues"),
        ("unsuccessful", "Unsuccessful"),
    )),
), parent="task", display="number", number_prefix="CHG", number_start=30001, defaults={
    "state": "-5", "type": "normal", "impact": "3", "urgency": "3", "priority": "5",
    "risk": "3", "category": "Other", "active": "true", "approval": "not requested",
    "on_hold": "false",
})  # fmt: skip

_APPROVER = Table("sysapproval_approver", "Approval", (*_SYS,
    _ref("approver", "Approver", "sys_user"),
    _choice("state", "State", APPROVAL),
    _ref("sysapproval", "Approval for", "task"),
    Field("source_table", "Source table"),
    Field("document_id", "Approving"),
    Field("due_date", "Due date", "datetime"),
    Field("comments", "Comments", "journal"),
), display="approver", writable=False)  # fmt: skip

_JOURNAL = Table("sys_journal_field", "Journal Entry", (*_SYS,
    Field("element", "Element"), Field("element_id", "Element ID"),
    Field("name", "Table name"), Field("value", "Value"),
), display="element", writable=False)  # fmt: skip

_USER = Table("sys_user", "User", (*_SYS,
    Field("user_name", "User ID"), Field("first_name", "First name"),
    Field("last_name", "Last name"), Field("name", "Name"), Field("email", "Email"),
    Field("title", "Title"), Field("active", "Active", "boolean"),
    _ref("location", "Location", "cmn_location"),
), writable=False)  # fmt: skip

_GROUP = Table("sys_user_group", "Group", (*_SYS,
    Field("name", "Name"), Field("description", "Description"), Field("email", "Group email"),
    _ref("manager", "Manager", "sys_user"), Field("active", "Active", "boolean"),
), writable=False)  # fmt: skip

_MEMBER = Table("sys_user_grmember", "Group Member", (*_SYS,
    _ref("user", "User", "sys_user"), _ref("group", "Group", "sys_user_group"),
), display="user", writable=False)  # fmt: skip

_LOCATION = Table("cmn_location", "Location", (*_SYS,
    Field("name", "Name"), Field("full_name", "Full name"),
    _ref("parent", "Parent", "cmn_location"), Field("city", "City"), Field("country", "Country"),
), writable=False)  # fmt: skip

_COMPANY = Table("core_company", "Company", (*_SYS,
    Field("name", "Name"), Field("manufacturer", "Manufacturer", "boolean"),
), writable=False)  # fmt: skip

_MODEL = Table("cmdb_model", "Product Model", (*_SYS,
    Field("name", "Name"), Field("display_name", "Display name"),
    Field("model_number", "Model number"), _ref("manufacturer", "Manufacturer", "core_company"),
), display="display_name", writable=False)  # fmt: skip

_CI = Table("cmdb_ci", "Configuration Item", (*_SYS, *_CLASS,
    Field("name", "Name"), Field("short_description", "Description"),
    Field("ip_address", "IP Address"), Field("mac_address", "MAC Address"),
    Field("serial_number", "Serial number"), Field("correlation_id", "Correlation ID"),
    _ref("model_id", "Model ID", "cmdb_model"),
    _ref("manufacturer", "Manufacturer", "core_company"),
    _ref("location", "Location", "cmn_location"),
    _ref("support_group", "Support group", "sys_user_group"),
    _choice("operational_status", "Operational status", OPERATIONAL),
    _choice("install_status", "Status", INSTALL),
), defaults={"operational_status": "1", "install_status": "1"})  # fmt: skip

_NETGEAR = Table("cmdb_ci_netgear", "Network Gear", (
    Field("firmware_version", "Firmware version"), Field("device_type", "Device type"),
    Field("can_switch", "Can switch", "boolean"), Field("can_route", "Can route", "boolean"),
), parent="cmdb_ci")  # fmt: skip

_SERVICE = Table("cmdb_ci_service", "Business Service", (
    _choice("busines_criticality", "Business criticality", (
        ("1 - most critical", "1 - most critical"), ("2 - somewhat critical",
        "2 - somewhat critical"), ("3 - less critical", "3 - less critical"),
        ("4 - not critical", "4 - not critical"),
    )),
    _choice("service_classification", "Service classification",
            _same("Business Service", "Technical Service")),
    _ref("owned_by", "Owned by", "sys_user"),
), parent="cmdb_ci")  # fmt: skip

_RELTYPE = Table("cmdb_rel_type", "CI Relationship Type", (*_SYS,
    Field("name", "Name"), Field("parent_descriptor", "Parent descriptor"),
    Field("child_descriptor", "Child descriptor"),
), writable=False)  # fmt: skip

_REL = Table("cmdb_rel_ci", "CI Relationship", (*_SYS,
    _ref("parent", "Parent", "cmdb_ci"), _ref("child", "Child", "cmdb_ci"),
    _ref("type", "Type", "cmdb_rel_type"),
), display="type")  # fmt: skip

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _TASK, _INCIDENT, _CHANGE, _APPROVER, _JOURNAL, _USER, _GROUP, _MEMBER, _LOCATION,
        _COMPANY, _MODEL, _CI, _NETGEAR, _SERVICE, _RELTYPE, _REL,
        Table("cmdb_ci_ip_switch", "IP Switch", (), parent="cmdb_ci_netgear"),
        Table("cmdb_ci_ip_router", "IP Router", (), parent="cmdb_ci_netgear"),
        Table("cmdb_ci_appl", "Application", (Field("version", "Version"),), parent="cmdb_ci"),
    )
}  # fmt: skip


@cache
def all_fields(table: str) -> dict[str, Field]:
    """Every field of a table, inherited ones first; a child's field overrides its parent's."""
    spec = TABLES[table]
    inherited = dict(all_fields(spec.parent)) if spec.parent else {}
    inherited.update((f.name, f) for f in spec.fields)
    return inherited


@cache
def root_of(table: str) -> str:
    """The base table whose storage a table shares."""
    parent = TABLES[table].parent
    return root_of(parent) if parent else table


@cache
def descendants(table: str) -> frozenset[str]:
    """The table itself and every table that extends it, at any depth."""
    found = {table}
    for name, spec in TABLES.items():
        if spec.parent == table:
            found |= descendants(name)
    return frozenset(found)


def is_a(sys_class_name: str, table: str) -> bool:
    """Whether a record of class `sys_class_name` belongs to `table` (itself or a parent)."""
    return sys_class_name in descendants(table)
