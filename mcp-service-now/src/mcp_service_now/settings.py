"""Settings of the ServiceNow MCP server: the platform's backend settings, ServiceNow's defaults."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http import BackendSettings
from mcp_common.settings import Port, SecretPath

__all__ = ["ServiceNowSettings"]


class ServiceNowSettings(BackendSettings):
    """`MCP_` environment variables of `mcp-service-now`."""

    service_name: str = "mcp-service-now"
    port: Port = 8080
    # Where the instance URL and the integration credentials live in the SecretStore.
    secret_path: SecretPath = "api/servicenow"
    backend_timeout: float = Field(15.0, gt=0, le=300)
