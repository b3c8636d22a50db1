"""Cisco RADKit simulator: a RADKit Service behind its cloud relay, as a small JSON API.

The real SDK (`radkit_client`) talks to a RADKit Service through Cisco's cloud relay with
its own RPC protocol; this simulator stands in for both with plain HTTP so the MCP server's
`HttpBackend` can be tested end to end. Devices are the sandbox network's
(`simulator_kit.network`, the hostnames Catalyst Center shows); `show` outputs come from the
same network's generators; running-configs carry real-looking secrets;
unreachable devices time out like a terminal session that never opens.

API (JSON bodies; every `/api/...` call but login needs `Authorization: Bearer <token>`)

- `POST /api/login` `{"service_id", "client_id", "client_secret"}` ->
  `200 {"token", "token_type": "Bearer", "expires_in", "service_id"}`; 401 on bad client
  credentials, 404 when the relay knows no such service. Tokens are bound to the service
  and expire after `token_ttl` seconds (then every call is 401: log in again).
- `GET /api/services/{service_id}` -> `{"service_id", "status": "READY", "version",
  "e2ee_active", "inventory_size"}` (what the SDK's `service.ping()` checks).
- `GET /api/services/{service_id}/inventory` -> `{"service_id", "devices": [device...]}`,
  a device being `{"name", "host", "device_type", "description", "labels", "attributes":
  {"serial", "platform", "site", "software_version", "role"}}`.
- `GET /api/services/{service_id}/inventory/{name}` -> one device, 404 if unknown.
- `POST /api/services/{service_id}/exec` `{"devices": [names], "commands": [cli...],
  "timeout": seconds}` -> `202 {"request_id", "status": "PROCESSING"}`; 404 with
  `error.unknown_devices` when a name is not in the inventory. Commands run like RADKit's
  `device.exec(commands)`: one terminal session per device, outputs with prompt and echo,
  IOS output filters (`| include|exclude|begin|section|count <regex>`) applied.
- `GET /api/requests/{request_id}` -> `{"request_id", "request_type": "exec", "service_id",
  "status": "PROCESSING"|"SUCCESS"|"PARTIAL_SUCCESS"|"FAILURE", "sent_timestamp",
  "completed_timestamp", "timeout", "result": {device: {"status":
  "PROCESSING"|"SUCCESS"|"FAILURE"|"TIMEOUT", "status_message", "commands": {command:
  {"status", "data", "status_message"}}}}}`. Poll until the status is not PROCESSING (the
  SDK's `.wait()`): reachable devices answer after `exec_polls` polls, unreachable ones
  end in TIMEOUT once the request's `timeout` has passed.

Errors are `{"error": {"code", "message"}}`. Test controls (omitted with `admin=False`):
`POST /sandbox/faults` `{path_prefix, status?, count?, retry_after?, delay?, method?}`,
`GET /sandbox/stats`, `POST /sandbox/reset`, `POST /sandbox/tokens/expire`,
`POST /sandbox/requests/hang-next` (the next exec request never completes).
"""

from __future__ import annotations

from .app import create_radkit_app
from .cli import main

__all__ = ["create_radkit_app", "main"]
