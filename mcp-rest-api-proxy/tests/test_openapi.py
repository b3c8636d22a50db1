"""The typed OpenAPI document: one operation per tool, resolvable refs; fuzzed by Schemathesis.

Schemathesis generates requests from the proxy's own document (every tool operation and the
generic routes) and sends them to the running proxy in front of real MCP servers: no answer
may be a 5xx, and every answer must match the document (status, content type, schema).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from dev_idp import IdpServer
from mcp_common import Toolset
from mcp_common.client import McpClient, ToolInfo
from mcp_rest_api_proxy import ProxySettings, ServerRegistry, create_app
from mcp_rest_api_proxy.openapi import build_document, problem_responses
from platform_testkit import resource_token
from simulator_kit.serve import BackgroundServer

sys.path.insert(0, str(Path(__file__).parent))
from proxy_stack import demo_tools, exchanger, free_port, github_tools, start_server

BASE: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}


def resolve(doc: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer."""
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def all_refs(node: Any) -> list[str]:
    """Every $ref value under `node`."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in all_refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in all_refs(v)]
    return []


NESTED = ToolInfo(
    name="deploy",
    description="Deploy a template.\nMore words.",
    input_schema={
        "type": "object",
        "$defs": {
            "Target": {"type": "object", "properties": {"site": {"$ref": "#/$defs/Site"}}},
            "Site": {"type": "string", "enum": ["par", "lon"]},
        },
        "properties": {"targets": {"type": "array", "items": {"$ref": "#/$defs/Target"}}},
        "required": ["targets"],
    },
    output_schema={
        "type": "object",
        "properties": {"result": {"type": "array", "items": {"$ref": "#/$defs/Row"}}},
        "$defs": {"Row": {"type": "object", "properties": {"child": {"$ref": "#"}}}},
        "x-fastmcp-wrap-result": True,
    },
    annotations={"readOnlyHint": False},
    meta={"action": "write"},
)


def test_each_tool_is_one_operation_named_server__tool() -> None:
    doc = build_document(BASE, {"cc": [NESTED, ToolInfo(name="ping")]})
    assert doc["paths"]["/api/v1/mcp/cc/tools/deploy"]["post"]["operationId"] == "cc__deploy"
    assert doc["paths"]["/api/v1/mcp/cc/tools/ping"]["post"]["operationId"] == "cc__ping"
    op = doc["paths"]["/api/v1/mcp/cc/tools/deploy"]["post"]
    assert op["summary"] == "Deploy a template." and op["x-mcp-action"] == "write"
    assert op["requestBody"]["required"] is True


def test_defs_move_to_components_and_every_ref_resolves() -> None:
    doc = build_document(BASE, {"cc": [NESTED]})
    schemas = doc["components"]["schemas"]
    assert {"cc__deploy__arguments__Target", "cc__deploy__arguments__Site"} <= set(schemas)
    for ref in all_refs(doc):
        resolve(doc, ref)  # raises KeyError when a ref points nowhere
    assert "$defs" not in schemas["cc__deploy__arguments"]


def test_the_response_describes_the_unwrapped_result() -> None:
    doc = build_document(BASE, {"cc": [NESTED]})
    ok = doc["paths"]["/api/v1/mcp/cc/tools/deploy"]["post"]["responses"]["200"]
    result = ok["content"]["application/json"]["schema"]["properties"]["result"]
    assert resolve(doc, result["$ref"])["type"] == "array"
    # a self-reference ("#") points at the tool's own result component
    row = doc["components"]["schemas"]["cc__deploy__result__Row"]
    assert row["properties"]["child"]["$ref"] == "#/components/schemas/cc__deploy__result"


def test_every_operation_documents_what_the_transport_guards_may_answer() -> None:
    # A malformed or foreign Host (400, 421) or a proxy at capacity (503) is refused before
    # any route: each operation says so, the tool operations and the generic routes alike.
    doc = build_document(BASE, {"cc": [NESTED]})
    tool_responses = doc["paths"]["/api/v1/mcp/cc/tools/deploy"]["post"]["responses"]
    assert {"400", "421", "503"} <= set(tool_responses)
    assert {400, 401, 403, 421, 503} == set(problem_responses((401, 403)))


def test_building_does_not_touch_the_base_document() -> None:
    build_document(BASE, {"cc": [NESTED]})
    assert BASE["paths"] == {} and "components" not in BASE


# --- property-based: the running proxy against its own document -----------------------------
@pytest.fixture(scope="module")
def fuzz_target(
    idp: IdpServer, serve: Callable[..., BackgroundServer], policy_path: Path
) -> tuple[str, str]:
    """A proxy in front of two benign servers (no tool there fails or sleeps on purpose)."""
    benign = Toolset("demo")
    for fn, spec in demo_tools():
        if spec.name not in ("fail", "slow", "backend_down"):
            benign.add(fn)
    demo = start_server(
        serve, idp, policy_path, name="demo", resource="catalyst-center", toolsets=[benign]
    )
    github = start_server(
        serve, idp, policy_path, name="github", resource="github", toolsets=[github_tools()]
    )
    port = free_port()
    settings_ = ProxySettings(
        port=port,
        oidc_issuer=idp.issuer,
        policy_path=str(policy_path),
        exchange_client_secret=idp.secret("rest-api-proxy"),
    )
    registry = ServerRegistry(
        {"demo": McpClient("demo", demo.url), "github": McpClient("github", github.url)},
        exchanger=exchanger(idp),
    )
    proxy = serve(create_app(settings_, registry=registry), port)
    return proxy.url, resource_token(idp, "admin", proxy.url)


CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gets_a_5xx_or_an_answer_off_the_document(
    fuzz_target: tuple[str, str], mode: GenerationMode
) -> None:
    url, token = fuzz_target
    # The caller's own document: every tool admin may call, one typed operation each.
    schema = schemathesis.openapi.from_url(
        f"{url}/openapi.json", headers={"Authorization": f"Bearer {token}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert "POST /api/v1/mcp/demo/tools/echo" in labels
    assert "POST /api/v1/mcp/{server_name}/tools/{tool_name}" in labels
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(
                base_url=url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )

        fuzz()
