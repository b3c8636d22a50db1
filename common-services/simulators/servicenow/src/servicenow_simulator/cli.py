"""Command line entry point: serve one simulated instance with uvicorn."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from simulator_kit import run_simulator, simulator_parser

__all__ = ["CLIENT_SECRET_ENV", "PASSWORD_ENV", "build_parser", "main"]

PASSWORD_ENV = "SN_SANDBOX_PASSWORD"
CLIENT_SECRET_ENV = "SN_SANDBOX_CLIENT_SECRET"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m servicenow_simulator`."""
    parser = simulator_parser(
        "python -m servicenow_simulator",
        "Serve a simulated ServiceNow instance (Table API, sn_chg_rest, OAuth).",
        port=8082,
        epilog=f"Secrets come from ${PASSWORD_ENV} and ${CLIENT_SECRET_ENV} so they stay out "
        "of the process list; --password/--client-secret override them.",
    )
    parser.add_argument("--username", default="integration", help="integration user name")
    parser.add_argument("--password", default=None, help=f"its password (or ${PASSWORD_ENV})")
    parser.add_argument("--client-id", default="mcp-platform", help="OAuth client id")
    parser.add_argument(
        "--client-secret", default=None, help=f"OAuth client secret (or ${CLIENT_SECRET_ENV})"
    )
    parser.add_argument("--token-ttl", type=int, default=1800, help="access token lifetime (s)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    password = args.password or os.environ.get(PASSWORD_ENV, "")
    if not password:
        parser.error(f"a password is required: set ${PASSWORD_ENV} or pass --password")
    client_secret = args.client_secret or os.environ.get(CLIENT_SECRET_ENV) or None
    if args.token_ttl < 1:
        parser.error("--token-ttl must be at least 1")

    from servicenow_simulator.app import create_servicenow_app

    run_simulator(parser, args, lambda: create_servicenow_app(
        username=args.username, password=password, client_id=args.client_id,
        client_secret=client_secret, token_ttl=args.token_ttl, admin=not args.no_admin,
    ))  # fmt: skip
