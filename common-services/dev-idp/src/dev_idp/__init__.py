"""The development OIDC issuer standing in for Keycloak with Cisco Duo MFA (dev and tests only).

- `app.py`: the issuer as an ASGI app (discovery, JWKS, /authorize with its sign-in pages,
  token, registration, introspection, userinfo, admin mint/rotate) and `python -m dev_idp`.
- `authorization_server.py`, `grants.py`, `exchange.py`: authlib's authorization server and
  grants (code + PKCE, refresh rotation, client credentials, token exchange).
- `server.py`: `IdpServer`, the issuer on 127.0.0.1 in a background thread, with helpers
  to get tokens (tests, benchmarks); `headless.py`: sign in without a browser.
- `login.py`, `otp.py`, `clients.py`, `metadata_documents.py`, `resources.py`, `store.py`,
  `tokens.py`, `oauth.py`, `delegation.py`, `keys.py`, `identities.py`, `discovery.py`.
"""

from __future__ import annotations

from .app import create_idp_app
from .identities import DEFAULT_IDENTITIES, Identity, dev_secret, subject_for
from .keys import KeySet
from .server import IdpServer

__all__ = [
    "DEFAULT_IDENTITIES",
    "Identity",
    "IdpServer",
    "KeySet",
    "create_idp_app",
    "dev_secret",
    "subject_for",
]
