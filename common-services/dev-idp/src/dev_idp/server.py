"""The dev issuer on 127.0.0.1:<free port> in a background thread, with helpers to get tokens."""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable, Mapping
from typing import Any, Self, Unpack
from urllib.parse import quote_plus, urlsplit

import httpx
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from simulator_kit.lifecycle import Lifecycle
from simulator_kit.serve import BackgroundServer

from .app import IdpOptions, create_idp_app
from .identities import DEFAULT_IDENTITIES, Identity, client_secrets_for, identity_map
from .keys import KeySet
from .otp import current_code, secrets_for

__all__ = ["IdpServer"]

_TIMEOUT = 10.0


def _basic(client_id: str, secret: str) -> dict[str, str]:
    # RFC 6749 2.3.1: form-urlencode both halves before Basic encoding (httpx's auth does not).
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


class _LateApp:
    """An ASGI app bound once the port is known, because the issuer URL contains the port."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # The issuer has nothing to start or stop: answer the lifespan protocol here.
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif self.app is None:
            await PlainTextResponse("starting", status_code=503)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class IdpServer(Lifecycle):
    """The dev issuer served by uvicorn on 127.0.0.1; a sync or async context manager.

    The issuer defaults to the server's base URL (`http://127.0.0.1:PORT`). `token`,
    `exchange`, `mint` and `rotate` speak HTTP to the running server; they block briefly,
    which is fine from async tests because the server runs in its own thread. `resources`
    lists the valid RFC 8707 resources (default: any absolute http(s) URI), so
    `token(identity, resource=<a server's URI>)` gets a token whose `aud` is that server.
    """

    def __init__(
        self,
        *,
        audience: str = "mcp-platform",
        issuer: str | None = None,
        identities: Iterable[Identity] = DEFAULT_IDENTITIES,
        keyset: KeySet | None = None,
        client_secrets: Mapping[str, str] | None = None,
        totp_secrets: Mapping[str, str] | None = None,
        port: int = 0,
        **options: Unpack[IdpOptions],
    ) -> None:
        self.audience = audience
        if (resources := options.get("resources")) is not None:
            options["resources"] = tuple(resources)  # built twice below: keep a one-shot iterable
        self.keyset = keyset if keyset is not None else KeySet()
        self._identities = identity_map(identities)
        self._secrets = client_secrets_for(self._identities, client_secrets)
        self._build = functools.partial(
            create_idp_app,
            audience=audience,
            identities=tuple(self._identities.values()),
            keyset=self.keyset,
            client_secrets=self._secrets,
            totp_secrets=totp_secrets,
            **options,
        )
        self._totp = secrets_for(self._identities, self._secrets, totp_secrets)
        self._issuer_arg = issuer.rstrip("/") if issuer else None
        # A dry run, so bad settings fail here rather than after a port is bound.
        self._build(self._issuer_arg or "http://127.0.0.1")
        self._issuer: str | None = None
        self._late = _LateApp()
        self._server = BackgroundServer(self._late, port=port)

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. `http://127.0.0.1:54321`."""
        return self._server.url

    @property
    def issuer(self) -> str:
        """The `iss` of issued tokens (the base URL unless given)."""
        if self._issuer is None:
            raise RuntimeError("IdpServer is not started")
        return self._issuer

    def endpoint(self, path: str) -> str:
        """URL of an issuer endpoint on this server, e.g. `endpoint("/token")`."""
        return f"{self.url}{urlsplit(self.issuer).path}{path}"

    @property
    def discovery_url(self) -> str:
        """URL of the OpenID Provider metadata."""
        return self.endpoint("/.well-known/openid-configuration")

    @property
    def jwks_uri(self) -> str:
        """URL of the JWKS."""
        return self.endpoint("/jwks")

    def secret(self, identity: str) -> str:
        """The client secret of an identity (the dev secret unless overridden)."""
        if identity not in self._secrets:
            raise ValueError(f"unknown identity {identity!r}; known: {sorted(self._secrets)}")
        return self._secrets[identity]

    def start(self) -> Self:
        """Serve on a free port and bind the issuer app to the resulting URL."""
        self._server.start()
        issuer = self._issuer_arg or self._server.url
        try:
            self._late.app = self._build(issuer)
        except BaseException:
            self._server.stop()
            raise
        self._issuer = issuer
        return self

    def stop(self) -> None:
        """Stop serving; safe to call twice."""
        self._server.stop()

    def token_response(
        self, identity: str, *, resource: str | None = None, **form: str
    ) -> dict[str, Any]:
        """The token endpoint's JSON for a client_credentials grant (extra form fields allowed);
        `resource` (RFC 8707) makes the token's `aud` that resource URI."""
        data = {"grant_type": "client_credentials", **form}
        if resource is not None:
            data["resource"] = resource
        return self._post_token(identity, data)

    def token(self, identity: str, *, resource: str | None = None, **form: str) -> str:
        """An access token for `identity` from the token endpoint (`token_format="opaque"` too),
        for `resource` when given (its `aud`), else for the default audience."""
        return str(self.token_response(identity, resource=resource, **form)["access_token"])

    def exchange(
        self,
        client: str,
        subject_token: str,
        *,
        resource: str | None = None,
        audience: str | None = None,
        **form: str,
    ) -> dict[str, Any]:
        """RFC 8693 token exchange by the workload `client` (e.g. "rest-api-proxy")."""
        data = {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": subject_token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            **form,
        }
        if resource is not None:
            data["resource"] = resource
        if audience is not None:
            data["audience"] = audience
        return self._post_token(client, data)

    def has_otp(self, identity: str) -> bool:
        """Whether the identity signs in with a one-time code after its password."""
        return identity in self._totp

    def otp(self, identity: str, *, at: float | None = None) -> str:
        """The one-time code of an MFA identity now, or at `at` (what `make otp` prints)."""
        if identity not in self._totp:
            raise ValueError(f"{identity!r} has no second factor")
        return current_code(self._totp[identity], at)

    def _post_token(self, identity: str, data: Mapping[str, str]) -> dict[str, Any]:
        with httpx.Client(timeout=_TIMEOUT) as client:
            response = client.post(
                self.endpoint("/token"),
                data=dict(data),
                headers=_basic(identity, self.secret(identity)),
            )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def _admin(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        with httpx.Client(timeout=_TIMEOUT) as client:
            response = client.post(self.endpoint(path), json=dict(body))
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def mint(self, identity: str, **overrides: Any) -> str:
        """A token from /admin/mint: claim overrides (None removes), alg, kid, sign_with."""
        return str(self._admin("/admin/mint", {"identity": identity, **overrides})["access_token"])

    def rotate(self, *, drop_old: bool = False, alg: str = "RS256") -> str:
        """Rotate the signing key through /admin/rotate-keys; returns the new kid."""
        return str(self._admin("/admin/rotate-keys", {"drop_old": drop_old, "alg": alg})["kid"])

    def jwks(self) -> dict[str, Any]:
        """The JWKS as served."""
        with httpx.Client(timeout=_TIMEOUT) as client:
            response = client.get(self.jwks_uri)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body
