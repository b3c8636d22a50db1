"""Settings of the ServiceNow MCP server: the common ones plus the backend's own."""

from __future__ import annotations

from pydantic import Field

from mcp_common.settings import CommonSettings

__all__ = ["ServiceNowSettings"]


class ServiceNowSettings(CommonSettings):
    """`MCP_` environment variables of `mcp-service-now`."""

    service_name: str = "mcp-service-now"
    port: int = Field(8080, ge=0, le=65535)
    # Where the instance URL and the integration credentials live in the SecretStore.
    secret_path: str = Field("api/servicenow", min_length=1)
    servicenow_timeout: float = Field(15.0, gt=0, le=120)
    servicenow_retries: int = Field(3, ge=0, le=10)
    servicenow_backoff: float = Field(0.2, ge=0, le=10)
    # Longest Retry-After the client honours before giving up with a clear error.
    servicenow_max_retry_after: float = Field(30.0, ge=0, le=300)
