"""The wire shapes of the MCP tasks extension (SEP-2663, 2026-07-28 schema).

Results are dumped as the MCP server's runner dumps every result (`by_alias`, JSON mode,
`None` left out); params are read as it reads every request's params (wire names only).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from mcp_common.tasks import (
    CancelTaskResult,
    CreateTaskResult,
    GetTaskResult,
    TaskIdParams,
    UpdateTaskParams,
    UpdateTaskResult,
    missing_capability_data,
)

TASKS = "io.modelcontextprotocol/tasks"
TASK = {
    "task_id": "deploy_template-1f0c",
    "created_at": "2026-07-28T09:00:00+00:00",
    "last_updated_at": "2026-07-28T09:00:05+00:00",
    "ttl_ms": 3_600_000,
    "poll_interval_ms": 1000,
}


def wire(result: BaseModel) -> dict[str, Any]:
    """The result as the server sends it."""
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)


def read(params_type: type[BaseModel], params: dict[str, Any]) -> Any:
    """Request params as the server reads them."""
    return params_type.model_validate(params, by_name=False)


def test_a_created_task_is_sent_flat_in_camel_case_marked_as_a_task() -> None:
    created = CreateTaskResult(**TASK, status="working", status_message="started")
    assert wire(created) == {
        "resultType": "task",
        "taskId": "deploy_template-1f0c",
        "status": "working",
        "createdAt": "2026-07-28T09:00:00+00:00",
        "lastUpdatedAt": "2026-07-28T09:00:05+00:00",
        "ttlMs": 3_600_000,
        "pollIntervalMs": 1000,
        "statusMessage": "started",
    }


@pytest.mark.parametrize("shape", [CreateTaskResult, GetTaskResult])
def test_a_task_is_sent_without_meta_even_when_given_one(shape: type[BaseModel]) -> None:
    task = shape(**TASK, status="working", _meta={"io.example/trace": "abc"})
    assert "_meta" not in wire(task) and "meta" not in wire(task)


@pytest.mark.parametrize(
    ("status", "outcome", "key"),
    [
        ("completed", {"result": {"content": [], "isError": False}}, "result"),
        ("failed", {"error": {"code": -32603, "message": "failed"}}, "error"),
        ("input_required", {"input_requests": {"confirm": {"method": "x"}}}, "inputRequests"),
        ("working", {}, None),
        ("cancelled", {}, None),
    ],
)
def test_tasks_get_inlines_the_outcome_under_its_wire_name_and_is_itself_complete(
    status: str, outcome: dict[str, Any], key: str | None
) -> None:
    sent = wire(GetTaskResult(**TASK, status=status, **outcome))  # type: ignore[arg-type]
    assert sent["resultType"] == "complete" and sent["status"] == status
    present = {"result", "error", "inputRequests"} & set(sent)
    assert present == ({key} if key else set())
    if key is not None:
        assert sent[key] == next(iter(outcome.values()))


@pytest.mark.parametrize("status", ["running", "canceled", "input-required", "done", ""])
def test_a_status_outside_the_extensions_five_is_refused(status: str) -> None:
    with pytest.raises(ValidationError):
        GetTaskResult(**TASK, status=status)  # type: ignore[arg-type]


def test_a_created_task_cannot_claim_another_result_type() -> None:
    with pytest.raises(ValidationError):
        CreateTaskResult(**TASK, status="working", result_type="complete")  # type: ignore[arg-type]


@pytest.mark.parametrize("ack", [UpdateTaskResult, CancelTaskResult])
def test_update_and_cancel_are_acknowledged_with_an_empty_complete_result(
    ack: type[BaseModel],
) -> None:
    assert wire(ack()) == {"resultType": "complete"}


def test_task_id_params_are_read_from_the_wire_with_their_meta() -> None:
    meta = {"progressToken": 7, "io.modelcontextprotocol/protocolVersion": "2026-07-28"}
    params = read(TaskIdParams, {"taskId": "deploy_template-1f0c", "_meta": meta})
    assert params.task_id == "deploy_template-1f0c"
    assert params.meta["io.modelcontextprotocol/protocolVersion"] == "2026-07-28"


@pytest.mark.parametrize(
    "params",
    [{}, {"task_id": "deploy_template-1f0c"}, {"taskId": 42}, {"taskId": None}],
    ids=["missing", "python-name", "number", "null"],
)
def test_task_id_params_need_a_task_id_string_under_its_wire_name(params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        read(TaskIdParams, params)


@pytest.mark.parametrize("shape", [TaskIdParams, UpdateTaskParams])
def test_a_task_id_has_1_to_256_characters(shape: type[BaseModel]) -> None:
    def params(task_id: str) -> dict[str, Any]:
        return {"taskId": task_id, "inputResponses": {}}

    assert read(shape, params("t" * 256)).task_id == "t" * 256
    assert read(shape, params("t")).task_id == "t"
    for refused in ("", "t" * 257):
        with pytest.raises(ValidationError):
            read(shape, params(refused))


def test_update_params_carry_the_answers_as_given() -> None:
    answers = {"confirm": {"action": "accept", "content": {"devices": ["par-acc-01"]}}}
    params = read(UpdateTaskParams, {"taskId": "deploy_template-1f0c", "inputResponses": answers})
    assert (params.task_id, params.input_responses) == ("deploy_template-1f0c", answers)


@pytest.mark.parametrize("responses", [None, [], "accept"], ids=["missing", "a-list", "a-string"])
def test_update_params_refuse_answers_that_are_not_an_object(responses: Any) -> None:
    params: dict[str, Any] = {"taskId": "deploy_template-1f0c"}
    if responses is not None:
        params["inputResponses"] = responses
    with pytest.raises(ValidationError):
        read(UpdateTaskParams, params)


def test_missing_capability_data_is_a_fresh_copy_naming_the_extension() -> None:
    spoiled = missing_capability_data()
    spoiled["requiredCapabilities"]["extensions"].clear()
    assert missing_capability_data() == {"requiredCapabilities": {"extensions": {TASKS: {}}}}
