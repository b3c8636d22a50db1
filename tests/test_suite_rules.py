"""Rules the root conftest imposes on the whole suite, run on a small suite of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SUITE = """
import pytest


def test_needs_redis_and_skips(redis_url):
    pytest.skip("pretend Redis is optional")


def test_skips_without_redis():
    pytest.skip("nothing to do here")
"""


def test_a_test_that_needs_redis_fails_when_it_would_be_skipped(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makepyfile(test_suite=SUITE)
    run = pytester.runpytest(
        "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    run.assert_outcomes(failed=1, skipped=1)
    run.stdout.fnmatch_lines(
        ["*needs Redis and must not be skipped (Skipped: pretend Redis is optional)*"]
    )
