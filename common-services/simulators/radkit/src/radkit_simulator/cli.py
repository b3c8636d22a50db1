"""Command line entry point: `python -m radkit_simulator --port 9104`."""

from __future__ import annotations

from collections.abc import Sequence

from simulator_kit import add_secret_option, run_simulator, secret_from, simulator_parser

__all__ = ["SECRET_ENV", "main"]

SECRET_ENV = "RADKIT_SANDBOX_CLIENT_SECRET"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted (the secret from the environment)."""
    from .app import DEFAULT_CLIENT_ID, DEFAULT_SERVICE_ID, create_radkit_app

    parser = simulator_parser("python -m radkit_simulator",
                              "Cisco RADKit Service + relay simulator", port=9104)  # fmt: skip
    parser.add_argument("--service-id", default=DEFAULT_SERVICE_ID)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    add_secret_option(parser, "--client-secret", SECRET_ENV, "the client secret")
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--exec-polls", type=int, default=2)
    args = parser.parse_args(argv)
    client_secret = secret_from(parser, args, "--client-secret", SECRET_ENV)
    run_simulator(parser, args, lambda: create_radkit_app(
        service_id=args.service_id, client_id=args.client_id, client_secret=client_secret,
        token_ttl=args.token_ttl, exec_polls=args.exec_polls, admin=not args.no_admin,
    ))  # fmt: skip
