"""A headless browser and a public client for the dev issuer's sign-in flow (tests, scripts).

`sign_in(authorization_url, username, password, otp=...)` does what a person does: opens the
authorization URL, fills in the login form (and the one-time code for an MFA identity) and
returns the URL the issuer redirects to (the client's callback with `code` and `state`, or
with `error`). An OAuth client under test gets that URL instead of a browser callback.
`PublicClient` is an MCP-style public client (registration, PKCE, code, refresh) built on it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import jwt

from .server import IdpServer

__all__ = [
    "REDIRECT_URI",
    "PublicClient",
    "SignInError",
    "fresh_code",
    "fresh_otp",
    "pkce_pair",
    "query_of",
    "sign_in",
]


class SignInError(Exception):
    """The issuer kept the browser on its pages (its message) or answered unexpectedly."""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.fields: set[str] = set()
        self.alerts: list[str] = []
        self._in_alert = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("name"):
            if a.get("type") == "hidden":
                self.hidden[a["name"]] = a.get("value", "")
            else:
                self.fields.add(a["name"])
        elif a.get("role") == "alert":
            self._in_alert = True
            self.alerts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_alert = False

    def handle_data(self, data: str) -> None:
        if self._in_alert:
            self.alerts[-1] += data


def _parse(response: httpx.Response) -> _Page:
    page = _Page()
    page.feed(response.text)
    return page


def _submit(http: httpx.Client, response: httpx.Response, fields: dict[str, str]) -> httpx.Response:
    page = _parse(response)
    if page.action is None:
        raise SignInError(
            " ".join(page.alerts) or f"no form on the page (HTTP {response.status_code})"
        )
    target = urljoin(str(response.url), page.action)
    return http.post(target, data={**page.hidden, **fields})


def sign_in(
    authorization_url: str,
    username: str,
    password: str,
    *,
    otp: Callable[[], str] | None = None,
    http: httpx.Client | None = None,
) -> str:
    """Sign in through the pages; the redirect URL the issuer answers with at the end."""
    own = http is None
    client = http or httpx.Client(timeout=10)
    try:
        response = client.get(authorization_url)
        if response.is_redirect:
            return response.headers["location"]  # an error the client hears at once
        if response.status_code != 200:
            raise SignInError(" ".join(_parse(response).alerts) or f"HTTP {response.status_code}")
        response = _submit(client, response, {"username": username, "password": password})
        if response.status_code == 200 and "otp" in _parse(response).fields:
            if otp is None:
                raise SignInError("the issuer asks for a one-time code")
            response = _submit(client, response, {"otp": otp()})
        if response.is_redirect:
            return response.headers["location"]
        raise SignInError(" ".join(_parse(response).alerts) or f"HTTP {response.status_code}")
    finally:
        if own:
            client.close()


REDIRECT_URI = "http://127.0.0.1:43210/callback"
_LAST_STEP: dict[tuple[str, str], int] = {}


def fresh_code(issuer: str, identity: str, code_at: Callable[[float], str]) -> str:
    """A one-time code of `identity` at `issuer` not yet used in this run (each is accepted
    once): the current one, else the next step's (accepted for clock drift), else wait for a
    new step. `code_at(t)` computes the code at time t (the issuer needs not be in-process:
    `dev_idp.otp.current_code(totp_secret(dev_secret(identity)), t)` for the launched one)."""
    key = (issuer, identity)
    now = time.time()
    step = max(int(now // 30), _LAST_STEP.get(key, -1) + 1)
    if step > int(now // 30) + 1:
        time.sleep(step * 30 - 30 - now + 0.1)
    _LAST_STEP[key] = step
    return code_at(step * 30)


def fresh_otp(idp: IdpServer, identity: str) -> str:
    """`fresh_code` for an identity of an in-process issuer."""
    return fresh_code(idp.url, identity, lambda at: idp.otp(identity, at=at))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class PublicClient:
    """A public MCP-style client of the issuer: registration, authorize, sign-in, token."""

    idp: IdpServer
    http: httpx.Client
    resource: str | None = None
    client_id: str = ""
    verifier: str = ""
    state: str = ""

    def register(self, **metadata: Any) -> dict[str, Any]:
        body = {
            "client_name": "test client",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "none",
            **metadata,
        }
        response = self.http.post(self.idp.endpoint("/register"), json=body)
        response.raise_for_status()
        registered: dict[str, Any] = response.json()
        self.client_id = registered["client_id"]
        return registered

    def authorize_url(self, **params: str | None) -> str:
        self.verifier, challenge = pkce_pair()
        self.state = secrets.token_urlsafe(12)
        query: dict[str, str | None] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT_URI,
            "state": self.state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "resource": self.resource,
            "scope": "openid profile",
            **params,
        }
        return (
            self.idp.endpoint("/authorize")
            + "?"
            + urlencode({k: v for k, v in query.items() if v is not None})
        )

    def sign_in(self, identity: str, url: str | None = None, **params: str | None) -> str:
        """The callback URL after `identity` signs in (with its code when it has MFA)."""
        mfa = self.idp.has_otp(identity)
        with httpx.Client(timeout=10) as browser:
            return sign_in(
                url or self.authorize_url(**params),
                identity,
                self.idp.secret(identity),
                otp=(lambda: fresh_otp(self.idp, identity)) if mfa else None,
                http=browser,
            )

    def code(self, identity: str, **params: str | None) -> str:
        callback = self.sign_in(identity, **params)
        query = query_of(callback)
        if query.get("state") != self.state or "code" not in query:
            raise SignInError(f"no code in the callback: {query.get('error', query)}")
        return query["code"]

    def redeem(self, code: str, **form: str | None) -> httpx.Response:
        data: dict[str, str | None] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": self.client_id,
            "code_verifier": self.verifier,
            "resource": self.resource,
            **form,
        }
        return self.http.post(
            self.idp.endpoint("/token"), data={k: v for k, v in data.items() if v is not None}
        )

    def tokens(self, identity: str, **params: str | None) -> dict[str, Any]:
        response = self.redeem(self.code(identity, **params))
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def refresh(self, refresh_token: str, **form: str) -> httpx.Response:
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.client_id,
            **form,
        }
        return self.http.post(self.idp.endpoint("/token"), data=data)

    def claims(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """Verified like a resource server does: JWKS key, signature, issuer, audience."""
        key = jwt.PyJWKClient(self.idp.jwks_uri).get_signing_key_from_jwt(token)
        decoded: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=audience or self.resource or self.idp.audience,
            issuer=self.idp.issuer,
        )
        return decoded
