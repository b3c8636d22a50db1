"""The simulator's in-memory state: tokens, exec requests, faults and stats, behind one lock."""

from __future__ import annotations

import hmac
import time
import uuid
from functools import partial
from typing import Any

from simulator_kit import SessionTokens, SimulatorState
from simulator_kit.network import DEVICES, Device, ports_for, running_config

from .devices import device_index
from .jobs import DeviceRun, ExecJob
from .terminal import Session

__all__ = ["RadkitState"]

_LOG_LIMIT = 500
_JOB_LIMIT = 1000


class RadkitState(SimulatorState):
    """One RADKit Service (its serial, its enrolled client, its devices) and the relay's tokens."""

    def __init__(
        self,
        *,
        service_id: str,
        client_id: str,
        client_secret: str,
        token_ttl: float = 3600.0,
        exec_polls: int = 2,
        version: str = "1.9.9",
    ) -> None:
        if not service_id:
            raise ValueError("service_id must not be empty")
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must not be empty")
        if exec_polls < 1:
            raise ValueError(f"exec_polls must be >= 1, got {exec_polls}")
        super().__init__(SessionTokens(token_ttl))
        self.service_id = service_id
        self.client_id = client_id
        self._secret = client_secret
        self.exec_polls = exec_polls
        self.version = version
        self.devices: dict[str, Device] = {d.hostname: d for d in DEVICES}
        self.reset()

    def _reset(self) -> None:
        """Forget exec requests, pending hangs and the command log."""
        self.jobs: dict[str, ExecJob] = {}
        self.hang_next = 0
        self.command_log: list[dict[str, str]] = []

    # --- authentication ---------------------------------------------------------------
    def authenticate(self, service_id: str, client_id: str, client_secret: str) -> int:
        """200, 401 (client credentials wrong) or 404 (no such service); counted in stats."""
        id_ok = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), self._secret.encode())
        status = 401 if not (id_ok and secret_ok) else 404 if service_id != self.service_id else 200
        self.count_login(status == 200)
        return status

    # --- requests, faults, stats ------------------------------------------------------
    def hang(self, count: int) -> int:
        """The next `count` exec requests never complete; how many are now pending."""
        with self._lock:
            self.hang_next += count
            return self.hang_next

    def _stats_view(self) -> dict[str, Any]:
        """Beside the shared counters: exec requests and the commands run."""
        return {
            "exec_requests": self.counters["exec_requests"],
            "commands_run": self.counters["commands_run"],
            "command_log": list(self.command_log),
        }

    # --- exec -------------------------------------------------------------------------
    def _session(self, device: Device, reachable_ips: frozenset[str]) -> Session:
        i = device_index(device)
        booted = self.started - (i * 3 + 5) * 86_400 - i * 3_777
        return Session(device, partial(running_config, device), time.time() - booted, reachable_ips)

    def start_exec(self, names: list[str], commands: list[str], timeout: float) -> ExecJob:
        """Run the commands on each reachable device now; outputs show on later polls."""
        reachable_ips = frozenset(
            p.ipv4 for d in DEVICES if d.reachable for p in ports_for(d) if p.ipv4
        )
        runs = []
        with self._lock:
            for name in names:
                device = self.devices[name]
                outputs: dict[str, tuple[str, str]] = {}
                if device.reachable:
                    session = self._session(device, reachable_ips)
                    for command in commands:
                        outputs[command] = session.run(command)
                        self.counters["commands_run"] += 1
                        self.command_log.append({"device": name, "command": command})
                runs.append(DeviceRun(name, device.ip, device.reachable, outputs))
            del self.command_log[:-_LOG_LIMIT]
            job = ExecJob(
                id=str(uuid.uuid4()),
                service_id=self.service_id,
                client_id=self.client_id,
                commands=list(dict.fromkeys(commands)),
                timeout=timeout,
                created=time.monotonic(),
                sent_epoch=time.time(),
                polls_needed=self.exec_polls,
                runs=runs,
                hang=self.hang_next > 0,
            )
            self.hang_next = max(0, self.hang_next - 1)
            self.counters["exec_requests"] += 1
            self.jobs[job.id] = job
            while len(self.jobs) > _JOB_LIMIT:  # a long-running sandbox forgets the oldest
                del self.jobs[next(iter(self.jobs))]
            return job

    def poll(self, request_id: str) -> dict[str, Any] | None:
        """The request's current view (one poll), or None when unknown."""
        with self._lock:
            job = self.jobs.get(request_id)
            return None if job is None else job.poll(time.monotonic(), time.time())
