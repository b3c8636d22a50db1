"""simulator_app: the controls exist only with admin=True; the Gate is always in front."""

from __future__ import annotations

from typing import Any

import httpx

from simulator_kit.serve import BackgroundServer


def test_without_admin_there_are_no_sandbox_routes_but_the_gate_stays(make_toy: Any) -> None:
    app, toy = make_toy(admin=False)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as client:
        assert client.post("/sandbox/reset").status_code == 404
        assert client.get("/items").status_code == 401
        assert toy.stats.total() == 1
