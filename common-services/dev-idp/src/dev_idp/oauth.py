"""OAuth 2.0 request plumbing of the dev issuer: body parsing, client authentication, errors."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "MAX_BODY",
    "NO_STORE",
    "REALM",
    "OAuthError",
    "authenticate_client",
    "optional_str",
    "read_form",
    "read_json_object",
    "render_oauth_error",
]

log = logging.getLogger("mcp_sandbox.idp")

MAX_BODY = 64 * 1024
REALM = "mcp-sandbox"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """An RFC 6749 error response, raised by handlers and rendered at the HTTP boundary."""

    def __init__(
        self, status: int, error: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.headers = dict(headers or {})


async def render_oauth_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: `{"error", "error_description"}` with the error's status."""
    assert isinstance(exc, OAuthError)
    body = {"error": exc.error, "error_description": exc.description}
    return JSONResponse(body, status_code=exc.status, headers={**NO_STORE, **exc.headers})


def _invalid_client(description: str) -> OAuthError:
    # RFC 6749 5.2: a 401 for a client must carry the challenge of the scheme it may use.
    challenge = {"WWW-Authenticate": f'Basic realm="{REALM}"'}
    return OAuthError(401, "invalid_client", description, challenge)


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise OAuthError(413, "invalid_request", "request body too large")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form body; repeated parameters are rejected (RFC 6749 3.2)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", "body must be application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl((await _read_body(request)).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise OAuthError(400, "invalid_request", "body is not UTF-8") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError(400, "invalid_request", f"parameter {name[:40]!r} repeated")
        form[name] = value
    return form


async def read_json_object(request: Request) -> dict[str, Any]:
    """The JSON object body; an empty body reads as `{}`."""
    raw = await _read_body(request)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:  # Includes UnicodeDecodeError.
        raise OAuthError(400, "invalid_request", "body must be a JSON object") from None
    if not isinstance(body, dict):
        raise OAuthError(400, "invalid_request", "body must be a JSON object")
    return body


def optional_str(body: Mapping[str, Any], name: str) -> str | None:
    """`body[name]` if it is a string, None if absent or null; 400 for any other type."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise OAuthError(400, "invalid_request", f"{name} must be a string")
    return value


def _credentials(request: Request, form: Mapping[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        if "client_secret" in form:  # RFC 6749 2.3: one authentication method per request.
            raise OAuthError(400, "invalid_request", "use one client authentication method")
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _invalid_client("malformed Basic credentials") from None
        raw_id, sep, raw_secret = decoded.partition(":")
        if not sep:
            raise _invalid_client("malformed Basic credentials")
        # RFC 6749 2.3.1: both halves are form-urlencoded before Basic encoding.
        client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
        if form.get("client_id", client_id) != client_id:
            raise OAuthError(400, "invalid_request", "client_id does not match credentials")
        return client_id, secret
    if "client_id" in form and "client_secret" in form:
        return form["client_id"], form["client_secret"]
    raise _invalid_client("client authentication required")


def authenticate_client(
    request: Request, form: Mapping[str, str], secrets: Mapping[str, str]
) -> str:
    """The client_id proven by HTTP Basic or client_id/client_secret form fields; else 401."""
    client_id, secret = _credentials(request, form)
    expected = secrets.get(client_id, "")
    # Compare even for unknown clients so timing does not tell which clients exist.
    matches = hmac.compare_digest(expected.encode(), secret.encode())
    if not (matches and expected):
        log.warning("client authentication failed", extra={"client.id": client_id[:64]})
        raise _invalid_client("client authentication failed")
    return client_id
