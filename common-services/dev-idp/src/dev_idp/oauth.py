"""OAuth 2.0 request plumbing of the dev issuer: bodies, errors, Starlette <-> authlib requests.

authlib's server classes are framework-neutral and synchronous: the HTTP layer reads and
checks the body here (size cap, one value per parameter, UTF-8), then hands authlib a
`FormRequest` or `JsonBodyRequest` that already holds everything it will read.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import JsonPayload, JsonRequest, OAuth2Payload, OAuth2Request
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "MAX_BODY",
    "NO_STORE",
    "REALM",
    "FormRequest",
    "JsonBodyRequest",
    "OAuthError",
    "invalid_client",
    "optional_str",
    "read_form",
    "read_json_object",
    "read_query",
    "render_oauth_error",
    "to_response",
]

log = logging.getLogger("dev_idp")

MAX_BODY = 64 * 1024
REALM = "mcp-sandbox"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# RFC 6749 4.1.2.1: error_description is limited to these characters.
_UNSAFE = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


class OAuthError(OAuth2Error):  # type: ignore[misc]
    """An RFC 6749 error: raised by our handlers and by the grants authlib runs.

    authlib renders it like its own errors (its `get_headers` carries ours, such as a
    `WWW-Authenticate` challenge); outside authlib, `render_oauth_error` does.
    """

    def __init__(
        self, status: int, error: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        safe = _UNSAFE.sub("?", description)
        super().__init__(description=safe, status_code=status, error=error)
        self.status = status
        self.headers = dict(headers or {})

    def get_headers(self) -> list[tuple[str, str]]:
        base = [(k, v) for k, v in super().get_headers() if k.lower() != "www-authenticate"]
        return [*base, *self.headers.items()]


def invalid_client(description: str) -> OAuthError:
    """RFC 6749 5.2: a 401 for a client carries the challenge of the scheme it may use."""
    return OAuthError(
        401, "invalid_client", description, {"WWW-Authenticate": f'Basic realm="{REALM}"'}
    )


def to_response(status: int, body: Any, headers: Sequence[tuple[str, str]]) -> Response:
    """authlib's (status, body, headers) as a Starlette response."""
    merged = {**NO_STORE, **dict(headers)}
    if isinstance(body, dict):
        merged.pop("Content-Type", None)
        return JSONResponse(body, status_code=status, headers=merged)
    return Response(body or b"", status_code=status, headers=merged)


async def render_oauth_error(request: Request, exc: Exception) -> Response:
    """Starlette exception handler: `{"error", "error_description"}` with the error's status."""
    assert isinstance(exc, OAuth2Error)
    return to_response(*exc())


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise OAuthError(413, "invalid_request", "request body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _unique(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:  # RFC 6749 3.1 and 3.2: parameters must not repeat.
            raise OAuthError(400, "invalid_request", f"parameter {name[:40]!r} repeated")
        values[name] = value
    return values


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form body; repeated parameters are rejected (RFC 6749 3.2)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", "body must be application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl((await _read_body(request)).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise OAuthError(400, "invalid_request", "body is not UTF-8") from None
    return _unique(pairs)


def read_query(request: Request) -> dict[str, str]:
    """The query parameters; repeated parameters are rejected (RFC 6749 3.1)."""
    return _unique(request.query_params.multi_items())


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


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, values: Mapping[str, str]) -> None:
        self._data = dict(values)
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in values.items():
            self._datalist[name].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class FormRequest(OAuth2Request):  # type: ignore[misc]
    """An OAuth request for authlib: query and form already read and checked."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        form: Mapping[str, str],
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._args, self._form = dict(query), dict(form)
        self.payload = _Payload({**self._args, **self._form})
        # Filled in by the grants: the audience the token will name (RFC 8707).
        self.audience: str | None = None
        self.resource: str | None = None

    @classmethod
    def of(
        cls, request: Request, query: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> FormRequest:
        return cls(request.method, str(request.url), request.headers, query, form or {})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _JsonPayload(JsonPayload):  # type: ignore[misc]
    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    @property
    def data(self) -> dict[str, Any]:
        return self._data


class JsonBodyRequest(JsonRequest):  # type: ignore[misc]
    """A JSON request for authlib (client registration), body already read."""

    def __init__(self, request: Request, body: Mapping[str, Any]) -> None:
        super().__init__(request.method, str(request.url), request.headers)
        self.payload = _JsonPayload(body)
