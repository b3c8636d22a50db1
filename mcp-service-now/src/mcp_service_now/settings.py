"""Settings of the ServiceNow MCP server: the platform's backend settings, ServiceNow's defaults."""

from __future__ import annotations

from pydantic import Field

from mcp_common.http import BackendSettings

__all__ = ["ServiceNowSettings"]


class ServiceNowSettings(BackendSettings):
    """`MCP_` environment variables of `mcp-service-now`."""

    service_name: str = "mcp-service-now"
    port: int = Field(8080, ge=0, le=65535)
    # Where the instance URL and the integration credentials live in the SecretStore.
    secret_path: str = Field("api/servicenow", min_length=1)
    backend_timeout: float = Field(15.0, gt=0, le=300)
