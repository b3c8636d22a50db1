"""The second factor of the dev issuer (the Cisco Duo stand-in): TOTP (RFC 6238) via pyotp.

Each MFA identity has a TOTP secret: configured, or derived from its dev secret (so
`make otp ID=<identity>` can print the current code without asking the running issuer).
A code is accepted once: replaying an accepted code in its window is refused.

    python -m dev_idp.otp admin        # the current code of `admin` (default dev secret)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import sys
import threading
import time
from collections.abc import Mapping, Sequence

import pyotp

from .identities import DEFAULT_IDENTITIES, Identity, dev_secret

__all__ = ["TotpCheck", "current_code", "main", "secrets_for", "totp_secret"]

_DERIVATION_KEY = b"dev-idp totp v1"


def totp_secret(client_secret: str) -> str:
    """The base32 TOTP secret derived from an identity's (dev) secret: stable, never random."""
    digest = hmac.new(_DERIVATION_KEY, client_secret.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def current_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code of a base32 TOTP secret now (or at `at`)."""
    return str(pyotp.TOTP(secret).at(int(at if at is not None else time.time())))


class TotpCheck:
    """Verifies one-time codes per identity; each accepted time step is usable once."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        for name, secret in secrets.items():
            try:
                pyotp.TOTP(secret).now()
            except Exception as exc:  # pyotp raises binascii/ValueError on bad base32
                raise ValueError(f"TOTP secret of {name!r} is not valid base32") from exc
        self._secrets = dict(secrets)
        self._last_step: dict[str, int] = {}
        self._lock = threading.Lock()

    def has_factor(self, name: str) -> bool:
        return name in self._secrets

    def verify(self, name: str, code: str) -> bool:
        """True once for a current code (one step of clock drift either way)."""
        secret = self._secrets.get(name)
        code = code.strip().replace(" ", "")
        if secret is None or not (len(code) == 6 and code.isdigit()):
            return False
        totp = pyotp.TOTP(secret)
        now = time.time()
        for drift in (0, -1, 1):
            at = int(now) + drift * totp.interval
            if hmac.compare_digest(str(totp.at(at)), code):
                step = at // totp.interval
                with self._lock:
                    if step <= self._last_step.get(name, -1):
                        return False  # replay of an accepted code
                    self._last_step[name] = step
                return True
        return False


def secrets_for(
    identities: Mapping[str, Identity],
    client_secrets: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """TOTP secret per MFA identity: configured, else derived from its client secret."""
    secrets = {name: totp_secret(client_secrets[name]) for name, i in identities.items() if i.mfa}
    for name, secret in (overrides or {}).items():
        if name not in secrets:
            raise ValueError(f"TOTP secret given for {name!r}, which is not an MFA identity")
        secrets[name] = secret
    return secrets


def main(argv: Sequence[str] | None = None) -> int:
    """Print the current one-time code of an MFA identity."""
    mfa = [i.name for i in DEFAULT_IDENTITIES if i.mfa]
    parser = argparse.ArgumentParser(prog="python -m dev_idp.otp", description=main.__doc__)
    parser.add_argument("identity", help=f"one of {', '.join(mfa)}")
    parser.add_argument("--secret", help="the identity's client secret (default: dev secret)")
    args = parser.parse_args(argv)
    if args.identity not in mfa:
        print(f"{args.identity!r} has no second factor; MFA identities: {', '.join(mfa)}",
              file=sys.stderr)  # fmt: skip
        return 2
    print(current_code(totp_secret(args.secret or dev_secret(args.identity))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
