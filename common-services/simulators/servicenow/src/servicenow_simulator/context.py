"""Per-app context shared by the route modules, and small request helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from servicenow_simulator.auth import TokenIssuer
from servicenow_simulator.errors import bad_request
from servicenow_simulator.seed import seed
from servicenow_simulator.state import Instance
from simulator_kit import Faults, RequestStats

__all__ = ["Context", "flag", "read_object", "respond"]


@dataclass(slots=True)
class Context:
    """Everything one simulated instance holds: tables, tokens, faults and statistics."""

    instance: Instance
    issuer: TokenIssuer
    faults: Faults
    stats: RequestStats

    def reset(self) -> None:
        """Back to the seeded state: data, tokens, faults and counters."""
        self.instance.clear()
        seed(self.instance, integration_user=self.issuer.credentials.username)
        self.issuer.reset()
        self.faults.reset()
        self.stats.clear()

    def authenticate(self, request: Request) -> str:
        """The authenticated user name of a request; raises the real 401 otherwise."""
        return self.issuer.authenticate(request.headers.get("authorization"))


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter (`true` means true)."""
    return request.query_params.get(name, "false").lower() == "true"


async def read_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object of a request body; a list uses its first record, like the real API."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise bad_request("Exception while reading request", "No request body")
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        detail = "The payload is not valid JSON."
        raise bad_request("Exception while reading request", detail) from None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        raise bad_request("Exception while reading request", "Expected a JSON object")
    return data


def respond(
    result: object, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A `{"result": ...}` response."""
    return JSONResponse({"result": result}, status_code=status, headers=headers)
