"""From settings to implementations: which verifier, engine, secret store and rate limiter.

Each builder is judged by what the part it returns does against a real counterpart: the
dev issuer, the deployed policy, OpenBao, Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_common.auth import Principal
from mcp_common.errors import AuthenticationError, ConfigurationError, SecretError
from mcp_common.observability import PlatformMetrics
from mcp_common.policy import AuthorizationRequest, OPAAuthorizer, RegoAuthorizer
from mcp_common.secrets import FileSecretStore, VaultSecretStore
from mcp_common.server import (
    InMemoryRateLimiter,
    RedisRateLimiter,
    build_authorizer,
    build_rate_limiter,
    build_secret_store,
    build_verifier,
)
from mcp_common.settings import CommonSettings

VAULT_POLICY = 'path "components/data/*" { capabilities = ["read"] }'


@pytest.fixture(autouse=True)
def no_mcp_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the settings a test gives count, not the MCP_ variables of the machine."""
    for name in [n for n in os.environ if n.startswith("MCP_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def settings(idp: Any, openbao: Any, policy_path: Path) -> Callable[..., CommonSettings]:
    """Settings valid as a whole (issuer, policy, Vault by token), with `overrides` on top."""

    def _settings(**overrides: Any) -> CommonSettings:
        values: dict[str, Any] = {
            "oidc_issuer": idp.issuer,
            "oidc_audience": idp.audience,
            "policy_path": str(policy_path),
            "vault_addr": openbao.addr,
            "vault_token": openbao.root_token,
            **overrides,
        }
        return CommonSettings(**values)

    return _settings


@pytest.fixture(scope="module")
def vault_secret(openbao: Any) -> dict[str, str]:
    """A secret in a KV v2 mount of its own (`components`), to prove the mount is honoured."""
    value = {"username": "svc", "password": f"pw-{uuid.uuid4().hex}"}
    openbao.seed({"api/demo": value}, mount="components")
    return value


@pytest.fixture
async def closing() -> Any:
    """Parts built by a test are closed after it."""
    parts: list[Any] = []
    yield parts.append
    for part in parts:
        await part.aclose()


def request(groups: tuple[str, ...], resource: str, action: str) -> AuthorizationRequest:
    principal = Principal(subject="alice", groups=frozenset(groups))
    return AuthorizationRequest(principal, resource, resource, action, tool="t")


# --- build_verifier --------------------------------------------------------------------------


async def test_the_verifier_accepts_the_issuers_tokens_for_the_configured_audience(
    idp: Any, settings: Callable[..., CommonSettings], closing: Any
) -> None:
    verifier = build_verifier(settings())
    closing(verifier)
    principal = await verifier.verify(idp.token("network-engineer-mfa"))
    assert (principal.groups, principal.mfa) == (frozenset({"network-engineers"}), True)
    other = build_verifier(settings(oidc_audience="another-server"))
    closing(other)
    with pytest.raises(AuthenticationError, match="audience"):
        await other.verify(idp.token("network-engineer-mfa"))


async def test_the_verifier_reads_groups_at_the_configured_claim_path(
    idp: Any, settings: Callable[..., CommonSettings], closing: Any
) -> None:
    verifier = build_verifier(settings(oidc_groups_claim="realm_access.roles"))
    closing(verifier)
    assert (await verifier.verify(idp.token("service-desk"))).groups == {"service-desk"}


async def test_the_verifier_refuses_an_algorithm_outside_the_configured_list(
    idp: Any, settings: Callable[..., CommonSettings], closing: Any
) -> None:
    verifier = build_verifier(settings(oidc_algorithms="ES256"))
    closing(verifier)
    with pytest.raises(AuthenticationError, match="not allowed"):
        await verifier.verify(idp.token("admin"))  # RS256


async def test_opaque_tokens_are_introspected_with_the_configured_client(
    idp: Any, settings: Callable[..., CommonSettings], closing: Any
) -> None:
    verifier = build_verifier(
        settings(
            oidc_opaque_tokens="introspection",
            oidc_client_id="admin",
            oidc_client_secret=idp.secret("admin"),
        )
    )
    closing(verifier)
    principal = await verifier.verify(idp.token("developer", token_format="opaque"))
    assert principal.groups == {"developers"}


# --- build_authorizer ------------------------------------------------------------------------


async def test_the_embedded_engine_decides_with_the_configured_policy_file(
    settings: Callable[..., CommonSettings], closing: Any
) -> None:
    engine = build_authorizer(settings())
    closing(engine)
    assert isinstance(engine, RegoAuthorizer)
    assert await engine.decide(request(("developers",), "github", "write")) is True
    assert await engine.decide(request(("developers",), "radkit", "read")) is False


def test_a_missing_policy_file_is_a_configuration_error_naming_it(
    settings: Callable[..., CommonSettings], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.rego"
    with pytest.raises(ConfigurationError, match=f"cannot read policy file {missing}"):
        build_authorizer(settings(policy_path=str(missing)))


def test_a_policy_that_does_not_compile_is_a_configuration_error(
    settings: Callable[..., CommonSettings], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.rego"
    broken.write_text("package authz\n\nallow if { input.x ==  }\n")
    with pytest.raises(ConfigurationError, match="does not compile"):
        build_authorizer(settings(policy_path=str(broken)))


@pytest.fixture(scope="module")
def opa(serve: Callable[[Any], Any], policy_path: Path) -> str:
    """OPA's decision endpoint on 127.0.0.1, answering with the deployed policy."""
    embedded = RegoAuthorizer(policy_path)

    async def decide(request: Request) -> JSONResponse:
        return JSONResponse({"result": embedded.evaluate((await request.json())["input"])})

    app = Starlette(routes=[Route("/v1/data/authz/allow", decide, methods=["POST"])])
    return str(serve(app).url)


async def test_the_remote_engine_asks_opa_at_the_configured_url(
    settings: Callable[..., CommonSettings], opa: str, closing: Any
) -> None:
    engine = build_authorizer(settings(policy_engine="remote", opa_url=f"{opa}/", opa_timeout=2))
    closing(engine)
    assert isinstance(engine, OPAAuthorizer)
    assert (engine.url, engine.timeout) == (opa, 2.0)  # no double slash before /v1
    assert await engine.decide(request(("developers",), "github", "write")) is True
    assert await engine.decide(request(("developers",), "radkit", "read")) is False


# --- build_secret_store ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "auth", "missing"),
    [
        ("file", "token", "MCP_SECRETS_FILE"),
        ("vault", "token", "MCP_VAULT_TOKEN"),
        ("vault", "approle", "MCP_VAULT_ROLE_ID"),
        ("vault", "kubernetes", "MCP_VAULT_KUBERNETES_ROLE"),
    ],
)
def test_settings_built_without_validation_get_a_clear_error_not_an_attribute_error(
    backend: str, auth: str, missing: str
) -> None:
    unchecked = CommonSettings.model_construct(
        secrets_backend=backend, vault_auth=auth, vault_addr="http://127.0.0.1:1",
        secrets_file=None, vault_token=None, vault_role_id=None, vault_secret_id=None,
        vault_kubernetes_role=None,
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match=missing):
        build_secret_store(unchecked)


async def test_the_file_backend_reads_the_configured_file_and_reports_metrics(
    settings: Callable[..., CommonSettings], tmp_path: Path, closing: Any
) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"api/demo": {"token": "t-1"}}))
    path.chmod(0o600)
    metrics = PlatformMetrics("test", CollectorRegistry())
    store = build_secret_store(
        settings(secrets_backend="file", secrets_file=str(path)), metrics=metrics
    )
    closing(store)
    assert isinstance(store, FileSecretStore)
    assert dict(await store.get("api/demo")) == {"token": "t-1"}
    reads = metrics.registry.get_sample_value(
        "mcp_secret_reads_total", {"source": "file", "outcome": "success"}
    )
    assert reads == 1.0


