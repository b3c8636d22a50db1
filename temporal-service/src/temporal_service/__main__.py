"""`python -m temporal_service [--role server|worker]`: the workflows MCP server or the worker.

One image, two processes: the server (default) starts and follows workflows for MCP
clients; the worker (also `python -m temporal_service.worker`) runs them.
"""

from __future__ import annotations

import argparse

__all__: list[str] = []

parser = argparse.ArgumentParser(prog="python -m temporal_service", description=__doc__)
parser.add_argument("--role", choices=["server", "worker"], default="server")
if parser.parse_args().role == "worker":
    from .worker import main
else:
    from .server import main
main()
