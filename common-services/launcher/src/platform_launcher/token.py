"""`make token ID=<identity>`: print an access token from the running local issuer."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from .identities import DEFAULT_IDENTITIES, dev_secret

__all__ = ["main"]

ENDPOINTS = Path(__file__).resolve().parents[4] / ".platform" / "endpoints.json"


def main(argv: Sequence[str] | None = None) -> int:
    """Print a client-credentials token for one demo identity."""
    args = list(sys.argv[1:] if argv is None else argv)
    names = [i.name for i in DEFAULT_IDENTITIES]
    if len(args) != 1 or args[0] not in names:
        print(f"usage: make token ID=<identity>; identities: {', '.join(names)}", file=sys.stderr)
        return 2
    endpoints_file = Path(os.environ.get("MCP_PLATFORM_ENDPOINTS", ENDPOINTS))
    if not endpoints_file.exists():
        print("the platform is not running: start it with `make up`", file=sys.stderr)
        return 1
    endpoints = json.loads(endpoints_file.read_text())
    name = args[0]
    try:
        response = httpx.post(
            endpoints["token_endpoint"],
            data={"grant_type": "client_credentials"},
            auth=(name, dev_secret(name)),
            timeout=5.0,
        )
    except httpx.HTTPError:
        print(
            f"the issuer at {endpoints['issuer']} does not answer: is `make up` running?",
            file=sys.stderr,
        )
        return 1
    if response.status_code != 200:
        print(f"the issuer refused: HTTP {response.status_code}", file=sys.stderr)
        return 1
    print(response.json()["access_token"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
