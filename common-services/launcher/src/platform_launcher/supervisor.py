"""Child processes of the local platform: start, wait until ready, watch and stop them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import httpx

__all__ = ["Supervisor", "port_busy"]


def port_busy(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Supervisor:
    """Owns named child processes and their log files (one `<name>.log` each in `log_dir`)."""

    def __init__(self, log_dir: Path | str, *, cwd: Path | str, stop_timeout: float = 8.0) -> None:
        if stop_timeout <= 0:
            raise ValueError(f"stop_timeout must be positive, got {stop_timeout}")
        self.log_dir = Path(log_dir)
        self.cwd = Path(cwd)
        self.stop_timeout = stop_timeout
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []

    def spawn(
        self,
        name: str,
        args: list[str],
        env: Mapping[str, str] | None = None,
        executable: str = sys.executable,
    ) -> subprocess.Popen[bytes]:
        """Start `executable args` in its own session, output appended to its log."""
        log = open(self.log_path(name), "ab")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        process = subprocess.Popen(
            [executable, *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=self.cwd,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def wait_http(self, name: str, url: str, timeout: float = 30.0) -> None:
        """Wait until `url` answers 200; RuntimeError if `name` exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive(name)
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.15)
        raise RuntimeError(
            f"{name} did not become ready in {timeout:.0f} s; see {self.log_path(name)}"
        )

    def wait_port(self, name: str, port: int, timeout: float = 30.0) -> None:
        """Wait until 127.0.0.1:`port` accepts connections; RuntimeError as `wait_http`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive(name)
            if port_busy(port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not listen in {timeout:.0f} s; see {self.log_path(name)}")

    def check_alive(self, name: str) -> None:
        """RuntimeError (pointing at the log) if process `name` has exited."""
        process = self.processes.get(name)
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with code {process.returncode}; see {self.log_path(name)}"
            )

    def failed(self) -> list[str]:
        """Names of processes that have exited."""
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def stop(self) -> None:
        """SIGTERM every process (last started first), kill stragglers, close logs; idempotent."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def log_path(self, name: str) -> Path:
        """The log file of process `name`."""
        return self.log_dir / f"{name}.log"
