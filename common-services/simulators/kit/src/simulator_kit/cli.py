"""The command line every simulator shares: `python -m <simulator> --host --port --no-admin`.

Secrets come from the environment (so they stay out of the process list); each simulator
adds its own options, checks them, then hands over to `run_simulator`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from mcp_common.server import run_listener

__all__ = [
    "add_deadline_options",
    "add_secret_option",
    "run_simulator",
    "secret_from",
    "simulator_parser",
]


def simulator_parser(
    prog: str, description: str, *, port: int, epilog: str | None = None
) -> argparse.ArgumentParser:
    """A parser with the shared options: --host, --port, --no-admin, --log-level."""
    parser = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    parser.add_argument(
        "--no-admin", action="store_true", help="remove the /sandbox/* control routes"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    add_deadline_options(parser)
    return parser


def add_deadline_options(parser: argparse.ArgumentParser) -> None:
    """--header-timeout/--body-timeout, defaulting to the platform's MCP_HTTP_* variables."""
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=float(os.environ.get("MCP_HTTP_HEADER_TIMEOUT_SECONDS", "10")),
        help="seconds a request's headers may take (slow clients get 408)",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=float(os.environ.get("MCP_HTTP_BODY_TIMEOUT_SECONDS", "30")),
        help="seconds a request's body may take after its headers",
    )


def add_secret_option(parser: argparse.ArgumentParser, flag: str, env: str, what: str) -> None:
    """An option for a secret that normally comes from the environment variable `env`."""
    parser.add_argument(flag, default=None, help=f"{what} (or ${env})")


def secret_from(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    flag: str,
    env: str,
    *,
    required: bool = True,
) -> str:
    """The secret given by `flag`, else by `env` ("" when neither and not `required`); a
    required one that is missing stops here with a usage error."""
    value = getattr(args, flag.lstrip("-").replace("-", "_")) or os.environ.get(env, "")
    if required and not value.strip():
        parser.error(f"{flag} (or ${env}) is required")
    return str(value)


def run_simulator(
    parser: argparse.ArgumentParser, args: argparse.Namespace, build: Callable[[], Any]
) -> None:
    """Check the shared options, build the app and serve it with uvicorn until interrupted."""
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    app = build()
    run_listener(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
    )
