"""The route table: every handler the api_* modules export is served, no path twice."""

from __future__ import annotations

import inspect

from starlette.routing import Route

from github_simulator import api_contents, api_issues, api_pulls, api_repos
from github_simulator.routes import api_routes


def test_every_handler_the_api_modules_export_is_routed() -> None:
    served = {route.endpoint for route in api_routes() if isinstance(route, Route)}
    for module in (api_repos, api_contents, api_issues, api_pulls):
        exported = [getattr(module, name) for name in module.__all__]
        handlers = {f for f in exported if inspect.iscoroutinefunction(f)}
        assert handlers, module.__name__
        assert handlers <= served, module.__name__


def test_no_path_and_method_is_served_twice() -> None:
    pairs = [
        (route.path, method)
        for route in api_routes()
        if isinstance(route, Route)
        for method in route.methods or ()
    ]
    assert len(pairs) == len(set(pairs)) == 26 + 20  # 26 routes, 20 GETs answer HEAD too
