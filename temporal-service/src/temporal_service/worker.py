"""The Temporal worker: `python -m temporal_service.worker` runs the workflows and activities.

It polls the task queue, runs TemplateDeploymentWorkflow and calls the platform's MCP
servers for the requester: the requester's token exchanged (RFC 8693) at the IdP, where the
worker authenticates with its own client credentials and is named as the actor.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from mcp_common.auth import TokenExchanger
from mcp_common.errors import ConfigurationError, PlatformError
from mcp_common.observability import configure_logging, get_logger
from mcp_common.secrets import SecretStore
from mcp_common.server import build_secret_store
from mcp_common.settings import load_settings

from .activities.deployment import DeploymentActivities
from .activities.mcp_tools import McpPlatformTools
from .activities.platform import PlatformTools
from .activities.workload_token import DelegatedTokens, SecretSource
from .codec import encrypted, payload_key
from .settings import WorkflowSettings
from .workflows import TemplateDeploymentWorkflow

__all__ = ["SERVICE_NAME", "build_worker", "connect", "main", "run_worker", "worker_secret"]

SERVICE_NAME = "temporal-worker"
_log = get_logger(__name__)


def build_worker(
    client: Client,
    tools: PlatformTools,
    *,
    task_queue: str,
    max_concurrent_activities: int = 20,
    sticky_timeout: float = 10.0,
) -> Worker:
    """A worker for TemplateDeploymentWorkflow whose activities use `tools`."""
    if not task_queue:
        raise ValueError("task_queue is required")
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[TemplateDeploymentWorkflow],
        activities=DeploymentActivities(tools).all(),
        max_concurrent_activities=max_concurrent_activities,
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=sticky_timeout),
    )


async def connect(settings: WorkflowSettings, *, attempts: int = 30) -> Client:
    """Connect to Temporal, waiting a little for a server that is still starting."""
    for attempt in range(1, attempts + 1):
        try:
            return await Client.connect(
                settings.temporal_address, namespace=settings.temporal_namespace
            )
        except RuntimeError:  # the SDK's "failed client connect"
            if attempt == attempts:
                raise ConfigurationError(
                    f"Temporal is unreachable at {settings.temporal_address}"
                ) from None
            await asyncio.sleep(min(0.2 * attempt, 2.0))
    raise AssertionError("unreachable")  # pragma: no cover


def worker_secret(settings: WorkflowSettings, secrets: SecretStore | None) -> SecretSource:
    """The worker's client secret: from the settings if given, else from the SecretStore."""
    given = settings.worker_client_secret
    if given is not None:
        value = given.get_secret_value()

        async def from_settings() -> str:
            return value

        return from_settings
    if secrets is None:
        raise ConfigurationError("MCP_WORKER_CLIENT_SECRET or a secret store is required")
    store, path = secrets, settings.worker_secret_path

    async def from_store() -> str:
        secret = (await store.get(path)).get("client_secret")
        if not isinstance(secret, str) or not secret:
            raise ConfigurationError(f"secret {path} has no client_secret")
        return secret

    return from_store


async def run_worker(
    settings: WorkflowSettings,
    *,
    stop: asyncio.Event,
    secrets: SecretStore | None = None,
    client: Client | None = None,
) -> None:
    """Run until `stop` is set; in-flight activities get a short grace period."""
    if secrets is None and settings.worker_client_secret is None:
        secrets = build_secret_store(settings)
    secret = worker_secret(settings, secrets)
    await _check(secret)  # fail at start, not at the first deployment
    tokens = DelegatedTokens(
        TokenExchanger(
            str(settings.oidc_issuer),
            settings.worker_client_id,
            secret,
            refresh_margin=settings.token_refresh_margin,
            timeout=settings.oidc_http_timeout,
        )
    )
    cc_resource, sn_resource = settings.catalyst_center_resource, settings.servicenow_resource
    tools = McpPlatformTools(
        catalyst_center_url=str(settings.catalyst_center_url),
        servicenow_url=str(settings.servicenow_url),
        tokens=tokens,
        timeout=settings.mcp_call_timeout,
        deploy_timeout=settings.deploy_call_timeout,
        catalyst_center_resource=str(cc_resource) if cc_resource else None,
        servicenow_resource=str(sn_resource) if sn_resource else None,
    )
    try:
        # Payloads carry the requester's token: encrypted when a key is configured (ADR 0006).
        key = await payload_key(settings, secrets)
        client = encrypted(client or await connect(settings), key)
        worker = build_worker(
            client,
            tools,
            task_queue=settings.temporal_task_queue,
            sticky_timeout=settings.worker_sticky_timeout_seconds,
        )
        queue = settings.temporal_task_queue
        _log.info(
            "worker started", extra={"event.action": "worker.start", "temporal.task_queue": queue}
        )
        async with worker:
            await stop.wait()
    finally:
        await tools.aclose()
        await tokens.aclose()
        if secrets is not None:
            await secrets.aclose()


async def _check(secret: Callable[[], Awaitable[str]]) -> None:
    try:
        await secret()
    except PlatformError as exc:
        raise ConfigurationError(f"the worker's client secret is unavailable: {exc}") from None


async def _serve(settings: WorkflowSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(settings, stop=stop)


def main() -> None:
    """Read the settings, configure logging, run the worker until SIGTERM or Ctrl-C."""
    settings = load_settings(WorkflowSettings)
    configure_logging(SERVICE_NAME, settings.log_level)
    try:
        asyncio.run(_serve(settings))
    except ConfigurationError as exc:
        _log.error(str(exc), extra={"event.action": "worker.start", "event.outcome": "failure"})
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
