"""Pydantic results of the ServiceNow tools (summaries by default, details on request)."""

from .changes import (
    Approval,
    Change,
    ChangeApprovals,
    ChangeCreated,
    ChangeDetail,
    ChangeList,
)
from .cmdb import CiDetail, CiList, CiRelation, CiRelations, ConfigurationItem
from .incidents import Incident, IncidentDetail, IncidentList

__all__ = [
    "Approval",
    "Change",
    "ChangeApprovals",
    "ChangeCreated",
    "ChangeDetail",
    "ChangeList",
    "CiDetail",
    "CiList",
    "CiRelation",
    "CiRelations",
    "ConfigurationItem",
    "Incident",
    "IncidentDetail",
    "IncidentList",
]
