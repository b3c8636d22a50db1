"""Vault authentication (VaultLogin): token, AppRole and Kubernetes logins, renewal, failures.

Against a real OpenBao dev server (Vault API). Kubernetes auth is real too: OpenBao checks
each service account token with the TokenReview API of a small Kubernetes stand-in
(`platform_testkit.kubernetes`) served on 127.0.0.1. Only the error answers no healthy
OpenBao gives (5xx, 429) come from a stand-in of their own.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hvac
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_common.errors import SecretError
from mcp_common.secrets import (
    AppRoleAuth,
    KubernetesAuth,
    TokenAuth,
    VaultAuth,
    VaultDenied,
    VaultLogin,
    VaultUnreachable,
    call_vault,
)
from platform_testkit.kubernetes import KubernetesCluster, enable_kubernetes_auth

POLICY = "auth-test-reader"
POLICY_HCL = 'path "secret/data/auth-test/*" { capabilities = ["read"] }'
K8S_MOUNT = "k8s-auth-test"


# --- parts -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def root(openbao: Any) -> hvac.Client:
    openbao.request("PUT", f"sys/policies/acl/{POLICY}", {"policy": POLICY_HCL})
    openbao.seed({"auth-test/demo": {"username": "svc"}})
    return hvac.Client(url=openbao.addr, token=openbao.root_token)


@pytest.fixture(scope="module")
def approle(openbao: Any, root: hvac.Client) -> AppRoleAuth:
    role_id, secret_id = openbao.enable_approle("auth-test", [POLICY], {})
    return AppRoleAuth(role_id=role_id, secret_id=secret_id)


def approle_with(openbao: Any, role: str, **options: Any) -> AppRoleAuth:
    """An AppRole whose tokens have the given options (token_ttl, token_max_ttl...)."""
    openbao.request("POST", f"auth/approle/role/{role}", {"token_policies": [POLICY], **options})
    role_id = openbao.request("GET", f"auth/approle/role/{role}/role-id")["data"]["role_id"]
    secret = openbao.request("POST", f"auth/approle/role/{role}/secret-id")["data"]["secret_id"]
    return AppRoleAuth(role_id=role_id, secret_id=secret)


@pytest.fixture(scope="module")
def kubernetes(openbao: Any, root: hvac.Client, serve: Callable[[Any], Any]) -> KubernetesCluster:
    """Kubernetes auth enabled at its own mount, bound to service account mcp/mcp-server."""
    cluster = KubernetesCluster()
    enable_kubernetes_auth(openbao, mount=K8S_MOUNT, host=serve(cluster.app).url)
    openbao.request(
        "POST",
        f"auth/{K8S_MOUNT}/role/mcp-server",
        {
            "bound_service_account_names": ["mcp-server"],
            "bound_service_account_namespaces": ["mcp"],
            "token_policies": [POLICY],
            "token_ttl": "1h",
        },
    )
    return cluster


@dataclass
class PodToken:
    """The pod's service account token file, as the kubelet mounts and rotates it."""

    path: Path

    def mount(self, content: str) -> None:
        self.path.write_text(content)

    def auth(self) -> KubernetesAuth:
        return KubernetesAuth("mcp-server", jwt_path=str(self.path), mount=K8S_MOUNT)


@pytest.fixture
def pod_token(tmp_path: Path) -> PodToken:
    return PodToken(tmp_path / "token")


@pytest.fixture
async def logins(openbao: Any) -> AsyncIterator[Callable[..., VaultLogin]]:
    """VaultLogins on fresh hvac clients; their renewal tasks stop after the test."""
    made: list[VaultLogin] = []

    def _login(
        auth: VaultAuth, *, renew: bool = True, renew_threshold: float = 1 / 3
    ) -> VaultLogin:
        login = VaultLogin(
            hvac.Client(url=openbao.addr), auth, renew=renew, renew_threshold=renew_threshold
        )
        made.append(login)
        return login

    yield _login
    for login in made:
        await login.aclose()


