"""Worker processes: several uvicorn workers on one socket, each building its own server.

uvicorn starts workers as fresh interpreters (spawn), so each needs an importable factory:
`worker_app` (in `_declaration`) reads which server to build from `MCP_SERVER_SPEC`
("module:attribute" of a `ServerSpec`, `spec_named`), set by `serve` before the workers
start, and builds it from the same environment. Metrics are counted per process into
`PROMETHEUS_MULTIPROC_DIR`, which must be set before any worker imports prometheus_client
(`prepare_metrics_dir`).
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SPEC_ENV", "prepare_metrics_dir", "spec_location", "spec_named"]

SPEC_ENV = "MCP_SERVER_SPEC"
_METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def spec_location(spec: Any) -> str:
    """`module:attribute` where `spec` is importable (for the worker processes)."""
    for name, module in list(sys.modules.items()):
        if module is None or name.startswith(("_", "mcp_common")) or name == "__main__":
            continue
        for attribute in ("SERVER", "SPEC"):
            if getattr(module, attribute, None) is spec:
                return f"{name}:{attribute}"
    raise ValueError("workers > 1 need the ServerSpec importable as <module>.SERVER (none found)")


def prepare_metrics_dir(service: str) -> Path:
    """An empty per-service PROMETHEUS_MULTIPROC_DIR, set in the environment for the workers.

    An operator's value (compose, Kubernetes: an emptyDir) is kept and emptied at start, as
    prometheus_client requires; otherwise one is made under the temporary directory.
    """
    configured = os.environ.get(_METRICS_ENV)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", service) or "mcp"
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / f"prometheus-{safe}"
    if path.exists():
        for child in path.iterdir():  # stale counts of a previous run
            if child.is_file() and child.suffix == ".db":
                child.unlink()
            elif child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ[_METRICS_ENV] = str(path)
    return path


def spec_named() -> Any:
    """The `ServerSpec` that MCP_SERVER_SPEC names (in a worker process)."""
    location = os.environ.get(SPEC_ENV, "")
    module_name, _, attribute = location.partition(":")
    if not module_name or not attribute:
        raise RuntimeError(f"{SPEC_ENV} must be 'module:attribute', got {location!r}")
    return getattr(importlib.import_module(module_name), attribute)
