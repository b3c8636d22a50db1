"""Demo identities of the dev issuer: one OAuth client per identity, groups and MFA per person."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "DEFAULT_IDENTITIES",
    "Identity",
    "client_secrets_for",
    "dev_secret",
    "identity_map",
    "subject_for",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# Fixed namespace so a demo identity keeps the same `sub` across runs and machines.
_SUBJECT_NAMESPACE = uuid.UUID("6f1c1f3e-5d0a-4c1e-9a57-3d2b8f0e7a11")


def subject_for(name: str) -> str:
    """The stable `sub` of a demo identity: a UUID, as Keycloak issues, derived from the name."""
    return str(uuid.uuid5(_SUBJECT_NAMESPACE, name))


def dev_secret(name: str) -> str:
    """The documented development client secret of an identity: `<name>-secret`."""
    return f"{name}-secret"


@dataclass(frozen=True, slots=True)
class Identity:
    """A demo caller: client_id == name; `mfa` marks a Cisco Duo second factor in amr/acr."""

    name: str
    subject: str
    groups: tuple[str, ...]
    mfa: bool
    email: str
    description: str
    # A machine identity (service account), not a person.
    workload: bool = False
    # A workload allowed to exchange a person's token for one naming it as actor (RFC 8693).
    may_exchange: bool = False
    # A web app people sign in to (authorization code + PKCE): its redirect URIs. A
    # loopback http URI matches any port (RFC 8252 7.3), so tests on free ports work.
    redirect_uris: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"identity name must match {_NAME.pattern}, got {self.name!r}")
        if not self.subject:
            raise ValueError(f"identity {self.name!r} needs a non-empty subject")
        if isinstance(self.groups, str) or not all(isinstance(g, str) and g for g in self.groups):
            raise ValueError(f"identity {self.name!r}: groups must be a tuple of non-empty strings")
        if "@" not in self.email:
            raise ValueError(f"identity {self.name!r}: email must contain '@', got {self.email!r}")
        if self.may_exchange and not self.workload:
            raise ValueError(f"identity {self.name!r}: only workloads may exchange tokens")


def _identity(
    name: str,
    groups: tuple[str, ...],
    mfa: bool,
    description: str,
    *,
    workload: bool = False,
    may_exchange: bool = False,
    redirect_uris: tuple[str, ...] = (),
) -> Identity:
    return Identity(
        name=name,
        subject=subject_for(name),
        groups=groups,
        mfa=mfa,
        email=f"{name}@example.com",
        description=description,
        workload=workload,
        may_exchange=may_exchange,
        redirect_uris=redirect_uris,
    )


DEFAULT_IDENTITIES: tuple[Identity, ...] = (
    _identity("admin", ("admin",), True, "Platform administrator, Duo MFA"),
    _identity("network-engineer", ("network-engineers",), False, "Network engineer, no MFA"),
    _identity(
        "network-engineer-mfa", ("network-engineers",), True, "Network engineer with Duo MFA"
    ),
    _identity("service-desk", ("service-desk",), True, "Service desk agent, Duo MFA"),
    _identity("developer", ("developers",), False, "Developer, no MFA"),
    _identity(
        "temporal-worker",
        ("automation",),
        False,
        "Workload identity of the Temporal worker",
        workload=True,
        may_exchange=True,
    ),
    _identity(
        "mcp-console",
        ("automation",),
        False,
        "Operator console (people sign in to it; it exchanges their tokens per server)",
        workload=True,
        may_exchange=True,
        redirect_uris=("http://127.0.0.1/auth/callback", "http://localhost/auth/callback"),
    ),
    _identity(
        "rest-api-proxy",
        ("automation",),
        False,
        "Workload identity of the REST API proxy",
        workload=True,
        may_exchange=True,
    ),
)


def identity_map(identities: Iterable[Identity]) -> Mapping[str, Identity]:
    """Index identities by name; duplicate names are a configuration error."""
    by_name: dict[str, Identity] = {}
    for identity in identities:
        if not isinstance(identity, Identity):
            raise ValueError(f"expected Identity, got {type(identity).__name__}")
        if identity.name in by_name:
            raise ValueError(f"duplicate identity name {identity.name!r}")
        by_name[identity.name] = identity
    if not by_name:
        raise ValueError("at least one identity is required")
    return by_name


def client_secrets_for(
    identities: Mapping[str, Identity], overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Client secret per identity: `dev_secret(name)` unless overridden."""
    secrets = {name: dev_secret(name) for name in identities}
    for name, secret in (overrides or {}).items():
        if name not in identities:
            raise ValueError(f"client secret given for unknown identity {name!r}")
        if not isinstance(secret, str) or not secret:
            raise ValueError(f"client secret for {name!r} must be a non-empty string")
        secrets[name] = secret
    return secrets
