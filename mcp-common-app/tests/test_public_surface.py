"""mcp_common's public face: one package per concern, internals private and fenced off by lint."""

from __future__ import annotations

import importlib
import tomllib
from inspect import ismodule
from pathlib import Path
from types import ModuleType

import pytest

import mcp_common

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mcp-common-app" / "src" / "mcp_common"
CONCERNS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
PRIVATE_MODULES = sorted(
    f"mcp_common.{p.parent.name}.{p.stem}" for p in PACKAGE.glob("*/_*.py") if p.stem != "__init__"
)
# Plumbing shared by several concerns (e.g. `_redis`): private, and part of no face.
SHARED_MODULES = sorted(
    f"mcp_common.{p.stem}" for p in PACKAGE.glob("_*.py") if p.stem != "__init__"
)


def _banned_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"])


def test_the_concerns_are_the_documented_ones() -> None:
    assert CONCERNS == [
        "auth", "client", "http", "network", "observability", "policy", "secrets", "server",
        "tasks",
    ]  # fmt: skip


def test_every_private_module_is_banned_outside_mcp_common() -> None:
    # ruff's TID251 refuses any import of these outside mcp-common-app; a new private module
    # that is not listed would be importable by consumers, so the list must stay complete.
    assert _banned_modules() == set(PRIVATE_MODULES) | set(SHARED_MODULES)


@pytest.mark.parametrize("module", SHARED_MODULES)
def test_shared_plumbing_declares_its_names_and_no_face_offers_them(module: str) -> None:
    shared = importlib.import_module(module)
    assert isinstance(shared.__all__, list), f"{module} has no __all__"
    faces = [mcp_common, *(importlib.import_module(f"mcp_common.{c}") for c in CONCERNS)]
    for package in faces:
        offered = {getattr(package, name, None) for name in face(package)}
        assert not offered & {getattr(shared, name) for name in shared.__all__}, package.__name__


def test_the_lint_rule_is_on_and_only_mcp_common_may_use_its_internals() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "TID251" in lint["select"]
    exempt = [glob for glob, rules in lint["per-file-ignores"].items() if "TID251" in rules]
    assert exempt == ["mcp-common-app/**"]


def face(package: ModuleType) -> set[str]:
    """What `from <package> import *` gives: the public names it binds (its modules' `__all__`)."""
    return {n for n, v in vars(package).items() if not n.startswith("_") and not ismodule(v)}


@pytest.mark.parametrize("module", PRIVATE_MODULES)
def test_each_private_module_declares_its_public_names_and_its_concern_exports_them(
    module: str,
) -> None:
    # A module without __all__ would leak every name it imports through its concern's `*`.
    private = importlib.import_module(module)
    public = importlib.import_module(module.rsplit(".", 1)[0])
    assert isinstance(private.__all__, list), f"{module} has no __all__"
    for name in private.__all__:
        assert name in face(public), f"{module}.{name} is not exported by {public.__name__}"
        assert getattr(public, name) is getattr(private, name)


@pytest.mark.parametrize("concern", CONCERNS)
def test_each_concern_has_a_docstring_and_exports_exactly_its_modules_names(concern: str) -> None:
    package = importlib.import_module(f"mcp_common.{concern}")
    assert package.__doc__
    declared = {
        name
        for module in PRIVATE_MODULES
        if module.startswith(f"{package.__name__}.")
        for name in importlib.import_module(module).__all__
    }
    assert face(package) == declared


def test_the_top_level_face_re_exports_the_names_every_server_needs() -> None:
    for name in mcp_common.__all__:
        assert hasattr(mcp_common, name)
    assert {"create_server", "Toolset", "tool", "Principal", "load_settings"} <= set(
        mcp_common.__all__
    )
