"""Command line entry point: serve one simulated GitHub with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from simulator_kit import add_secret_option, run_simulator, secret_from, simulator_parser

__all__ = ["TOKEN_ENV", "build_parser", "main"]

TOKEN_ENV = "GITHUB_SANDBOX_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m github_simulator`."""
    parser = simulator_parser(
        "python -m github_simulator",
        "Serve a simulated GitHub REST API (v3) with the seeded `netops` org.",
        port=9103,
        epilog=f"The accepted token comes from ${TOKEN_ENV} so it stays out of the process "
        "list; --token overrides it.",
    )
    add_secret_option(parser, "--token", TOKEN_ENV, "the accepted token")
    parser.add_argument("--core-limit", type=int, default=5000, help="requests per hour")
    parser.add_argument("--search-limit", type=int, default=30, help="searches per minute")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    token = secret_from(parser, args, "--token", TOKEN_ENV)
    if args.core_limit < 1 or args.search_limit < 1:
        parser.error("--core-limit and --search-limit must be at least 1")

    from .app import create_github_app

    run_simulator(parser, args, lambda: create_github_app(
        token=token, admin=not args.no_admin, core_limit=args.core_limit,
        search_limit=args.search_limit,
    ))  # fmt: skip