@pytest.fixture
def logged_in(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The `Logged in to Vault` events of the test, as their extra fields."""
    caplog.set_level(logging.INFO)

    def _events() -> list[dict[str, Any]]:
        return [vars(r) for r in caplog.records if r.getMessage() == "Logged in to Vault"]

    yield _events


def new_token(root: hvac.Client, **kwargs: Any) -> str:
    token: str = root.auth.token.create(policies=[POLICY], **kwargs)["auth"]["client_token"]
    return token


def policies_of(login: VaultLogin, root: hvac.Client) -> list[str]:
    assert login.token is not None
    return list(root.auth.token.lookup(login.token)["data"]["policies"])


def expire_time(root: hvac.Client, token: str) -> datetime.datetime:
    raw = root.auth.token.lookup(token)["data"]["expire_time"]
    return datetime.datetime.fromisoformat(re.sub(r"(\.\d{6})\d*Z$", r"\1+00:00", raw))


# --- the auth values -------------------------------------------------------------------------


def test_auth_values_refuse_empty_fields_and_never_show_their_secret() -> None:
    with pytest.raises(ValueError, match=r"TokenAuth\.token"):
        TokenAuth("")
    with pytest.raises(ValueError, match=r"AppRoleAuth\.secret_id"):
        AppRoleAuth(role_id="r", secret_id=" ")
    with pytest.raises(ValueError, match=r"KubernetesAuth\.role"):
        KubernetesAuth(role="")
    assert "s3cr3t" not in repr(TokenAuth("s3cr3t"))
    assert "s3cr3t" not in repr(AppRoleAuth(role_id="r", secret_id="s3cr3t"))
    assert "role_id='r'" in repr(AppRoleAuth(role_id="r", secret_id="s3cr3t"))


@pytest.mark.parametrize(
    ("auth", "threshold", "match"),
    [
        ("a-token", 0.5, "auth must be"),
        (TokenAuth("t"), 0.0, "renew_threshold"),
        (TokenAuth("t"), 1.0, "renew_threshold"),
    ],
)
def test_a_login_refuses_an_unknown_auth_or_a_threshold_outside_0_1(
    auth: Any, threshold: float, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        VaultLogin(hvac.Client(), auth, renew=True, renew_threshold=threshold)


def test_only_approle_and_kubernetes_can_get_a_fresh_token() -> None:
    def can_login(auth: VaultAuth) -> bool:
        return VaultLogin(hvac.Client(), auth, renew=True, renew_threshold=0.5).can_login

    assert can_login(TokenAuth("t")) is False
    assert can_login(AppRoleAuth(role_id="r", secret_id="s")) is True
    assert can_login(KubernetesAuth(role="mcp-server")) is True


# --- token ---------------------------------------------------------------------------------


async def test_token_auth_uses_the_token_as_is_and_learns_its_lease(
    root: hvac.Client, logins: Callable[..., VaultLogin], logged_in: Any
) -> None:
    token = new_token(root, ttl="30s")
    login = logins(TokenAuth(token))
    await login.ensure()
    assert login.token == token
    (event,) = logged_in()
    assert event["vault.auth"] == "TokenAuth"
    assert 25 <= event["vault.lease_duration"] <= 30


async def test_a_revoked_token_is_a_clear_error_without_the_token(
    root: hvac.Client, logins: Callable[..., VaultLogin]
) -> None:
    token = new_token(root)
    root.auth.token.revoke(token)
    with pytest.raises(SecretError, match="Vault rejected the TokenAuth credentials") as caught:
        await logins(TokenAuth(token)).ensure()
    assert token not in str(caught.value)


async def test_a_renewable_token_is_renewed_once_less_than_the_threshold_is_left(
    root: hvac.Client, logins: Callable[..., VaultLogin]
) -> None:
    token = new_token(root, ttl="30s", renewable=True)
    login = logins(TokenAuth(token), renew_threshold=0.99)
    await login.ensure()
    before = expire_time(root, token)
    await asyncio.sleep(1.1)  # less than 99% of 30 s is left now
    await login.ensure()
    assert (expire_time(root, token) - before).total_seconds() >= 1
    assert login.token == token


async def test_with_renewal_off_the_token_is_left_to_expire(
    root: hvac.Client, logins: Callable[..., VaultLogin]
) -> None:
    token = new_token(root, ttl="30s", renewable=True)
    login = logins(TokenAuth(token), renew=False, renew_threshold=0.99)
    await login.ensure()
    before = expire_time(root, token)
    await asyncio.sleep(1.1)
    await login.ensure()
    assert expire_time(root, token) == before


async def test_a_token_that_cannot_be_extended_is_kept_and_warned_about(
    root: hvac.Client, logins: Callable[..., VaultLogin], caplog: pytest.LogCaptureFixture
) -> None:
    token = new_token(root, ttl="30s", renewable=False)
    login = logins(TokenAuth(token), renew_threshold=0.99)
    await login.ensure()
    await asyncio.sleep(0.5)
    await login.ensure()
    assert login.token == token
    assert any("cannot be extended" in r.getMessage() for r in caplog.records)


# --- AppRole -------------------------------------------------------------------------------


async def test_approle_logs_in_once_for_a_token_with_the_roles_policy(
    root: hvac.Client, approle: AppRoleAuth, logins: Callable[..., VaultLogin], logged_in: Any
) -> None:
    login = logins(approle)
    await asyncio.gather(*(login.ensure() for _ in range(5)))  # concurrent first reads
    assert POLICY in policies_of(login, root)
    (event,) = logged_in()
    assert (event["vault.auth"], event["vault.lease_duration"]) == ("AppRoleAuth", 3600)


async def test_a_new_login_replaces_only_the_stale_token(
    approle: AppRoleAuth, logins: Callable[..., VaultLogin], logged_in: Any
) -> None:
    login = logins(approle)
    await login.ensure()
    first = login.token
    await login.login(stale_token=None)  # already logged in: nothing to do
    assert login.token == first
    await login.login(stale_token=first)  # Vault refused `first`: log in again
    second = login.token
    assert second != first
    await login.login(stale_token=first)  # another task already replaced it
    assert login.token == second
    assert len(logged_in()) == 2


async def test_a_token_capped_by_its_max_ttl_is_replaced_by_a_fresh_login(
    openbao: Any, logins: Callable[..., VaultLogin], logged_in: Any
) -> None:
    capped = approle_with(openbao, "auth-test-capped", token_ttl="30s", token_max_ttl="30s")
    login = logins(capped, renew_threshold=0.99)
    await login.ensure()
    first = login.token
    await asyncio.sleep(1.1)  # due for renewal, but renewing cannot pass the max TTL
    await login.ensure()
    assert login.token != first
    assert len(logged_in()) == 2


async def test_a_wrong_secret_id_is_a_clear_error_without_the_secret(
    approle: AppRoleAuth, logins: Callable[..., VaultLogin]
) -> None:
    wrong = AppRoleAuth(role_id=approle.role_id, secret_id=str(uuid.uuid4()))
    with pytest.raises(SecretError, match="Vault rejected the AppRoleAuth credentials") as caught:
        await logins(wrong).ensure()
    assert wrong.secret_id not in str(caught.value)


async def test_approle_at_another_mount_logs_in_there(
    approle: AppRoleAuth, logins: Callable[..., VaultLogin]
) -> None:
    elsewhere = AppRoleAuth(role_id=approle.role_id, secret_id=approle.secret_id, mount="nope")
    with pytest.raises(SecretError, match="AppRoleAuth"):
        await logins(elsewhere).ensure()


# --- Kubernetes ----------------------------------------------------------------------------


async def test_kubernetes_auth_logs_in_with_the_pods_service_account_token(
    root: hvac.Client,
    kubernetes: KubernetesCluster,
    pod_token: PodToken,
    logins: Callable[..., VaultLogin],
    logged_in: Any,
) -> None:
    token = kubernetes.issue()
    pod_token.mount(token + "\n")
    login = logins(pod_token.auth())
    await login.ensure()
    assert POLICY in policies_of(login, root)
    assert kubernetes.reviewed[-1] == token
    (event,) = logged_in()
    assert (event["vault.auth"], event["vault.lease_duration"]) == ("KubernetesAuth", 3600)


async def test_kubernetes_auth_rereads_the_rotated_token_at_every_login(
    kubernetes: KubernetesCluster, pod_token: PodToken, logins: Callable[..., VaultLogin]
) -> None:
    pod_token.mount(kubernetes.issue())
    login = logins(pod_token.auth())
    await login.ensure()
    rotated = kubernetes.issue()  # the kubelet rotates projected tokens
    pod_token.mount(rotated)
    await login.login(stale_token=login.token)
    assert kubernetes.reviewed[-1] == rotated


@pytest.mark.parametrize(
    "account", [("other-ns", "mcp-server"), ("mcp", "someone-else"), None], ids=str
)
async def test_a_service_account_outside_the_role_is_refused(
    kubernetes: KubernetesCluster,
    pod_token: PodToken,
    logins: Callable[..., VaultLogin],
    account: tuple[str, str] | None,
) -> None:
    # None: a token the cluster never issued (TokenReview says unauthenticated).
    if account is None:
        pod_token.mount(KubernetesCluster().issue())
    else:
        namespace, name = account
        pod_token.mount(kubernetes.issue(name, namespace))
    login = logins(pod_token.auth())
    with pytest.raises(SecretError, match="Vault rejected the KubernetesAuth credentials"):
        await login.ensure()


@pytest.mark.parametrize(
    ("content", "match"),
    [(None, "Cannot read the Kubernetes service account token"), (" \n", "is empty")],
)
async def test_a_missing_or_empty_service_account_token_is_a_clear_error(
    pod_token: PodToken, logins: Callable[..., VaultLogin], content: str | None, match: str
) -> None:
    if content is not None:
        pod_token.mount(content)
    login = logins(pod_token.auth())
    with pytest.raises(SecretError, match=match) as caught:
        await login.ensure()
    assert str(pod_token.path) in str(caught.value)


# --- background renewal ----------------------------------------------------------------------


def renewal_tasks() -> list[asyncio.Task[Any]]:
    return [
        t for t in asyncio.all_tasks() if t.get_name() == "vault-token-renewal" and not t.done()
    ]


async def test_background_renewal_starts_once_and_stops_for_good_on_aclose(
    approle: AppRoleAuth, logins: Callable[..., VaultLogin]
) -> None:
    login = logins(approle)
    await login.ensure()
    login.start_background_renewal()
    login.start_background_renewal()
    assert len(renewal_tasks()) == 1
    await login.aclose()
    assert renewal_tasks() == []
    login.start_background_renewal()
    assert renewal_tasks() == []


async def test_no_background_renewal_when_renewal_is_off(
    approle: AppRoleAuth, logins: Callable[..., VaultLogin]
) -> None:
    login = logins(approle, renew=False)
    login.start_background_renewal()
    assert renewal_tasks() == []


# --- call_vault ----------------------------------------------------------------------------


async def test_call_vault_returns_hvacs_answer(root: hvac.Client) -> None:
    health = await call_vault(root.sys.read_health_status, method="GET")
    assert health["sealed"] is False


async def test_call_vault_says_denied_when_vault_refuses_the_token(
    openbao: Any, root: hvac.Client
) -> None:
    token = new_token(root)
    root.auth.token.revoke(token)
    client = hvac.Client(url=openbao.addr, token=token)
    with pytest.raises(VaultDenied):
        await call_vault(
            client.secrets.kv.v2.read_secret_version,
            path="auth-test/demo",
            raise_on_deleted_version=True,
        )


async def test_call_vault_says_unreachable_naming_only_the_failure_class() -> None:
    client = hvac.Client(url="http://127.0.0.1:1", timeout=1)
    with pytest.raises(VaultUnreachable) as caught:
        await call_vault(client.sys.read_health_status, method="GET")
    assert str(caught.value) == "ConnectionError"


@pytest.fixture(scope="module")
def sick_vault(serve: Callable[[Any], Any]) -> str:
    """A Vault API answering `/v1/sys/<status>` with that status (what OpenBao rarely does)."""

    async def sick(request: Request) -> Response:
        status = int(request.path_params["status"])
        return JSONResponse({"errors": ["node is sick"]}, status_code=status)

    return str(serve(Starlette(routes=[Route("/v1/sys/{status:int}", sick)])).url)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, "InternalServerError"),
        (502, "BadGateway"),
        (503, "VaultDown"),
        (429, "RateLimitExceeded"),
    ],
)
async def test_call_vault_says_unreachable_for_server_errors_and_throttling(
    sick_vault: str, status: int, kind: str
) -> None:
    client = hvac.Client(url=sick_vault, token="t")
    with pytest.raises(VaultUnreachable, match=f"^{kind}$"):
        await call_vault(client.adapter.get, f"/v1/sys/{status}")


async def test_call_vault_lets_other_vault_answers_through(root: hvac.Client) -> None:
    with pytest.raises(hvac.exceptions.InvalidPath):
        await call_vault(
            root.secrets.kv.v2.read_secret_version,
            path="auth-test/absent",
            raise_on_deleted_version=True,
        )
