"""`make otp ID=<identity>`: print the current one-time code of an MFA demo identity.

The dev issuer's second factor (the Cisco Duo stand-in) is TOTP; each MFA identity's secret
derives from its dev secret, the same one `make up` prints as its password, so the code can
be computed here without asking the running issuer.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from dev_idp.identities import DEFAULT_IDENTITIES, dev_secret
from dev_idp.otp import current_code, totp_secret

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the current code for one MFA identity."""
    args = [a for a in (sys.argv[1:] if argv is None else argv) if a]
    mfa = [i.name for i in DEFAULT_IDENTITIES if i.mfa]
    if len(args) != 1 or args[0] not in mfa:
        print(f"usage: make otp ID=<identity>; MFA identities: {', '.join(mfa)}", file=sys.stderr)
        return 2
    print(current_code(totp_secret(dev_secret(args[0]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
