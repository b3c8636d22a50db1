"""A bounded feed of recent policy decisions and circuit-breaker changes, read from the
services' ECS JSON log files (`.platform/logs/` under `make up`).

Only the tail of each file is read (at most `tail_bytes`), and at most `limit` events are
kept: this is a glance for admins, not the system of record (ELK is).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CircuitChange", "Decision", "LogFeed"]

_MAX_FILES = 64


@dataclass(frozen=True, slots=True)
class Decision:
    """One policy decision: who, which tool, allowed or denied."""

    timestamp: str
    service: str
    who: str
    actors: tuple[str, ...]
    resource: str
    action: str
    tool: str
    allowed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class CircuitChange:
    """One circuit breaker changing state."""

    timestamp: str
    service: str
    backend: str
    state: str


class LogFeed:
    """The tails of the JSON-line logs in one directory."""

    def __init__(self, directory: str | Path | None, *, tail_bytes: int = 256 * 1024) -> None:
        if tail_bytes < 1024:
            raise ValueError("tail_bytes must be at least 1024")
        self.directory = Path(directory) if directory else None
        self.tail_bytes = tail_bytes

    @property
    def available(self) -> bool:
        """Whether there is a log directory to read."""
        return self.directory is not None and self.directory.is_dir()

    def _tail(self, path: Path) -> list[str]:
        try:
            with path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                start = max(0, size - self.tail_bytes)
                handle.seek(start)
                data = handle.read(self.tail_bytes)
        except OSError:
            return []
        lines = data.decode("utf-8", errors="replace").splitlines()
        return lines[1:] if start > 0 else lines  # the first line may be cut

    def _events(self) -> Iterator[dict[str, Any]]:
        if not self.available:
            return
        assert self.directory is not None
        files = sorted(self.directory.glob("*.log"))[:_MAX_FILES]
        for path in files:
            for line in self._tail(path):
                if not line.startswith("{"):
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    yield event

    def decisions(self, limit: int) -> list[Decision]:
        """The latest `limit` decisions, newest first."""
        found = []
        for event in self._events():
            if event.get("event.action") != "authorization.decision":
                continue
            actors = event.get("user.actors") or []
            found.append(
                Decision(
                    timestamp=str(event.get("@timestamp", "")),
                    service=str(event.get("service.name", "")),
                    who=str(event.get("user.name") or event.get("user.id") or "?"),
                    actors=tuple(str(a) for a in actors) if isinstance(actors, list) else (),
                    resource=str(event.get("authz.resource", "")),
                    action=str(event.get("authz.action", "")),
                    tool=str(event.get("authz.tool", "")),
                    allowed=event.get("authz.decision") == "allow",
                    reason=str(event.get("authz.reason") or ""),
                )
            )
        found.sort(key=lambda d: d.timestamp, reverse=True)
        return found[:limit]

    def circuits(self) -> dict[str, list[CircuitChange]]:
        """The last known state of each circuit, by service."""
        last: dict[tuple[str, str], CircuitChange] = {}
        for event in self._events():
            action = str(event.get("event.action", ""))
            if not action.startswith("upstream.circuit_"):
                continue
            change = CircuitChange(
                timestamp=str(event.get("@timestamp", "")),
                service=str(event.get("service.name", "")),
                backend=str(event.get("backend", "")),
                state=str(event.get("circuit.state") or action.rsplit("_", 1)[-1]),
            )
            key = (change.service, change.backend)
            if key not in last or last[key].timestamp <= change.timestamp:
                last[key] = change
        by_service: dict[str, list[CircuitChange]] = {}
        for change in last.values():
            by_service.setdefault(change.service, []).append(change)
        return by_service
