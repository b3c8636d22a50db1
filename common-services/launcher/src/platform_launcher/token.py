"""`make token ID=<identity> [SERVER=<name>]`: print an access token from the running issuer.

A client-credentials token of the demo identity (for scripts). With SERVER, the token is for
that MCP server only: its `resource` (RFC 8707) is the server's URL from endpoints.json, so
its `aud` is what that server checks.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from dev_idp.identities import DEFAULT_IDENTITIES, dev_secret

__all__ = ["main"]

ENDPOINTS = Path(__file__).resolve().parents[4] / ".platform" / "endpoints.json"


def main(argv: Sequence[str] | None = None) -> int:
    """Print a client-credentials token for one demo identity (for one server's resource)."""
    args = [a for a in (sys.argv[1:] if argv is None else argv) if a]
    names = [i.name for i in DEFAULT_IDENTITIES]
    if len(args) not in (1, 2) or args[0] not in names:
        print(
            f"usage: make token ID=<identity> [SERVER=<server>]; identities: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    endpoints_file = Path(os.environ.get("MCP_PLATFORM_ENDPOINTS", ENDPOINTS))
    if not endpoints_file.exists():
        print("the platform is not running: start it with `make up`", file=sys.stderr)
        return 1
    endpoints = json.loads(endpoints_file.read_text())
    name = args[0]
    form = {"grant_type": "client_credentials"}
    if len(args) == 2:
        servers: dict[str, str] = dict(endpoints.get("servers", {}))
        if "rest-api-proxy" in endpoints:  # the proxy's resource is its API root
            servers["rest-api-proxy"] = endpoints["rest-api-proxy"]
        if args[1] not in servers:
            print(f"unknown server {args[1]!r}; running: {', '.join(servers)}", file=sys.stderr)
            return 2
        form["resource"] = servers[args[1]]
    try:
        response = httpx.post(
            endpoints["token_endpoint"],
            data=form,
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
        error = response.json().get("error", "") if response.content else ""
        print(f"the issuer refused: HTTP {response.status_code} {error}", file=sys.stderr)
        return 1
    print(response.json()["access_token"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
