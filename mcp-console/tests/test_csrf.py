"""Every state-changing request needs the session's CSRF token and, when sent, our origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dev_idp import IdpServer

from .console_stack import CONSOLE, Stack, catalyst_center


@pytest.fixture
def stack(idp: IdpServer) -> Iterator[Stack]:
    stack = Stack(idp, [catalyst_center()])
    with stack.client:
        stack.sign_in("network-engineer")
        yield stack


def test_a_post_without_the_token_is_refused(stack: Stack) -> None:
    answer = stack.client.post("/tools/catalyst-center/list_devices", data={})
    assert answer.status_code == 403 and "expired" in answer.text


def test_a_post_from_another_origin_is_refused(stack: Stack) -> None:
    answer = stack.client.post(
        "/tools/catalyst-center/list_devices",
        data={"csrf": stack.csrf()},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403


def test_the_token_in_the_form_or_the_htmx_header_is_accepted(stack: Stack) -> None:
    token = stack.csrf()
    form = stack.client.post(
        "/tools/catalyst-center/list_devices", data={"csrf": token}, headers={"Origin": CONSOLE}
    )
    htmx = stack.client.post(
        "/tools/catalyst-center/list_devices",
        data={},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert form.status_code == 200 and htmx.status_code == 200
