"""CMDB results: configuration items and their relationships."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from ..client import Record
from ..records import display, optional, text, value

__all__ = [
    "CI_DETAIL_FIELDS",
    "CI_FIELDS",
    "RELATION_FIELDS",
    "CiDetail",
    "CiList",
    "CiRelation",
    "CiRelations",
    "ConfigurationItem",
]

CI_FIELDS: tuple[str, ...] = (
    "sys_id", "name", "sys_class_name", "ip_address", "operational_status", "location",
    "support_group",
)  # fmt: skip
CI_DETAIL_FIELDS: tuple[str, ...] = (
    *CI_FIELDS, "short_description", "serial_number", "mac_address", "model_id",
    "manufacturer", "install_status", "correlation_id", "sys_updated_on",
)  # fmt: skip
RELATION_FIELDS: tuple[str, ...] = ("sys_id", "parent", "child", "type")


class ConfigurationItem(BaseModel):
    """A configuration item in a few fields."""

    sys_id: str = Field(description="CI id; get_ci_relations and create_change accept it")
    name: str = Field(description="CI name (network devices: their hostname)")
    ci_class: str = Field(description="CMDB class, e.g. cmdb_ci_ip_switch")
    ip_address: str | None = None
    operational_status: str | None = Field(None, description="Operational, Non-Operational...")
    location: str | None = None
    support_group: str | None = None

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a cmdb_ci record (display_value=all)."""
        return cls(**_summary(record))


class CiDetail(ConfigurationItem):
    """A configuration item with its hardware identity and status."""

    description: str | None = None
    serial_number: str | None = None
    mac_address: str | None = None
    model: str | None = None
    manufacturer: str | None = None
    install_status: str | None = None
    correlation_id: str | None = Field(None, description="Id in the source system (Catalyst)")
    updated: str | None = None

    @classmethod
    def from_record(cls, record: Record) -> Self:
        """Build from a cmdb_ci record (display_value=all)."""
        return cls(
            **_summary(record),
            description=text(record, "short_description"),
            serial_number=optional(record, "serial_number"),
            mac_address=optional(record, "mac_address"),
            model=optional(record, "model_id"),
            manufacturer=optional(record, "manufacturer"),
            install_status=optional(record, "install_status"),
            correlation_id=optional(record, "correlation_id"),
            updated=optional(record, "sys_updated_on"),
        )


class CiList(BaseModel):
    """The CIs matching a lookup."""

    total: int = Field(description="How many CIs match")
    items: list[ConfigurationItem | CiDetail]


class CiRelation(BaseModel):
    """One relationship seen from the CI asked about."""

    relation: str = Field(description="How the CI relates, e.g. 'Connects to', 'Used by'")
    direction: Literal["outgoing", "incoming"] = Field(
        description="outgoing: the CI is the parent of the relationship; incoming: the child"
    )
    ci: str = Field(description="The other CI's name")
    ci_sys_id: str = Field(description="The other CI's sys_id")

    @classmethod
    def seen_from(cls, record: Record, sys_id: str) -> Self:
        """Read a cmdb_rel_ci record from the side of the CI `sys_id`."""
        parent_word, _, child_word = display(record, "type").partition("::")
        if value(record, "parent") == sys_id:
            return cls(relation=parent_word, direction="outgoing",
                       ci=display(record, "child"), ci_sys_id=value(record, "child"))  # fmt: skip
        return cls(relation=child_word or parent_word, direction="incoming",
                   ci=display(record, "parent"), ci_sys_id=value(record, "parent"))  # fmt: skip


class CiRelations(BaseModel):
    """A CI and one page of its relationships."""

    ci: str = Field(description="The CI's name")
    sys_id: str
    total: int = Field(description="How many relationships the CI has")
    next_offset: int | None = Field(description="Pass as offset for the next page; null: none")
    relations: list[CiRelation]


def _summary(record: Record) -> dict[str, Any]:
    return {
        "sys_id": value(record, "sys_id"),
        "name": display(record, "name"),
        "ci_class": value(record, "sys_class_name"),
        "ip_address": optional(record, "ip_address"),
        "operational_status": optional(record, "operational_status"),
        "location": optional(record, "location"),
        "support_group": optional(record, "support_group"),
    }
