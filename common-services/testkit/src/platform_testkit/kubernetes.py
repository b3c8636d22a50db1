"""A Kubernetes stand-in for Vault's kubernetes auth: the TokenReview API of a cluster.

OpenBao checks each service account token a pod presents by asking the cluster's TokenReview
API; `KubernetesCluster` answers for the tokens it issued (its `app` is served on 127.0.0.1),
and `enable_kubernetes_auth` points an OpenBao auth mount at it.
"""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from platform_launcher.openbao import OpenBaoDevServer

__all__ = ["TOKEN_REVIEW_PATH", "KubernetesCluster", "enable_kubernetes_auth"]

TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"


class KubernetesCluster:
    """The TokenReview API of a cluster: it vouches for the service account tokens it issued."""

    def __init__(self) -> None:
        self.issued: dict[str, tuple[str, str, str]] = {}
        self.reviewed: list[str] = []
        self.app = Starlette(routes=[Route(TOKEN_REVIEW_PATH, self.review, methods=["POST"])])

    def issue(self, account: str = "mcp-server", namespace: str = "mcp") -> str:
        """A service account token (JWT-shaped; OpenBao trusts the review, not a signature)."""
        uid = str(uuid.uuid4())
        claims = {
            "iss": "kubernetes/serviceaccount",
            "sub": f"system:serviceaccount:{namespace}:{account}",
            "kubernetes.io/serviceaccount/namespace": namespace,
            "kubernetes.io/serviceaccount/service-account.name": account,
            "kubernetes.io/serviceaccount/service-account.uid": uid,
        }
        token = ".".join([_b64({"alg": "RS256", "kid": "sa"}), _b64(claims), uuid.uuid4().hex])
        self.issued[token] = (namespace, account, uid)
        return token

    async def review(self, request: Request) -> JSONResponse:
        """Answer a TokenReview: authenticated, with the account, only for an issued token."""
        token = (await request.json())["spec"]["token"]
        self.reviewed.append(token)
        status: dict[str, Any] = {"authenticated": token in self.issued}
        if token in self.issued:
            namespace, account, uid = self.issued[token]
            status["user"] = {
                "username": f"system:serviceaccount:{namespace}:{account}",
                "uid": uid,
            }
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status}
        return JSONResponse(body, status_code=201)


def enable_kubernetes_auth(bao: OpenBaoDevServer, *, mount: str, host: str) -> None:
    """Enable Kubernetes auth at `mount`, asking the TokenReview API at `host` about tokens."""
    bao.request("POST", f"sys/auth/{mount}", {"type": "kubernetes"})
    config = {
        "kubernetes_host": host,
        "kubernetes_ca_cert": _ca_certificate_pem(),
        "disable_local_ca_jwt": True,
    }
    bao.request("POST", f"auth/{mount}/config", config)


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _ca_certificate_pem() -> str:
    # OpenBao insists on a CA certificate; the stand-in speaks plain HTTP, so it goes unused.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()
