"""ServiceNow's error bodies become clear, safe messages."""

from __future__ import annotations

import httpx

from mcp_common.errors import PlatformError
from mcp_service_now.errors import ServiceNowError, ServiceNowNotFound, error_from_response


def test_the_table_api_error_body_gives_message_and_detail() -> None:
    body = {"error": {"message": "Invalid table foo", "detail": None}, "status": "failure"}
    error = error_from_response(httpx.Response(400, json=body))
    assert isinstance(error, PlatformError) and not isinstance(error, ServiceNowNotFound)
    assert (error.status, error.message, error.detail) == (400, "Invalid table foo", None)
    assert str(error) == "ServiceNow answered HTTP 400: Invalid table foo"


def test_404_is_not_found() -> None:
    body = {"error": {"message": "No Record found", "detail": "gone"}, "status": "failure"}
    error = error_from_response(httpx.Response(404, json=body))
    assert isinstance(error, ServiceNowNotFound)
    assert str(error) == "ServiceNow answered HTTP 404: No Record found - gone"


def test_oauth_error_bodies_and_bodies_without_json_are_understood() -> None:
    oauth = {"error": "server_error", "error_description": "access_denied"}
    assert error_from_response(httpx.Response(401, json=oauth)).message == "access_denied"
    html = error_from_response(httpx.Response(403, text="<html>denied</html>"))
    assert html.message == "Forbidden" and html.detail is None


def test_messages_are_one_bounded_line_without_credentials() -> None:
    detail = "line one\nline two password=hunter2 " + "x" * 500
    error = ServiceNowError(400, "Bad\r\nthing", detail)
    text = str(error)
    assert "\n" not in text and "\r" not in text and "hunter2" not in text
    assert error.detail is not None and len(error.detail) <= 300 and error.detail.endswith("...")
