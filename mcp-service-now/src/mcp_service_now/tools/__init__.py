"""The ServiceNow toolsets: incidents, changes and CMDB."""

from .changes import change_tools
from .cmdb import cmdb_tools
from .incidents import incident_tools

__all__ = ["change_tools", "cmdb_tools", "incident_tools"]
