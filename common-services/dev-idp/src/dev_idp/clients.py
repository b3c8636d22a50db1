"""OAuth clients of the dev issuer and how they authenticate.

Three kinds: one confidential client per demo identity (client_id = the identity's name,
secret = its dev secret; client credentials, and token exchange for workloads allowed to);
clients registered at /register (RFC 7591); and clients whose client_id is the URL of a
Client ID Metadata Document (the MCP authorization spec's preferred registration), fetched
on first use (see `metadata_documents.py`).

Redirect URIs match exactly, except that a loopback redirect URI (http on 127.0.0.1, [::1]
or localhost) matches any port (RFC 8252 7.3).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from authlib.oauth2.rfc6749 import ClientAuthentication, ClientMixin

from .identities import Identity
from .oauth import OAuthError, invalid_client
from .tokens import DEFAULT_SCOPE

__all__ = [
    "TOKEN_EXCHANGE",
    "Client",
    "ClientAuthenticator",
    "ClientRegistry",
    "check_redirect_uris",
    "is_loopback_host",
    "redirect_uri_matches",
]

log = logging.getLogger("dev_idp")

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
SECRET_METHODS = ("client_secret_basic", "client_secret_post")
_MAX_REGISTERED = 1000


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Exact match; for http loopback redirect URIs the port may differ (RFC 8252 7.3)."""
    if registered == requested:
        return True
    reg, req = urlsplit(registered), urlsplit(requested)
    return (
        reg.scheme == req.scheme == "http"
        and is_loopback_host(reg.hostname)
        and reg.hostname == req.hostname
        and reg.path == req.path
        and reg.query == req.query
        and not req.fragment
        and req.username is None
    )


def check_redirect_uris(value: Any) -> tuple[str, ...]:
    """Validate client metadata `redirect_uris`: https, http loopback or a private-use scheme."""
    if not isinstance(value, list) or not value or len(value) > 20:
        raise ValueError("redirect_uris must be a non-empty list (at most 20)")
    uris: list[str] = []
    for uri in value:
        if not isinstance(uri, str) or len(uri) > 2000 or any(c.isspace() for c in uri):
            raise ValueError("each redirect URI must be a string without spaces")
        parts = urlsplit(uri)
        if parts.fragment or "#" in uri:
            raise ValueError("a redirect URI must not contain a fragment")
        if parts.scheme == "https" and parts.hostname:
            pass
        elif parts.scheme == "http":
            if not is_loopback_host(parts.hostname):
                raise ValueError("http redirect URIs are allowed for loopback hosts only")
        elif parts.scheme in ("", "javascript", "data", "file", "about", "blob"):
            raise ValueError(f"redirect URI {uri[:80]!r} is not allowed")
        elif "." not in parts.scheme:
            # RFC 8252 7.1: private-use schemes are reverse domain names (com.example.app:/cb).
            raise ValueError("a private-use redirect URI scheme must be a reverse domain name")
        uris.append(uri)
    return tuple(uris)