async def test_vault_by_token_reads_from_the_configured_mount(
    settings: Callable[..., CommonSettings], vault_secret: dict[str, str], closing: Any
) -> None:
    store = build_secret_store(settings(vault_mount="components"))
    closing(store)
    assert isinstance(store, VaultSecretStore)
    assert dict(await store.get("api/demo")) == vault_secret


async def test_vault_by_approle_logs_in_with_the_configured_role(
    openbao: Any,
    settings: Callable[..., CommonSettings],
    vault_secret: dict[str, str],
    closing: Any,
) -> None:
    role_id, secret_id = openbao.enable_approle(
        "components-test", ["components-reader"], {"components-reader": VAULT_POLICY}
    )
    configured = settings(
        vault_auth="approle",
        vault_token=None,
        vault_role_id=role_id,
        vault_secret_id=secret_id,
        vault_mount="components",
    )
    store = build_secret_store(configured)
    closing(store)
    assert dict(await store.get("api/demo")) == vault_secret
    wrong = build_secret_store(configured.model_copy(update={"vault_role_id": "not-a-role"}))
    closing(wrong)
    with pytest.raises(SecretError, match="Vault rejected the AppRoleAuth credentials"):
        await wrong.get("api/demo")


async def test_vault_by_kubernetes_logs_in_with_the_pods_service_account_token(
    settings: Callable[..., CommonSettings], closing: Any
) -> None:
    store = build_secret_store(
        settings(vault_auth="kubernetes", vault_token=None, vault_kubernetes_role="mcp-server")
    )
    closing(store)
    assert isinstance(store, VaultSecretStore)
    # Outside a pod the token file is missing; inside one, this OpenBao has no Kubernetes
    # auth. Either way the error names the Kubernetes login (tests/secrets/test_vault_auth.py
    # logs in for real).
    with pytest.raises(
        SecretError,
        match=r"Kubernetes service account token at /var/run/secrets|KubernetesAuth credentials",
    ):
        await store.get("api/demo")


