"""/authorize: the sign-in pages of the dev issuer (password, then a one-time code for MFA).

GET /authorize validates the authorization request with authlib (client, redirect URI,
PKCE, resource); a request that cannot be answered at its redirect URI gets an error page,
one that can gets the error there. A valid request starts a login transaction: server-side
state (the authorization request, a CSRF token, the stage) bound to a browser cookie. The
forms post the transaction id and its CSRF token (never a secret in a URL). After the
password, an MFA identity gets a TOTP step; then authlib issues the code and redirects.
`amr` records what happened: ["pwd"] or ["pwd", "otp", "mfa"].
"""

from __future__ import annotations

import hmac
import html
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .authorization_server import IdpAuthorizationServer
from .identities import Identity
from .oauth import FormRequest, read_form, read_query
from .otp import TotpCheck
from .store import SignIn

__all__ = ["LOGIN_TTL", "MAX_ATTEMPTS", "LoginPages"]

log = logging.getLogger("dev_idp")

LOGIN_TTL = 600
MAX_ATTEMPTS = 5
_COOKIE = "dev_idp_browser"
_MAX_TRANSACTIONS = 10_000
_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(slots=True)
class _Transaction:
    id: str
    csrf: str
    browser: str
    params: dict[str, str]
    client_name: str
    stage: str = "password"  # password | otp
    identity: Identity | None = None
    attempts: int = 0
    expires_at: float = field(default_factory=lambda: time.time() + LOGIN_TTL)


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}label{display:block;margin-top:.8rem;font-weight:600}
input{width:100%;padding:.45rem;margin-top:.2rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#a00;font-weight:600}
.hint{color:#555;font-size:.9rem}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def error_page(message: str, status: int = 400) -> HTMLResponse:
    """An error that cannot go back to the client (unknown client, bad redirect URI...)."""
    body = f'<p class="error" role="alert">{html.escape(message)}</p>'
    body += '<p class="hint">Start again from your application.</p>'
    return _page("Sign-in failed", body, status)


class LoginPages:
    """GET and POST /authorize."""

    def __init__(
        self,
        server: IdpAuthorizationServer,
        identities: Mapping[str, Identity],
        passwords: Mapping[str, str],
        totp: TotpCheck,
        *,
        cookie_path: str,
        secure_cookie: bool,
    ) -> None:
        self.server, self.identities, self.passwords, self.totp = (
            server, identities, passwords, totp,
        )  # fmt: skip
        self.cookie_path, self.secure_cookie = cookie_path or "/", secure_cookie
        self._transactions: dict[str, _Transaction] = {}
        self._lock = threading.Lock()

    async def authorize(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._start(request)
        return await self._continue(request)

    # -- GET: validate the request, start a transaction ------------------------------------

    async def _start(self, request: Request) -> Response:
        try:
            params = read_query(request)
        except OAuth2Error as exc:
            return error_page(exc.description)
        oauth_request = FormRequest.of(request, params)
        try:
            grant = await run_in_threadpool(self.server.get_consent_grant, oauth_request)
        except OAuth2Error as exc:
            if exc.redirect_uri:  # the client may hear about it (RFC 6749 4.1.2.1)
                return self._with_issuer(self.server.handle_error_response(oauth_request, exc))
            return error_page(exc.get_error_description() or exc.error)
        browser = request.cookies.get(_COOKIE) or secrets.token_urlsafe(24)
        client = grant.client
        txn = _Transaction(
            id=secrets.token_urlsafe(24),
            csrf=secrets.token_urlsafe(24),
            browser=browser,
            params=params,
            client_name=client.name or client.client_id,
        )
        with self._lock:
            self._prune()
            self._transactions[txn.id] = txn
        response = self._password_form(txn)
        response.set_cookie(
            _COOKIE,
            browser,
            max_age=LOGIN_TTL,
            path=self.cookie_path,
            secure=self.secure_cookie,
            httponly=True,
            samesite="lax",
        )
        return response

    # -- POST: one step of a transaction ---------------------------------------------------

    async def _continue(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except OAuth2Error as exc:
            return error_page(exc.description)
        with self._lock:
            txn = self._transactions.get(form.get("txn", ""))
        browser = request.cookies.get(_COOKIE, "")
        if (
            txn is None
            or txn.expires_at <= time.time()
            or not hmac.compare_digest(txn.csrf.encode(), form.get("csrf", "").encode())
            or not hmac.compare_digest(txn.browser.encode(), browser.encode())
        ):
            return error_page("This sign-in has expired or is not valid in this browser.")
        if "cancel" in form:
            return await self._finish(txn, None)
        if txn.stage == "password":
            return await self._password_step(txn, form)
        return await self._otp_step(txn, form)

    async def _password_step(self, txn: _Transaction, form: Mapping[str, str]) -> Response:
        username, password = form.get("username", "").strip(), form.get("password", "")
        identity = self.identities.get(username)
        expected = self.passwords.get(username, "")
        matches = hmac.compare_digest(expected.encode(), password.encode())
        if identity is None or identity.workload or not (matches and expected):
            log.warning("sign-in failed", extra={"user.name": username[:64]})
            return await self._failed(txn, self._password_form, "Wrong username or password.")
        txn.identity, txn.attempts = identity, 0
        if identity.mfa and self.totp.has_factor(identity.name):
            txn.stage = "otp"
            return self._otp_form(txn)
        return await self._finish(txn, SignIn(identity, ("pwd",), "1", int(time.time())))

    async def _otp_step(self, txn: _Transaction, form: Mapping[str, str]) -> Response:
        assert txn.identity is not None
        if not await run_in_threadpool(self.totp.verify, txn.identity.name, form.get("otp", "")):
            log.warning("one-time code refused", extra={"user.name": txn.identity.name})
            return await self._failed(txn, self._otp_form, "Wrong or already used code.")
        sign_in = SignIn(txn.identity, ("pwd", "otp", "mfa"), "mfa", int(time.time()))
        return await self._finish(txn, sign_in)

    async def _failed(self, txn: _Transaction, form: Any, message: str) -> Response:
        txn.attempts += 1
        if txn.attempts >= MAX_ATTEMPTS:
            return await self._finish(txn, None)  # access_denied to the client
        response: Response = form(txn, message)
        return response

    async def _finish(self, txn: _Transaction, sign_in: SignIn | None) -> Response:
        """Issue the code (or access_denied) at the client's redirect URI; end the transaction."""
        with self._lock:
            self._transactions.pop(txn.id, None)
        oauth_request = FormRequest("GET", "http://127.0.0.1/authorize", {}, txn.params, {})

        def respond() -> Response:
            try:
                grant = self.server.get_consent_grant(oauth_request)
            except OAuth2Error as exc:  # the client's registration changed meanwhile
                if exc.redirect_uri:
                    return self.server.handle_error_response(oauth_request, exc)  # type: ignore[no-any-return]
                return error_page(exc.get_error_description() or exc.error)
            return self.server.create_authorization_response(  # type: ignore[no-any-return]
                oauth_request, grant_user=sign_in, grant=grant
            )

        response = self._with_issuer(await run_in_threadpool(respond))
        if sign_in is not None:
            log.info(
                "signed in",
                extra={"user.name": sign_in.identity.name, "auth.amr": list(sign_in.amr)},
            )
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def _with_issuer(self, response: Response) -> Response:
        """RFC 9207: every authorization response (errors too) names the issuer in `iss`."""
        location = response.headers.get("location")
        if location:
            response.headers["location"] = add_params_to_uri(
                location, {"iss": self.server.tokens.issuer}
            )
        return response

    # -- pages -----------------------------------------------------------------------------

    def _hidden(self, txn: _Transaction) -> str:
        return (
            f'<input type="hidden" name="txn" value="{html.escape(txn.id)}">'
            f'<input type="hidden" name="csrf" value="{html.escape(txn.csrf)}">'
        )

    def _error(self, message: str | None) -> str:
        return f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""

    def _password_form(self, txn: _Transaction, error: str | None = None) -> HTMLResponse:
        people = ", ".join(n for n, i in self.identities.items() if not i.workload)
        resource = txn.params.get("resource")
        target = f" for <code>{html.escape(resource)}</code>" if resource else ""
        body = (
            f"<p><strong>{html.escape(txn.client_name)}</strong> asks to act as you{target}.</p>"
            f"{self._error(error)}"
            f'<form method="post" action="authorize">{self._hidden(txn)}'
            '<label for="username">Username</label>'
            '<input id="username" name="username" autocomplete="username" required autofocus>'
            '<label for="password">Password</label>'
            '<input id="password" name="password" type="password" '
            'autocomplete="current-password" required>'
            '<button type="submit" name="login" value="1">Sign in</button> '
            '<button type="submit" name="cancel" value="1" formnovalidate>Cancel</button>'
            "</form>"
            f'<p class="hint">Development issuer. Demo users: {html.escape(people)}; the '
            "password is the user's dev secret printed by <code>make up</code>.</p>"
        )
        return _page("Sign in", body)

    def _otp_form(self, txn: _Transaction, error: str | None = None) -> HTMLResponse:
        assert txn.identity is not None
        body = (
            f"<p>Signed in as <strong>{html.escape(txn.identity.name)}</strong>. "
            "Enter the code from your authenticator (Duo stand-in).</p>"
            f"{self._error(error)}"
            f'<form method="post" action="authorize">{self._hidden(txn)}'
            '<label for="otp">One-time code</label>'
            '<input id="otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" '
            'autocomplete="one-time-code" required autofocus>'
            '<button type="submit" name="verify" value="1">Verify</button> '
            '<button type="submit" name="cancel" value="1" formnovalidate>Cancel</button>'
            "</form>"
            f'<p class="hint">The current code: <code>make otp ID={html.escape(txn.identity.name)}'
            "</code>.</p>"
        )
        return _page("Second factor", body)

    def _prune(self) -> None:
        now = time.time()
        if len(self._transactions) > _MAX_TRANSACTIONS // 2:
            self._transactions = {k: t for k, t in self._transactions.items() if t.expires_at > now}
        if len(self._transactions) >= _MAX_TRANSACTIONS:
            self._transactions.pop(next(iter(self._transactions)))
