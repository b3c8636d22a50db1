"""Workload "on behalf of" tokens: a workload client names the person it acts for; we sign it.

Trust model: only a client registered as a workload (a service account such as the Temporal
worker) may ask, and only for a person this issuer knows. The token stays the workload's own
(its `sub`, groups and MFA), so policy decides on the workload's rights; the person goes in
the `on_behalf_of` claim for audit and for policies that require a person behind automation.
The workload is trusted to name the right person: the service that started the work verified
that person's own token at the time (see temporal-service/README.md). The token also names
the workload in `act` (set by the issuer). Superseded by token exchange (`exchange.py`),
which carries the person's own identity; kept until the worker has moved to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .identities import Identity
from .oauth import OAuthError

__all__ = ["ON_BEHALF_OF_CLAIM", "REQUEST_FIELD", "delegation_claims"]

# The form field of the token request, and the claim it becomes.
REQUEST_FIELD = "requested_on_behalf_of"
ON_BEHALF_OF_CLAIM = "on_behalf_of"
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$")


def delegation_claims(
    form: Mapping[str, str], client: Identity, identities: Mapping[str, Identity]
) -> dict[str, str]:
    """Claims to add (`on_behalf_of`), `{}` when not asked; OAuthError when refused."""
    if REQUEST_FIELD not in form:
        return {}
    subject = form[REQUEST_FIELD].strip()
    if not client.workload:
        # A person's client must not mint tokens that name someone else.
        raise OAuthError(
            400, "unauthorized_client", f"only workload clients may send {REQUEST_FIELD}"
        )
    if not _SUBJECT.match(subject):
        raise OAuthError(400, "invalid_request", f"{REQUEST_FIELD} must be a subject identifier")
    person = next((i for i in identities.values() if i.subject == subject), None)
    if person is None or person.workload:
        # Fail closed: a workload may act for a known person only, never for another workload.
        raise OAuthError(400, "invalid_request", f"{REQUEST_FIELD} names no known person")
    return {ON_BEHALF_OF_CLAIM: subject}