# --- build_rate_limiter ----------------------------------------------------------------------


async def test_a_zero_budget_builds_no_rate_limiter(
    settings: Callable[..., CommonSettings],
) -> None:
    assert build_rate_limiter(settings(rate_limit_per_minute=0)) is None


async def test_without_redis_each_process_counts_its_own_budget(
    settings: Callable[..., CommonSettings],
) -> None:
    configured = settings(rate_limit_per_minute=2)
    one, two = build_rate_limiter(configured), build_rate_limiter(configured)
    assert isinstance(one, InMemoryRateLimiter) and isinstance(two, InMemoryRateLimiter)
    assert [await one.hit("alice:t") for _ in range(3)][2] > 0
    assert await two.hit("alice:t") == 0.0  # nothing shared


async def test_with_redis_every_replica_counts_against_one_budget(
    settings: Callable[..., CommonSettings], redis_url: str
) -> None:
    configured = settings(rate_limit_per_minute=2, redis_url=redis_url)
    one, two = build_rate_limiter(configured), build_rate_limiter(configured)
    assert isinstance(one, RedisRateLimiter) and isinstance(two, RedisRateLimiter)
    key = f"alice-{uuid.uuid4().hex}:t"
    if (left := 60 - time.time() % 60) < 2:  # Redis counts in fixed one-minute windows
        await asyncio.sleep(left + 0.05)
    try:
        hits = [await one.hit(key), await two.hit(key), await one.hit(key)]
    finally:
        for limiter in (one, two):  # the limiter has no close of its own
            await limiter._redis.aclose()
    assert hits[:2] == [0.0, 0.0]
    assert hits[2] > 0
