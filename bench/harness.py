"""What every benchmark needs around the thing it measures: free ports, child processes, waits."""

from __future__ import annotations

import os
import subprocess
import time

import httpx

from simulator_kit.serve import free_port, free_ports

__all__ = ["free_port", "free_ports", "spawn", "wait_http"]


def spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A child process with its output discarded."""
    return subprocess.Popen(
        args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_http(url: str, timeout: float = 120.0, ok: tuple[int, ...] = (200,)) -> None:
    """Wait until `url` answers one of `ok` (RuntimeError when it never does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code in ok:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")
