"""mcp_service_now: the ServiceNow MCP server (incidents, changes, CMDB) on mcp_common."""

from .client import Page, ServiceNowClient
from .errors import InvalidArgument, ServiceNowError, ServiceNowNotFound, UnsafeQuery
from .query import QueryBuilder
from .server import build, main
from .settings import ServiceNowSettings

__all__ = [
    "InvalidArgument",
    "Page",
    "QueryBuilder",
    "ServiceNowClient",
    "ServiceNowError",
    "ServiceNowNotFound",
    "ServiceNowSettings",
    "UnsafeQuery",
    "build",
    "main",
]
