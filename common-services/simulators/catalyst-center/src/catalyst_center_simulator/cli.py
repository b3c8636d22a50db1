"""Command line entry point: `python -m catalyst_center_simulator --port 9443`."""

from __future__ import annotations

import os
from collections.abc import Sequence

from simulator_kit import run_simulator, simulator_parser

__all__ = ["PASSWORD_ENV", "main"]

PASSWORD_ENV = "CATALYST_CENTER_PASSWORD"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted (the password from $CATALYST_CENTER_PASSWORD)."""
    parser = simulator_parser("python -m catalyst_center_simulator",
                              "Cisco Catalyst Center Intent API simulator", port=9443)  # fmt: skip
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=os.environ.get(PASSWORD_ENV),
                        help=f"defaults to ${PASSWORD_ENV}")  # fmt: skip
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--task-polls", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.password:
        parser.error(f"--password (or ${PASSWORD_ENV}) is required")

    from .app import create_catalyst_center_app

    run_simulator(parser, args, lambda: create_catalyst_center_app(
        username=args.username, password=args.password, token_ttl=args.token_ttl,
        task_polls=args.task_polls, admin=not args.no_admin,
    ))  # fmt: skip
