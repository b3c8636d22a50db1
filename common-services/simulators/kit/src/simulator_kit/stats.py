"""Request statistics: how many backend requests a simulator served, per `METHOD /path`."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

__all__ = ["RequestStats"]


def _same(path: str) -> str:
    return path


class RequestStats:
    """Counts requests per `METHOD /path`; `normalize` folds paths (e.g. ids into `{sys_id}`)."""

    def __init__(self, normalize: Callable[[str], str] = _same) -> None:
        self._normalize = normalize
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, method: str, path: str) -> None:
        """Count one request."""
        key = (method, self._normalize(path))
        with self._lock:
            self._counts[key] += 1

    def clear(self) -> None:
        """Forget every count."""
        with self._lock:
            self._counts.clear()

    def total(self) -> int:
        """Every request counted."""
        with self._lock:
            return sum(self._counts.values())

    def per_path(self) -> dict[str, int]:
        """Counts per path, whatever the method."""
        counts: Counter[str] = Counter()
        with self._lock:
            for (_, path), n in self._counts.items():
                counts[path] += n
        return dict(counts)

    def per_route(self) -> dict[str, int]:
        """Counts per `METHOD /path`, sorted."""
        with self._lock:
            return {f"{m} {p}": n for (m, p), n in sorted(self._counts.items())}

    def snapshot(self, method: str | None = None, path_prefix: str = "") -> dict[str, object]:
        """Counts per route, the total, and the `count` of requests matching the filter."""
        with self._lock:
            matching = sum(
                n
                for (m, p), n in self._counts.items()
                if (method is None or m == method.upper()) and p.startswith(path_prefix)
            )
        return {"total": self.total(), "count": matching, "requests": self.per_route()}
