"""SecretStore on a local JSON/YAML file for development, re-read whenever the file changes."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mcp_common.errors import ConfigurationError, SecretNotFound, SecretStoreUnavailable
from mcp_common.observability._logging import get_logger
from mcp_common.secrets._vault import SecretMetrics, normalize_secret_path, record_secret_access

__all__ = ["FileSecretStore"]

_log = get_logger(__name__)

_Secrets = Mapping[str, Mapping[str, Any]]
_Stamp = tuple[int, int, int]


class FileSecretStore:
    """Reads `{"api/github": {"token": ...}, ...}` from a JSON or YAML (.yaml/.yml) file."""

    def __init__(
        self, path: str | os.PathLike[str], *, metrics: SecretMetrics | None = None
    ) -> None:
        if not isinstance(path, str | os.PathLike) or not str(path).strip():
            raise ValueError("path must name a JSON or YAML secrets file")
        self._path = Path(path)
        self._yaml = self._path.suffix.lower() in (".yaml", ".yml")
        if self._yaml and importlib.util.find_spec("yaml") is None:
            raise ConfigurationError(
                f"Secrets file {self._path} is YAML but PyYAML is not installed: "
                "`pip install pyyaml`, or use a .json file"
            )
        self._metrics = metrics
        self._secrets: _Secrets = {}
        self._stamp: _Stamp | None = None
        self._mode_checked = False

    async def get(self, path: str) -> Mapping[str, Any]:
        """Return the secret at `path`, re-reading the file first if it changed."""
        key = normalize_secret_path(path)
        started = time.perf_counter_ns()
        try:
            secrets = await self._current()
        except SecretStoreUnavailable:
            record_secret_access(
                self._metrics, key, "file", "failure", started, "SecretStoreUnavailable"
            )
            raise
        value = secrets.get(key)
        if value is None:
            record_secret_access(self._metrics, key, "file", "failure", started, "SecretNotFound")
            raise SecretNotFound(f"No secret at '{key}' in secrets file {self._path.name}")
        record_secret_access(self._metrics, key, "file", "success", started)
        return value

    async def ready(self) -> bool:
        """True when the file exists and parses."""
        try:
            await self._current()
        except SecretStoreUnavailable as exc:
            _log.warning("File secret store not ready: %s", exc)
            return False
        return True

    async def aclose(self) -> None:
        """Forget the parsed secrets."""
        self._secrets, self._stamp = {}, None

    async def _current(self) -> _Secrets:
        try:
            info = os.stat(self._path)  # a stat is cheap enough for the event loop
        except OSError as exc:
            raise SecretStoreUnavailable(
                f"Cannot read secrets file {self._path} ({exc.strerror})"
            ) from None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        if stamp != self._stamp:
            self._warn_if_loose(info.st_mode)
            self._secrets = await asyncio.to_thread(self._load)
            self._stamp = stamp
            _log.info("Loaded %d secrets from %s", len(self._secrets), self._path)
        return self._secrets

    def _warn_if_loose(self, mode: int) -> None:
        if self._mode_checked or os.name != "posix":
            return
        self._mode_checked = True
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            _log.warning(
                "Secrets file %s is accessible by group or others (mode %03o): chmod 600 it",
                self._path,
                stat.S_IMODE(mode),
            )

    def _load(self) -> _Secrets:
        """Read and parse the file; errors name the place, never the content."""
        try:
            text = self._path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
            raise SecretStoreUnavailable(
                f"Cannot read secrets file {self._path} ({reason})"
            ) from None
        data = self._parse(text)
        if not isinstance(data, dict):
            raise SecretStoreUnavailable(
                f"Secrets file {self._path} must hold an object of secret paths"
            )
        secrets: dict[str, Mapping[str, Any]] = {}
        for raw_key, value in data.items():
            if not isinstance(raw_key, str) or not raw_key.strip("/ "):
                raise SecretStoreUnavailable(f"Secrets file {self._path} has an empty secret path")
            if not isinstance(value, dict):
                raise SecretStoreUnavailable(
                    f"Secrets file {self._path}: entry '{raw_key}' must be an object of key/values"
                )
            secrets[raw_key.strip().strip("/")] = MappingProxyType(dict(value))
        return MappingProxyType(secrets)

    def _parse(self, text: str) -> Any:
        if not self._yaml:
            try:
                return json.loads(text) if text.strip() else {}
            except json.JSONDecodeError as exc:
                # Only the position: parser messages may quote the document, i.e. a secret.
                raise SecretStoreUnavailable(
                    f"Secrets file {self._path} is not valid JSON "
                    f"(line {exc.lineno}, column {exc.colno})"
                ) from None
        import yaml  # optional: checked in __init__

        try:
            return yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            raise SecretStoreUnavailable(
                f"Secrets file {self._path} is not valid YAML{where}"
            ) from None
