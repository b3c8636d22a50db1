"""Rules the root conftest imposes on the whole suite, run on a small suite of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SUITE = """
import pytest


def test_needs_redis_and_skips(redis_url):
    pytest.skip("pretend Redis is optional")


def test_skips_without_redis():
    pytest.skip("nothing to do here")
"""


def test_a_test_that_needs_redis_fails_when_it_would_be_skipped(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    (tmp_path / "test_suite.py").write_text(SUITE)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", str(tmp_path),
         "-o", "asyncio_default_fixture_loop_scope=function"],
        cwd=tmp_path, env={**os.environ, "COLUMNS": "300"}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout
    assert "1 failed, 1 skipped" in run.stdout
    assert "needs Redis and must not be skipped (Skipped: pretend Redis is optional)" in run.stdout
