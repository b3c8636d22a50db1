"""Remote policy engine: an OPA server asked over its REST data API."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx

from mcp_common.errors import PolicyEngineError
from mcp_common.policy._authorizer import AuthorizationRequest

__all__ = ["OPAAuthorizer"]


class OPAAuthorizer:
    """Asks OPA (`POST {url}{path}` with `{"input": ...}`) for each decision (engine "remote").

    Every failure (network, timeout, non-200, bad JSON, no or non-boolean `result`) raises
    PolicyEngineError, which callers turn into a deny. Messages never quote the input.
    """

    name = "remote"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 1.0,
        path: str = "/v1/data/authz/allow",
        client: httpx.AsyncClient | None = None,
    ) -> None:
        try:
            parsed = httpx.URL(url)
        except (TypeError, httpx.InvalidURL) as exc:
            raise ValueError(f"url is not a valid URL: {exc}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"url must be an absolute http(s) URL, got {url!r}")
        if parsed.query or parsed.fragment:
            raise ValueError("url must not carry a query or a fragment")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError("timeout must be a number of seconds")
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError("timeout must be a finite number of seconds > 0")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        self.url = url.rstrip("/")
        self.path = path
        self.timeout = float(timeout)
        self._decision_url = self.url + path
        self._health_url = self.url + "/health"
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            # OPA is an internal service (often a sidecar): never send decisions through
            # a proxy picked up from the environment.
            trust_env=False,
        )

    async def decide(self, request: AuthorizationRequest) -> bool:
        """OPA's answer for `request`; raise PolicyEngineError when there is none."""
        body = {"input": request.policy_input()}
        try:
            # httpx timeouts are per phase; this bounds the whole call, pool wait included.
            async with asyncio.timeout(self.timeout):
                response = await self._client.post(
                    self._decision_url, json=body, timeout=self.timeout
                )
        except (TimeoutError, httpx.TimeoutException):
            raise PolicyEngineError(f"OPA did not answer within {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise PolicyEngineError(f"OPA unreachable ({type(exc).__name__})") from None
        except RuntimeError:
            raise PolicyEngineError("OPA client is closed") from None
        except (TypeError, ValueError):
            # json= could not encode the input; say so without quoting it.
            raise PolicyEngineError("policy input is not JSON-serializable") from None
        if response.status_code != 200:
            raise PolicyEngineError(f"OPA answered HTTP {response.status_code}")
        return _result(response)

    async def ready(self) -> bool:
        """True when `GET {url}/health` answers 200 within the timeout."""
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._client.get(self._health_url, timeout=self.timeout)
        except (TimeoutError, httpx.HTTPError):
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        """Close the HTTP client when this authorizer created it."""
        if self._owns_client:
            await self._client.aclose()


def _result(response: httpx.Response) -> bool:
    try:
        document: Any = response.json()
    except ValueError:
        raise PolicyEngineError("OPA answered invalid JSON") from None
    if not isinstance(document, dict):
        raise PolicyEngineError("OPA answer is not a JSON object")
    if "result" not in document:
        # OPA answers `{}` when the rule is undefined: the policy is not loaded or the
        # path is wrong. An error rather than a cached deny, so it is seen and retried.
        raise PolicyEngineError("OPA answer has no result (policy not loaded at this path?)")
    result = document["result"]
    if not isinstance(result, bool):
        raise PolicyEngineError(f"OPA result is not a boolean ({type(result).__name__})")
    return result
