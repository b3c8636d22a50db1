"""The second factor: TOTP secrets derived from dev secrets, codes accepted once."""

from __future__ import annotations

import time

import pyotp
import pytest

from dev_idp.identities import DEFAULT_IDENTITIES, identity_map
from dev_idp.otp import TotpCheck, current_code, main, secrets_for, totp_secret


def test_the_secret_is_derived_deterministically_and_differs_per_identity() -> None:
    assert totp_secret("admin-secret") == totp_secret("admin-secret")
    assert totp_secret("admin-secret") != totp_secret("service-desk-secret")
    assert len(totp_secret("x")) == 32  # 160 bits, base32


def test_a_current_code_is_accepted_once() -> None:
    check = TotpCheck({"admin": totp_secret("admin-secret")})
    code = current_code(totp_secret("admin-secret"))
    assert check.verify("admin", code)
    assert not check.verify("admin", code)


def test_one_step_of_clock_drift_is_tolerated_two_are_not() -> None:
    secret = totp_secret("s")
    check = TotpCheck({"p": secret})
    assert not check.verify("p", current_code(secret, time.time() - 65))
    assert check.verify("p", current_code(secret, time.time() - 30))
    assert check.verify("p", current_code(secret, time.time()))
    # An older code after a newer one was accepted is a replay of the window.
    assert not check.verify("p", current_code(secret, time.time() - 30))


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "000000"])
def test_malformed_or_wrong_codes_are_refused(code: str) -> None:
    assert not TotpCheck({"p": totp_secret("s")}).verify("p", code)


def test_unknown_identities_have_no_factor() -> None:
    check = TotpCheck({})
    assert not check.has_factor("admin")
    assert not check.verify("admin", "123456")


def test_mfa_identities_get_a_secret_unless_configured() -> None:
    identities = identity_map(DEFAULT_IDENTITIES)
    secrets = {name: f"{name}-secret" for name in identities}
    derived = secrets_for(identities, secrets)
    assert set(derived) == {"admin", "network-engineer-mfa", "service-desk"}
    configured = pyotp.random_base32()
    assert secrets_for(identities, secrets, {"admin": configured})["admin"] == configured
    with pytest.raises(ValueError, match="not an MFA identity"):
        secrets_for(identities, secrets, {"developer": configured})
    with pytest.raises(ValueError, match="base32"):
        TotpCheck({"admin": "not base32!"})


def test_the_command_prints_the_current_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin"]) == 0
    assert capsys.readouterr().out.strip() == current_code(totp_secret("admin-secret"))
    assert main(["developer"]) == 2
    assert "no second factor" in capsys.readouterr().err
