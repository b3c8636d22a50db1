"""Settings shared by every service, read once from the environment at start."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "CommonSettings",
    "OutputChars",
    "Port",
    "SecretPath",
    "load_settings",
    "public_base_url",
]

S = TypeVar("S", bound="CommonSettings")


def _issuer_url(value: str) -> str:
    # Kept exactly as configured: RFC 8414 clients compare the issuer string by string, and
    # AnyHttpUrl would turn `http://idp:9000` into `http://idp:9000/`.
    AnyHttpUrl(value)
    return value


IssuerUrl = Annotated[str, AfterValidator(_issuer_url)]

# Lists come from the environment as "a,b,c" (or JSON).
CsvList = Annotated[list[str], NoDecode]

# The bounds of fields each server restates with its own default (a subclass that gives a
# field a new default declares it again, type and bounds included): `port: Port = 8003`.
Port = Annotated[int, Field(ge=0, le=65535)]
SecretPath = Annotated[str, Field(min_length=1)]  # where a secret lives in the SecretStore
OutputChars = Annotated[int, Field(ge=1_000, le=1_000_000)]  # the most text a tool returns


def public_base_url(public_url: AnyHttpUrl | None, host: str, port: int) -> str:
    """A listener's base URL as clients see it (no trailing slash): `public_url` when set
    (MCP_PUBLIC_URL behind a load balancer), else `http://host:port`."""
    if public_url is not None:
        return str(public_url).rstrip("/")
    return f"http://{host}:{port}"


class CommonSettings(BaseSettings):
    """Every server's enterprise settings (`MCP_` environment variables)."""

    model_config = SettingsConfigDict(env_prefix="MCP_", extra="ignore", frozen=True)

    # Service
    service_name: str = "mcp-server"
    host: str = "127.0.0.1"
    port: Port = 8000
    public_url: AnyHttpUrl | None = None  # as clients see it; default http://host:port
    mcp_path: str = "/mcp"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    read_only: bool = False
    allowed_hosts: CsvList = Field(default_factory=list)
    allowed_origins: CsvList = Field(default_factory=list)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # Slow clients: a request's headers must arrive within this many seconds of the
    # connection (kept alive: of their first byte), its body within that many of the headers.
    http_header_timeout_seconds: float = Field(10.0, gt=0, le=300)
    http_body_timeout_seconds: float = Field(30.0, gt=0, le=3600)
    # Worker processes (uvicorn, SO_REUSEPORT): `make up` runs 1, compose and Kubernetes
    # MCP_WORKERS=0, the CPUs this process may use. With more than one, /metrics adds up
    # every worker's counts (PROMETHEUS_MULTIPROC_DIR, per service).
    workers: int = Field(1, ge=0, le=64)
    # Admission control: HTTP requests in flight per process; past it, 503 + Retry-After at
    # once (ADR 0008: measured at 3x capacity on 2 cores, 64 keeps admitted calls' p99 under
    # 300 ms and refusals near 50 ms; 128 let admitted calls wait over a second).
    max_in_flight: int = Field(64, ge=1, le=100_000)
    # ... and, when set, while the event loop runs more than this many ms late (the process
    # is out of CPU: admitting more would make every request later). Off by default (0):
    # measured at 3x capacity it did worse than the bound on requests in flight (ADR 0008).
    max_loop_lag_ms: float = Field(0.0, ge=0, le=60_000)

    # Authentication (OIDC)
    oidc_issuer: IssuerUrl
    # Tokens must name this service in `aud`: by default its own resource URI (`resource_url`,
    # the RFC 9728 `resource` it advertises, RFC 8707), so a token for one service is refused
    # by every other. MCP_OIDC_AUDIENCE is an explicit override (an IdP that cannot bind `aud`
    # to a resource); leave it unset in deployment.
    oidc_audience: str | None = None
    oidc_jwks_url: AnyHttpUrl | None = None  # default: from discovery
    oidc_algorithms: CsvList = Field(default_factory=lambda: ["RS256", "ES256", "PS256"])
    oidc_leeway_seconds: int = Field(30, ge=0, le=300)
    # Tokens whose exp - iat exceeds this are refused, however valid; 0 = no maximum.
    oidc_max_token_lifetime_seconds: int = Field(86_400, ge=0)
    oidc_groups_claim: str = "groups"  # dotted path: realm_access.roles, roles, groups
    oidc_mfa_methods: CsvList = Field(default_factory=lambda: ["mfa", "otp", "hwk", "duo"])
    oidc_opaque_tokens: Literal["off", "introspection", "userinfo"] = "off"
    oidc_client_id: str | None = None  # for introspection
    oidc_client_secret: SecretStr | None = None
    oidc_http_timeout: float = Field(5.0, gt=0, le=60)

    # Authorization
    policy_engine: Literal["embedded", "remote"] = "embedded"
    policy_path: str = "common-services/opa/policy.rego"
    opa_url: AnyHttpUrl | None = None
    opa_timeout: float = Field(1.0, gt=0, le=10)
    decision_cache_ttl: float = Field(5.0, ge=0, le=300)

    # Secrets
    secrets_backend: Literal["vault", "file"] = "vault"
    secrets_file: str | None = None
    vault_addr: AnyHttpUrl | None = None
    vault_auth: Literal["token", "approle", "kubernetes"] = "token"
    vault_token: SecretStr | None = None
    vault_role_id: str | None = None
    vault_secret_id: SecretStr | None = None
    vault_kubernetes_role: str | None = None
    vault_mount: str = "secret"
    vault_namespace: str | None = None
    vault_verify: bool = True
    secret_cache_ttl: float = Field(60.0, ge=0)
    secret_stale_max: float = Field(300.0, ge=0)

    # Rate limit and cache
    redis_url: str | None = None
    rate_limit_per_minute: int = Field(600, ge=0)  # per principal x tool; 0 disables
    # Shared read cache for tools that declare `cache_ttl` (Redis when MCP_REDIS_URL is set,
    # in memory otherwise); off: every read goes to the backend.
    tool_cache: bool = True

    # MCP tasks that run inside this process (mcp_common.tasks.BackgroundTaskStore; their state
    # in Redis when MCP_REDIS_URL is set): at most this many run at once per process (past it
    # a task-augmented call is refused), a task is kept this long after its creation, and
    # clients are told to poll it this often (`pollIntervalMs`).
    tasks_max_running: int = Field(16, ge=1, le=1000)
    tasks_ttl_seconds: int = Field(3600, ge=60, le=7 * 86_400)
    tasks_poll_interval_seconds: float = Field(1.0, gt=0, le=60)

    @field_validator(
        "allowed_hosts", "allowed_origins", "oidc_algorithms", "oidc_mfa_methods", mode="before"
    )
    @classmethod
    def _csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @field_validator("workers")
    @classmethod
    def _workers(cls, value: int) -> int:
        if value == 0:  # one per CPU this process may run on (a container's cpuset)
            return max(1, min(64, len(os.sched_getaffinity(0))))
        return value

    @field_validator("mcp_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value.rstrip("/") or "/"

    @model_validator(mode="after")
    def _consistent(self) -> CommonSettings:
        if self.policy_engine == "remote" and self.opa_url is None:
            raise ValueError("MCP_OPA_URL is required when MCP_POLICY_ENGINE=remote")
        if self.secrets_backend == "file" and not self.secrets_file:
            raise ValueError("MCP_SECRETS_FILE is required when MCP_SECRETS_BACKEND=file")
        if self.secrets_backend == "vault":
            if self.vault_addr is None:
                raise ValueError("MCP_VAULT_ADDR is required when MCP_SECRETS_BACKEND=vault")
            needed = {
                "token": ("vault_token",),
                "approle": ("vault_role_id", "vault_secret_id"),
                "kubernetes": ("vault_kubernetes_role",),
            }[self.vault_auth]
            for name in needed:
                if getattr(self, name) in (None, ""):
                    raise ValueError(
                        f"MCP_{name.upper()} is required when MCP_VAULT_AUTH={self.vault_auth}"
                    )
        if self.oidc_opaque_tokens == "introspection" and not (
            self.oidc_client_id and self.oidc_client_secret
        ):
            raise ValueError(
                "MCP_OIDC_CLIENT_ID and MCP_OIDC_CLIENT_SECRET are required for introspection"
            )
        return self

    @property
    def base_url(self) -> str:
        """The server's public base URL (no trailing slash)."""
        return public_base_url(self.public_url, self.host, self.port)

    @property
    def resource_url(self) -> str:
        """This service's resource identifier (RFC 8707), as its RFC 9728 metadata advertises it.

        `base_url` (MCP_PUBLIC_URL behind a load balancer) followed by the MCP path.
        """
        return str(AnyHttpUrl(f"{self.base_url}/{self.mcp_path.lstrip('/')}"))

    @property
    def token_audience(self) -> str:
        """The `aud` value tokens must contain: MCP_OIDC_AUDIENCE if set, else `resource_url`."""
        return self.oidc_audience or self.resource_url


def describe_validation_error(exc: ValidationError, prefix: str) -> str:
    """One line naming the variable(s) at fault, never their values."""
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        parts.append(f"{prefix}{loc[0].upper()}: {msg}" if loc else msg)
    return "; ".join(parts)


def load_settings(cls: type[S]) -> S:
    """Read settings from the environment; on error print one clear line and exit(2)."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        print(f"configuration error: {describe_validation_error(exc, prefix)}", file=sys.stderr)
        raise SystemExit(2) from None
