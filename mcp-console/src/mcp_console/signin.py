"""Sign-in with the platform's OIDC issuer: authorization code + PKCE (authlib's Starlette
client), logout, and the person's tokens kept fresh with the refresh token.

The console is a confidential client. authlib keeps the OAuth state, the nonce and the PKCE
verifier in the (server-side) session; after the callback the session id is rotated and the
person and their tokens are stored there. Written against the standard endpoints of the
issuer's discovery document, so the dev issuer (`make up`) and Keycloak (compose) both work;
the second factor is the issuer's business (its TOTP/Duo step), seen here in `amr`/`acr`.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .people import Person, PersonTokens, SignInRequired, safe_next
from .sessions import SessionStore, rotate
from .settings import ConsoleSettings

__all__ = ["Identity"]

log = logging.getLogger("mcp_console.signin")

_PERSON, _TOKENS, _NEXT = "person", "tokens", "next"


class Identity:
    """The sign-in flow and the current person of a request."""

    def __init__(self, settings: ConsoleSettings, store: SessionStore) -> None:
        self.settings, self.store = settings, store
        self.oauth = OAuth()
        self.client: Any = self.oauth.register(
            name="platform",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=settings.discovery_url,
            client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
        )

    # -- routes ---------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        """GET /auth/login?next=/page: off to the issuer (code + PKCE, S256)."""
        request.session[_NEXT] = safe_next(request.query_params.get("next"))
        try:
            response: Response = await self.client.authorize_redirect(
                request, self.settings.redirect_uri
            )
        except (httpx.HTTPError, OAuthError, RuntimeError) as exc:
            log.warning("issuer unreachable at sign-in", extra={"error.type": type(exc).__name__})
            return _problem(request, "The sign-in service is not reachable. Try again shortly.")
        return response

    async def callback(self, request: Request) -> Response:
        """GET /auth/callback: code -> tokens, verified ID token -> person; back to `next`."""
        next_path = safe_next(request.session.get(_NEXT))
        if request.query_params.get("error"):
            error = request.query_params.get("error", "")
            message = "Sign-in was cancelled." if error == "access_denied" else "Sign-in failed."
            return _problem(request, message, next_path)
        try:
            token = await self.client.authorize_access_token(request)
            claims = dict(token.get("userinfo") or {})
            claims.update(await self.client.userinfo(token=token))
            person = Person.from_claims(
                claims,
                groups_claim=self.settings.oidc_groups_claim,
                mfa_methods=self.settings.oidc_mfa_methods,
            )
            tokens = PersonTokens.from_response(token)
        except MismatchingStateError:
            # A stale or replayed callback (another tab, the back button): start again.
            return RedirectResponse(f"/auth/login?next={_quote(next_path)}", status_code=303)
        except (OAuthError, httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("sign-in failed", extra={"error.type": type(exc).__name__})
            return _problem(request, "Sign-in failed at the issuer.", next_path)
        session = rotate(self.store, request.scope)
        session.data.clear()
        session.data[_PERSON] = person.to_dict()
        session.data[_TOKENS] = tokens.to_dict()
        log.info("signed in", extra={"user.id": person.subject, "user.mfa": person.mfa})
        return RedirectResponse(next_path, status_code=303)

    async def logout(self, request: Request) -> Response:
        """POST /auth/logout (CSRF-checked): the session ends here; the cookie is cleared."""
        session = request.scope.get("console.session")
        if session is not None:
            self.store.delete(session.id)
        request.scope["console.ended"] = True
        request.scope["console.session"] = None
        return RedirectResponse("/signed-out", status_code=303)

    # -- the current person ----------------------------------------------------------------

    def person(self, request: Request) -> Person | None:
        """The signed-in person, or None."""
        data = request.session.get(_PERSON)
        return Person.from_dict(data) if isinstance(data, dict) else None

    def require(self, request: Request) -> Person:
        """The signed-in person; SignInRequired (back to this page afterwards) otherwise."""
        person = self.person(request)
        if person is None:
            raise SignInRequired(return_path(request))
        return person

    async def access_token(self, request: Request) -> str:
        """The person's live access token, refreshed when near expiry; SignInRequired when
        the session can no longer get one (refresh refused: the sign-in has ended)."""
        data = request.session.get(_TOKENS)
        if not isinstance(data, dict):
            raise SignInRequired(return_path(request))
        tokens = PersonTokens.from_dict(data)
        if tokens.fresh():
            return tokens.access_token
        if not tokens.refresh_token:
            raise SignInRequired(return_path(request))
        try:
            metadata = await self.client.load_server_metadata()
            async with AsyncOAuth2Client(
                self.settings.oidc_client_id,
                self.settings.oidc_client_secret.get_secret_value(),
                timeout=10,
            ) as client:
                answer = await client.refresh_token(
                    metadata["token_endpoint"], refresh_token=tokens.refresh_token
                )
            renewed = PersonTokens.from_response(answer)
        except (OAuthError, httpx.HTTPError, ValueError, KeyError) as exc:
            log.info("session refresh refused", extra={"error.type": type(exc).__name__})
            request.session.pop(_TOKENS, None)
            request.session.pop(_PERSON, None)
            raise SignInRequired(return_path(request)) from None
        request.session[_TOKENS] = renewed.to_dict()
        return renewed.access_token


def return_path(request: Request) -> str:
    """The page to come back to: for htmx requests the page the browser shows, for a form
    post the page it was posted from, else the requested URL itself."""
    current = request.headers.get("hx-current-url")
    if current:
        return _local(current)
    if request.method != "GET":
        referer = request.headers.get("referer")
        return _local(referer) if referer else "/"
    query = f"?{request.url.query}" if request.url.query else ""
    return safe_next(f"{request.url.path}{query}")


def _local(url: str) -> str:
    parts = httpx.URL(url)
    query = f"?{parts.query.decode()}" if parts.query else ""
    return safe_next(f"{parts.path}{query}")


def _quote(path: str) -> str:
    return quote(path, safe="")


def _problem(request: Request, message: str, next_path: str = "/") -> Response:
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        "signin_problem.html",
        {"message": message, "next_path": next_path, "person": None},
        status_code=400,
    )
    return response
