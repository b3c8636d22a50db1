"""The simulator's in-memory state: tokens, devices' runtime state, tasks, jobs, faults, stats.

Every public method takes the lock, so concurrent requests (one event loop, or threads) see
consistent state; handlers never hold it across an `await`.
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from simulator_kit import SessionTokens, SimulatorState
from simulator_kit.network import DEVICES, Device, running_config

from .jobs import Deployment, Task

__all__ = ["CatalystCenterState", "Deployed"]


@dataclass(frozen=True, slots=True)
class Deployed:
    """A template version currently (or formerly) deployed on a device."""

    template_id: str
    template_name: str
    version: int
    versioned_template_id: str
    deployment_id: str
    params: dict[str, Any]
    rendered: str
    deployed_at_ms: int


class CatalystCenterState(SimulatorState):
    """All mutable simulator state behind one lock; `reset()` returns to the initial state."""

    def __init__(self, *, username: str, password: str, token_ttl: float, task_polls: int) -> None:
        if not username:
            raise ValueError("username must not be empty")
        if not password:
            raise ValueError("password must not be empty")
        if task_polls < 0:
            raise ValueError(f"task_polls must be >= 0, got {task_polls}")
        super().__init__(SessionTokens(token_ttl, nbytes=48))
        self.username = username
        self._password = password
        self.task_polls = task_polls
        self.devices: dict[str, Device] = {d.id: d for d in DEVICES}
        self.reset()

    def _reset(self) -> None:
        """Forget jobs, pending task faults and runtime device changes."""
        self.tasks: dict[str, Task] = {}
        self.deployments: dict[str, Deployment] = {}
        self.files: dict[str, list[dict[str, Any]]] = {}
        self.fail_next: list[str] = []
        self.hang_next = 0
        self.reachability: dict[str, bool] = {d.id: d.reachable for d in DEVICES}
        self.deployed: dict[str, dict[str, Deployed]] = {}
        self.history: dict[str, list[Deployed]] = {}
        self.cli_log: list[dict[str, str]] = []

    @staticmethod
    def now_ms() -> int:
        """Wall-clock epoch milliseconds."""
        return int(time.time() * 1000)

    # --- authentication ---------------------------------------------------------------
    def check_credentials(self, username: str, password: str) -> bool:
        """Constant-time comparison of both username and password."""
        user_ok = hmac.compare_digest(username.encode(), self.username.encode())
        pass_ok = hmac.compare_digest(password.encode(), self._password.encode())
        self.count_login(user_ok and pass_ok)
        return user_ok and pass_ok

    # --- task faults and stats ---------------------------------------------------------
    def clear_task_faults(self) -> None:
        """Drop pending fail-next / hang-next task faults."""
        with self._lock:
            self.fail_next.clear()
            self.hang_next = 0

    def task_faults(self) -> dict[str, Any]:
        """Pending task faults (the admin API's view, beside the request faults)."""
        with self._lock:
            return {"fail_next": list(self.fail_next), "hang_next": self.hang_next}

    def _stats_view(self) -> dict[str, Any]:
        """Beside the shared counters: requests by method, tasks, tokens, CLI commands."""
        return {
            "requests_by_method": self.stats.per_route(),
            "tasks_created": self.counters["tasks_created"],
            "active_tokens": self.tokens.active(),
            "cli_commands": list(self.cli_log),
        }

    # --- devices ----------------------------------------------------------------------
    def device(self, key: str) -> Device | None:
        """A device by id, management IP or hostname."""
        found = self.devices.get(key)
        return found or next((d for d in DEVICES if key in (d.ip, d.hostname)), None)

    def is_reachable(self, device: Device) -> bool:
        """Current reachability (the inventory default unless changed via the admin API)."""
        with self._lock:
            return self.reachability.get(device.id, device.reachable)

    def boot_epoch(self, device: Device) -> float:
        """When the device last booted (stable per device, relative to simulator start)."""
        index = int(device.serial[-3:])
        return self.started - (index * 3 + 5) * 86_400 - index * 3_777

    def config(self, device: Device) -> str:
        """The running-config, including the blocks of templates deployed on it."""
        with self._lock:
            blocks = [d.rendered for d in self.deployed.get(device.id, {}).values()]
        return running_config(device, blocks)

    def apply(self, device_id: str, deployed: Deployed) -> None:
        """Record a successful deployment; a re-deployed template moves to the end."""
        with self._lock:
            current = self.deployed.setdefault(device_id, {})
            current.pop(deployed.template_name, None)
            current[deployed.template_name] = deployed
            self.history.setdefault(device_id, []).append(deployed)

    # --- tasks ------------------------------------------------------------------------
    def new_task(
        self,
        service_type: str,
        running_progress: str,
        done_progress: str,
        *,
        done_data: str | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Task:
        """Create a task, consuming any pending fail-next / hang-next fault."""
        with self._lock:
            failure = self.fail_next.pop(0) if self.fail_next else None
            hang = self.hang_next > 0
            self.hang_next = max(0, self.hang_next - 1)
            task = Task(str(uuid.uuid4()), service_type, self.username, self.now_ms(),
                        self.task_polls, running_progress, done_progress, done_data, failure,
                        hang, on_done=on_done)  # fmt: skip
            self.tasks[task.id] = task
            self.counters["tasks_created"] += 1
        return task

    def poll_task(self, task_id: str) -> Task | None:
        """Observe a task (advancing it); None if unknown."""
        with self._lock:
            task = self.tasks.get(task_id)
            if task is not None:
                task.poll(self.now_ms())
            return task

    # --- deployments ------------------------------------------------------------------
    def publish_deployment(self, deployment: Deployment) -> None:
        """Make a deployment visible (its task has completed)."""
        with self._lock:
            self.deployments[deployment.id] = deployment

    def poll_deployment(self, deployment_id: str) -> Deployment | None:
        """Observe a deployment; the `needed`-th observation finishes it and applies it."""
        with self._lock:
            dep = self.deployments.get(deployment_id)
            if dep is None:
                return None
            dep.polls += 1
            if dep.done or dep.polls < dep.needed:
                return dep
            dep.end_ms = self.now_ms()
            for o in dep.outcomes:
                if o.ok and o.device_id:
                    self.apply(o.device_id, Deployed(
                        dep.template.id, dep.template.name, o.version, o.version_id,
                        dep.id, dict(o.params), o.rendered, dep.end_ms,
                    ))  # fmt: skip
            return dep

    def deployed_view(self) -> dict[str, Any]:
        """Per device: the template versions currently deployed, and the deployment history."""
        with self._lock:
            out: dict[str, Any] = {}
            for device_id, templates in self.deployed.items():
                device = self.devices[device_id]
                out[device_id] = {
                    "hostname": device.hostname,
                    "managementIpAddress": device.ip,
                    "templates": {name: asdict(d) for name, d in templates.items()},
                    "history": [asdict(d) for d in self.history.get(device_id, [])],
                }
            return out

    # --- command runner ---------------------------------------------------------------
    def log_cli(self, device: Device, command: str) -> None:
        """Remember a command sent to a device (tests assert what reached the network)."""
        with self._lock:
            self.cli_log.append({"deviceUuid": device.id, "hostname": device.hostname,
                                 "command": command})  # fmt: skip

    def publish_file(self, file_id: str, content: list[dict[str, Any]]) -> None:
        """Make a command-runner result file downloadable."""
        with self._lock:
            self.files[file_id] = content