@dataclass(frozen=True, slots=True)
class Client(ClientMixin):  # type: ignore[misc]
    """An OAuth client as authlib sees it (ClientMixin)."""

    client_id: str
    secret: str | None  # None: a public client (token_endpoint_auth_method "none")
    redirect_uris: tuple[str, ...] = ()
    grant_types: frozenset[str] = frozenset()
    name: str = ""
    kind: str = "identity"  # identity | registered | metadata-document
    identity: Identity | None = None

    @property
    def public(self) -> bool:
        return self.secret is None

    @property
    def may_exchange(self) -> bool:
        return TOKEN_EXCHANGE in self.grant_types

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or DEFAULT_SCOPE

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(redirect_uri_matches(r, redirect_uri) for r in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        expected = self.secret or ""
        return bool(expected) and hmac.compare_digest(expected.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none" if self.public else method in SECRET_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def identity_client(identity: Identity, secret: str) -> Client:
    grants = {"client_credentials"} | ({TOKEN_EXCHANGE} if identity.may_exchange else set())
    if identity.redirect_uris:  # a web app people sign in to (the console)
        grants |= {"authorization_code", "refresh_token"}
    return Client(
        client_id=identity.name,
        secret=secret,
        redirect_uris=identity.redirect_uris,
        grant_types=frozenset(grants),
        name=identity.description,
        kind="identity",
        identity=identity,
    )


class ClientRegistry:
    """Every client: demo identities, registered clients, metadata-document clients."""

    def __init__(
        self,
        identities: Mapping[str, Identity],
        secrets: Mapping[str, str],
        metadata_documents: Callable[[str], Client | None],
    ) -> None:
        self._static = {n: identity_client(i, secrets[n]) for n, i in identities.items()}
        self._registered: dict[str, Client] = {}
        self._documents = metadata_documents
        self._lock = threading.Lock()

    def get(self, client_id: str | None) -> Client | None:
        """The client, fetching its metadata document when client_id is such a URL."""
        if not client_id:
            return None
        client = self._static.get(client_id) or self._registered.get(client_id)
        if client is not None:
            return client
        return self._documents(client_id)

    def get_known(self, client_id: str) -> Client | None:
        """The client if it is already known (no fetch): for secret checks."""
        return self._static.get(client_id) or self._registered.get(client_id)

    def register(
        self,
        *,
        redirect_uris: Iterable[str],
        grant_types: Iterable[str],
        public: bool,
        name: str,
    ) -> Client:
        client = Client(
            client_id=f"dcr-{secrets.token_urlsafe(18)}",
            secret=None if public else secrets.token_urlsafe(32),
            redirect_uris=tuple(redirect_uris),
            grant_types=frozenset(grant_types),
            name=name,
            kind="registered",
        )
        with self._lock:
            if len(self._registered) >= _MAX_REGISTERED:
                raise OAuthError(400, "invalid_client_metadata", "too many registered clients")
            self._registered[client.client_id] = client
        return client


def _basic(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_client("malformed Basic credentials") from None
    raw_id, sep, raw_secret = decoded.partition(":")
    if not sep:
        raise invalid_client("malformed Basic credentials")
    # RFC 6749 2.3.1: both halves are form-urlencoded before Basic encoding.
    return unquote_plus(raw_id), unquote_plus(raw_secret)


class ClientAuthenticator(ClientAuthentication):  # type: ignore[misc]
    """authlib's client authentication, stricter: one method per request (RFC 6749 2.3),
    Basic credentials form-decoded (2.3.1), a 401 with a Basic challenge on any failure, and
    the same work for unknown and known clients."""

    def __init__(self, registry: ClientRegistry) -> None:
        super().__init__(registry.get)
        self.registry = registry

    def authenticate(self, request: Any, methods: list[str], endpoint: str) -> Client:
        form: Mapping[str, str] = request.form if request.method == "POST" else {}
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            if "client_secret" in form:
                raise OAuthError(400, "invalid_request", "use one client authentication method")
            client_id, secret = _basic(header)
            if form.get("client_id", client_id) != client_id:
                raise OAuthError(400, "invalid_request", "client_id does not match credentials")
            return self._with_secret(request, client_id, secret, "client_secret_basic", methods)
        if "client_secret" in form and "client_id" in form:
            return self._with_secret(
                request, form["client_id"], form["client_secret"], "client_secret_post", methods
            )
        client_id = form.get("client_id") or request.payload.data.get("client_id")
        if "none" in methods and client_id:
            client = self.registry.get(client_id)
            if client is not None and client.public:
                request.auth_method = "none"
                return client
        raise invalid_client("client authentication required")

    def _with_secret(
        self, request: Any, client_id: str, secret: str, method: str, methods: list[str]
    ) -> Client:
        client = self.registry.get_known(client_id)
        expected = (client.secret if client is not None else None) or ""
        # Compare even for unknown clients so timing does not tell which clients exist.
        matches = hmac.compare_digest(expected.encode(), secret.encode())
        if client is None or not (matches and expected):
            log.warning("client authentication failed", extra={"client.id": client_id[:64]})
            raise invalid_client("client authentication failed")
        if method not in methods:
            raise invalid_client(f"{method} is not accepted here")
        request.auth_method = method
        return client
