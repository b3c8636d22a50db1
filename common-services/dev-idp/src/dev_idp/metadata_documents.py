"""Client ID Metadata Documents (the MCP authorization spec's preferred client registration).

The client_id is an https URL with a path; the document it serves is the client's metadata
(JSON, `client_id` equal to that URL, `redirect_uris`, public: token_endpoint_auth_method
"none"). The dev issuer also accepts http URLs on loopback hosts, so tests and local clients
can serve their own document. Fetched with a short timeout, no redirects and a size cap;
cached for a few minutes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from .clients import Client, check_redirect_uris, is_loopback_host
from .oauth import OAuthError

__all__ = ["MetadataDocuments", "is_metadata_document_url"]

log = logging.getLogger("dev_idp")

MAX_DOCUMENT_BYTES = 16 * 1024
FETCH_TIMEOUT = 3.0
CACHE_SECONDS = 300
_GRANTS = frozenset({"authorization_code", "refresh_token"})


def is_metadata_document_url(client_id: str, *, allow_loopback_http: bool) -> bool:
    """An https URL with a non-root path (or, in development, http on a loopback host)."""
    try:
        parts = urlsplit(client_id)
    except ValueError:
        return False
    if parts.fragment or parts.username or parts.password or parts.path in ("", "/"):
        return False
    if "/./" in parts.path or "/../" in parts.path or not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and allow_loopback_http and is_loopback_host(parts.hostname)


def _invalid(client_id: str, reason: str) -> OAuthError:
    return OAuthError(400, "invalid_client", f"client metadata document: {reason}")


def client_from_document(client_id: str, doc: Any) -> Client:
    """Validate a metadata document and build the (public) client it describes."""
    if not isinstance(doc, dict):
        raise _invalid(client_id, "not a JSON object")
    if doc.get("client_id") != client_id:
        raise _invalid(client_id, "its client_id is not the URL it was fetched from")
    method = doc.get("token_endpoint_auth_method", "none")
    if method != "none" or "client_secret" in doc or "client_secret_expires_at" in doc:
        raise _invalid(client_id, "only public clients (token_endpoint_auth_method none)")
    try:
        redirect_uris = check_redirect_uris(doc.get("redirect_uris"))
    except ValueError as exc:
        raise _invalid(client_id, str(exc)) from None
    grant_types = doc.get("grant_types", ["authorization_code"])
    if not isinstance(grant_types, list) or not set(grant_types) <= _GRANTS:
        raise _invalid(client_id, "grant_types may be authorization_code and refresh_token")
    if "authorization_code" not in grant_types:
        raise _invalid(client_id, "grant_types must include authorization_code")
    if doc.get("response_types", ["code"]) != ["code"]:
        raise _invalid(client_id, 'response_types must be ["code"]')
    name = doc.get("client_name", client_id)
    return Client(
        client_id=client_id,
        secret=None,
        redirect_uris=redirect_uris,
        grant_types=frozenset(grant_types),
        name=name if isinstance(name, str) else client_id,
        kind="metadata-document",
    )


class MetadataDocuments:
    """Fetches, validates and caches metadata-document clients."""

    def __init__(
        self,
        *,
        allow_loopback_http: bool = True,
        timeout: float = FETCH_TIMEOUT,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self.allow_loopback_http = allow_loopback_http
        self.timeout, self.max_bytes, self.cache_seconds = timeout, max_bytes, cache_seconds
        self._cache: dict[str, tuple[float, Client]] = {}
        self._lock = threading.Lock()

    def __call__(self, client_id: str) -> Client | None:
        """The client for a metadata-document client_id; None if client_id is not such a URL."""
        if not is_metadata_document_url(client_id, allow_loopback_http=self.allow_loopback_http):
            return None
        with self._lock:
            cached = self._cache.get(client_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        client = client_from_document(client_id, self._fetch(client_id))
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[client_id] = (time.monotonic() + self.cache_seconds, client)
        log.info("client metadata document fetched", extra={"client.id": client_id[:200]})
        return client

    def _fetch(self, url: str) -> Any:
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as http,
                http.stream("GET", url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code != 200:
                    raise _invalid(url, f"fetch answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise _invalid(url, f"larger than {self.max_bytes} bytes")
        except httpx.HTTPError:
            raise _invalid(url, "could not be fetched") from None
        try:
            return json.loads(bytes(body))
        except ValueError:
            raise _invalid(url, "not JSON") from None
