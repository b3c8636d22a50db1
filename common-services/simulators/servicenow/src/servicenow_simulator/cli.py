"""Command line entry point: serve one simulated instance with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from simulator_kit import add_secret_option, run_simulator, secret_from, simulator_parser

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
    add_secret_option(parser, "--password", PASSWORD_ENV, "its password")
    parser.add_argument("--client-id", default="mcp-platform", help="OAuth client id")
    add_secret_option(parser, "--client-secret", CLIENT_SECRET_ENV, "OAuth client secret")
    parser.add_argument("--token-ttl", type=int, default=1800, help="access token lifetime (s)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    password = secret_from(parser, args, "--password", PASSWORD_ENV)
    client_secret = secret_from(parser, args, "--client-secret", CLIENT_SECRET_ENV, required=False)
    if args.token_ttl < 1:
        parser.error("--token-ttl must be at least 1")

    from servicenow_simulator.app import create_servicenow_app

    run_simulator(parser, args, lambda: create_servicenow_app(
        username=args.username, password=password, client_id=args.client_id,
        client_secret=client_secret or None, token_ttl=args.token_ttl, admin=not args.no_admin,
    ))  # fmt: skip
