"""Settings of the workflows MCP server and of the Temporal worker (`MCP_` variables)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator

from mcp_common import CommonSettings

__all__ = ["WorkflowSettings"]


class WorkflowSettings(CommonSettings):
    """One settings class for both processes: the server starts workflows, the worker runs them."""

    service_name: str = "mcp-workflows"
    port: int = Field(8005, ge=0, le=65535)

    # Temporal
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "template-deployments"

    # The MCP servers the worker's activities call (streamable HTTP endpoints).
    catalyst_center_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8002/mcp")
    servicenow_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8080/mcp")
    # Their resource URIs (the `aud` each accepts) when not the URLs above (load balancer).
    catalyst_center_resource: AnyHttpUrl | None = None
    servicenow_resource: AnyHttpUrl | None = None
    mcp_call_timeout: float = Field(60.0, gt=0, le=600)
    deploy_call_timeout: float = Field(900.0, gt=0, le=7200)

    # The worker's workload identity: client credentials at the OIDC issuer, used to exchange
    # the requester's token (RFC 8693). The secret comes from here when set, else from the
    # SecretStore at worker_secret_path (key client_secret).
    worker_client_id: str = Field("temporal-worker", min_length=1)
    worker_client_secret: SecretStr | None = None
    worker_secret_path: str = Field("api/temporal-worker", min_length=1)
    token_refresh_margin: float = Field(30.0, ge=0, le=600)
    # The AES-256 key encrypting Temporal payloads (they carry the requester's token, ADR
    # 0006): from the secret store at this path (field `key`, base64), or given directly.
    # The workflows server and the worker need the same key; without one, payloads are clear.
    payload_key_path: str | None = None
    payload_key: SecretStr | None = None
    # How long a workflow task waits for the worker that ran it before any worker may take
    # it: after a worker dies, its workflows resume this much later.
    worker_sticky_timeout_seconds: float = Field(10.0, gt=0, le=300)

    # Workflow timings, fixed into each workflow when it starts (so a change of setting
    # never alters a running workflow's history).
    approval_deadline_seconds: float = Field(86_400.0, gt=0, le=30 * 86_400)
    # A task whose client can elicit is asked to confirm the rendered configuration before
    # the change is opened; without an answer by then, the deployment is cancelled.
    confirmation_deadline_seconds: float = Field(3_600.0, gt=0, le=7 * 86_400)
    approval_poll_initial_seconds: float = Field(60.0, gt=0, le=3_600)
    approval_poll_max_seconds: float = Field(900.0, gt=0, le=86_400)
    deploy_heartbeat_timeout_seconds: float = Field(60.0, ge=1, le=3_600)
    change_assignment_group: str = Field("Network Operations", min_length=1, max_length=80)

    @field_validator("temporal_address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not (sep and host and port.isdigit()):
            raise ValueError("must be host:port")
        return value
