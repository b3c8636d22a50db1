"""The shared `/sandbox` controls: faults, stats, reset, token expiry, and their errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def test_a_fault_is_armed_listed_and_cleared(http: httpx.Client) -> None:
    armed = http.post("/sandbox/faults", json={"path_prefix": "/items", "status": 500})
    assert armed.status_code == 201
    assert armed.json()["fault"]["status"] == 500 and len(armed.json()["faults"]) == 1
    assert http.get("/sandbox/faults").json()["faults"][0]["path_prefix"] == "/items"
    assert http.post("/sandbox/faults/clear").json() == {"cleared": 1}
    assert http.get("/sandbox/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    "body", [b"{}", b'{"path_prefix": "/", "status": 200}', b'{"path_prefix": "/", "x": 1}']
)
def test_an_invalid_fault_is_a_400_in_the_simulators_envelope(
    http: httpx.Client, body: bytes
) -> None:
    response = http.post("/sandbox/faults", content=body)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid fault" and response.json()["detail"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
def test_a_body_that_is_no_json_object_is_a_400(http: httpx.Client, body: bytes) -> None:
    response = http.post("/sandbox/faults", content=body)
    assert response.status_code == 400 and response.json()["error"].startswith("Request body")


def test_stats_filter_and_clear(http: httpx.Client, api: httpx.Client) -> None:
    api.get("/items")
    api.get("/items")
    only_gets = http.get("/sandbox/stats", params={"method": "get", "path_prefix": "/it"})
    assert only_gets.json()["count"] == 2
    assert http.post("/sandbox/stats/clear").json() == {"cleared": True}
    assert http.get("/sandbox/stats").json()["total"] == 0


def test_tokens_expire_on_demand(api: httpx.Client) -> None:
    assert api.get("/items").status_code == 200
    assert api.post("/sandbox/tokens/expire").json() == {"expired": 1}
    assert api.get("/items").status_code == 401


def test_reset_calls_the_simulators_reset(http: httpx.Client, toy: Any) -> None:
    before = toy.resets
    assert http.post("/sandbox/reset").json() == {"reset": True}
    assert toy.resets == before + 1
