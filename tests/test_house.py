"""The house rules, read from the code: import contracts over every package, no giant.

The import contracts themselves live in the root `pyproject.toml` (`[tool.importlinter]`)
and run in `make lint`; here they are checked to cover every package and to hold.
"""

from __future__ import annotations

import subprocess
import tomllib
from collections import Counter
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def source_files() -> list[Path]:
    """The tracked Python files of every package's `src/` (tests excluded)."""
    listed = subprocess.run(
        ["git", "ls-files", "*/src/*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed]


def package_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix().split("/src/", 1)[1].split("/")[0]


def test_every_package_is_under_the_import_contracts() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {package_of(path) for path in source_files() if path.name == "__init__.py"}
    assert set(config["root_packages"]) == packages
    acyclic = [c for c in config["contracts"] if c["type"] == "acyclic_siblings"]
    assert [set(c["ancestors"]) for c in acyclic] == [packages]


def test_the_import_contracts_hold() -> None:
    assert lint_imports(str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_no_package_holds_more_than_a_quarter_of_the_source_lines() -> None:
    lines = Counter[str]()
    for path in source_files():
        lines[package_of(path)] += len(path.read_text().splitlines())
    total = sum(lines.values())
    largest, size = lines.most_common(1)[0]
    assert size / total <= 0.25, f"{largest}: {size / total:.0%} of {total} lines"
