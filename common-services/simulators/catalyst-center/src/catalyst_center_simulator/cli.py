"""Command line entry point: `python -m catalyst_center_simulator --port 9443`."""

from __future__ import annotations

from collections.abc import Sequence

from simulator_kit import add_secret_option, run_simulator, secret_from, simulator_parser

__all__ = ["PASSWORD_ENV", "main"]

PASSWORD_ENV = "CATALYST_CENTER_PASSWORD"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted (the password from $CATALYST_CENTER_PASSWORD)."""
    parser = simulator_parser("python -m catalyst_center_simulator",
                              "Cisco Catalyst Center Intent API simulator", port=9443)  # fmt: skip
    parser.add_argument("--username", default="admin")
    add_secret_option(parser, "--password", PASSWORD_ENV, "the password")
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--task-polls", type=int, default=2)
    args = parser.parse_args(argv)
    password = secret_from(parser, args, "--password", PASSWORD_ENV)

    from .app import create_catalyst_center_app

    run_simulator(parser, args, lambda: create_catalyst_center_app(
        username=args.username, password=password, token_ttl=args.token_ttl,
        task_polls=args.task_polls, admin=not args.no_admin,
    ))  # fmt: skip
