"""CSRF protection for every state-changing request: a per-session synchronizer token (a
hidden form field, or the `X-CSRF-Token` header htmx sends) and, when the browser sends
one, an `Origin` that is the console's own. The session cookie is also SameSite=Lax."""

from __future__ import annotations

import hmac

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

__all__ = ["FIELD", "HEADER", "checked_form", "token_of"]

FIELD = "csrf"
HEADER = "x-csrf-token"


def token_of(request: Request) -> str:
    """The CSRF token of the request's session ("" without a session)."""
    session = request.scope.get("console.session")
    return str(session.csrf) if session is not None else ""


async def checked_form(request: Request, origin: str) -> FormData:
    """The submitted form, once its CSRF token and origin are checked (403 otherwise)."""
    sent_origin = request.headers.get("origin")
    if sent_origin is not None and sent_origin.rstrip("/") != origin.rstrip("/"):
        raise HTTPException(403, "cross-site request refused")
    form = await request.form()
    expected = token_of(request)
    presented = request.headers.get(HEADER) or str(form.get(FIELD) or "")
    if not expected or not hmac.compare_digest(expected.encode(), presented.encode()):
        raise HTTPException(403, "the form has expired; reload the page and try again")
    return form
