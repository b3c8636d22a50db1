"""The local launcher behind `make up`: the whole platform on 127.0.0.1 (development only).

- `platform.py`: what runs (servers, simulators, ports, seeded secrets) and `LocalPlatform`.
- `up.py`: the `make up` front end (`python -m platform_launcher`).
- `token.py`: `make token ID=...` (`python -m platform_launcher.token`).
- `supervisor.py`: child processes; `openbao.py`: the OpenBao dev server (Vault API).
"""

from __future__ import annotations

from .openbao import OpenBaoDevServer, OpenBaoError
from .platform import AUDIENCE, LocalPlatform, PlatformPorts, available_servers

__all__ = [
    "AUDIENCE",
    "LocalPlatform",
    "OpenBaoDevServer",
    "OpenBaoError",
    "PlatformPorts",
    "available_servers",
]
