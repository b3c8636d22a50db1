"""`make up` (`python -m platform_launcher`): the whole platform on 127.0.0.1 until Ctrl-C.

Starts the development issuer, an OpenBao dev server seeded with the backends'
credentials (servers log in with AppRole, not the root token), the backend simulators
and every MCP server package present in the workspace, each as a supervised process.
Writes `.platform/endpoints.json` for scripts and tests; `make token ID=...` reads it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from dev_idp.identities import dev_secret

from .platform import ROOT, LocalPlatform

__all__ = ["main"]


def _table(endpoints: Mapping[str, Any]) -> str:
    rows = [("issuer (OIDC)", endpoints["issuer"]), ("vault (OpenBao)", endpoints["vault"])]
    rows += [(f"mcp-{name}", url) for name, url in endpoints["servers"].items()]
    if "rest-api-proxy" in endpoints:
        rows.append(("REST API proxy", f"{endpoints['rest-api-proxy']}/docs"))
    if "console" in endpoints:
        rows.append(("console (browser)", endpoints["console"]))
    if "temporal_ui" in endpoints:
        rows.append(("Temporal UI", endpoints["temporal_ui"]))
    rows += [(f"{name} simulator", url) for name, url in endpoints["backends"].items()]
    width = max(len(r[0]) for r in rows) + 2
    lines = ["", "Endpoints", *[f"  {a.ljust(width)}{b}" for a, b in rows], "", "Demo identities"]
    for name, info in endpoints["identities"].items():
        mfa = "MFA" if info["mfa"] else "no MFA"
        lines.append(f"  {name.ljust(22)}{', '.join(info['groups']):<20}{mfa}")
    lines += [
        "",
        "Get a token:   make token ID=network-engineer-mfa",
        f"Client secret: <identity>-secret (e.g. {dev_secret('admin')}), dev only",
        f"Logs:          {endpoints['logs']}/",
        "Endpoints as JSON: .platform/endpoints.json    Stop: Ctrl-C",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the platform in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="make up", description=__doc__)
    parser.add_argument("--state-dir", default=str(ROOT / ".platform"))
    args = parser.parse_args(argv)
    platform = LocalPlatform(state_dir=args.state_dir)
    stopping = False

    def _terminate(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        print("Starting the MCP platform on 127.0.0.1 (embedded defaults)...", flush=True)
        endpoints = platform.start()
        print(_table(endpoints), flush=True)
        while True:
            time.sleep(1)
            dead = platform.failed()
            if dead:
                print(f"stopped unexpectedly: {', '.join(dead)} (see .platform/logs/)")
                return 1
    except KeyboardInterrupt:
        stopping = True
        return 0
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C (or make's own signal) must not cut the clean shutdown short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stopping:
            print("\nStopping...", flush=True)
        platform.stop()
        if stopping:
            print("Stopped.", flush=True)
