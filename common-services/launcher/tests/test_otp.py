"""`make otp`: the current one-time code of an MFA identity, as the dev issuer accepts it."""

from __future__ import annotations

import time

import pytest

from dev_idp import IdpServer
from platform_launcher import otp


def test_it_prints_the_code_the_issuer_expects(
    idp: IdpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert otp.main(["admin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert len(printed) == 6 and printed.isdigit()
    assert printed in {idp.otp("admin"), idp.otp("admin", at=time.time() - 30)}


@pytest.mark.parametrize("argv", [[], ["developer"], ["nobody"], ["admin", "extra"]])
def test_it_refuses_identities_without_a_second_factor(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert otp.main(argv) == 2
    assert "usage: make otp ID=<identity>" in capsys.readouterr().err
