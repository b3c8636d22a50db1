"""Device command outputs for the model: the `commands` argument, the size budget, masking.

`mcp_common.network` gives device servers one way to take a list of CLI commands, to share
one call's output budget among its outputs, and to hand an output to the model with its
secrets masked before it is cut to size.
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from mcp_common.network import (
    MASK,
    MIN_OUTPUT_BUDGET,
    CommandList,
    mask_and_truncate,
    per_output_budget,
    truncate,
)

COMMANDS = TypeAdapter(CommandList)


@pytest.mark.parametrize("count", [1, 10])
def test_a_command_list_takes_one_to_ten_commands_in_order(count: int) -> None:
    commands = [f"show interface Gi1/0/{n}" for n in range(count)]
    assert COMMANDS.validate_python(commands) == commands


@pytest.mark.parametrize("count", [0, 11])
def test_an_empty_or_overlong_command_list_is_refused(count: int) -> None:
    with pytest.raises(ValidationError):
        COMMANDS.validate_python(["show version"] * count)


def test_the_command_list_schema_tells_the_model_the_limits_it_enforces() -> None:
    schema = COMMANDS.json_schema()
    COMMANDS.validate_python(["show clock"] * schema["maxItems"])
    with pytest.raises(ValidationError):
        COMMANDS.validate_python(["show clock"] * (schema["maxItems"] + 1))
    with pytest.raises(ValidationError):
        COMMANDS.validate_python(["show clock"] * (schema["minItems"] - 1))
    assert schema["items"] == {"type": "string"}
    assert "show" in schema["description"]  # the model is shown what a command looks like


@pytest.mark.parametrize("text", ["", "hostname r1", "x" * 50])
def test_a_text_within_the_limit_is_returned_whole_and_not_marked_cut(text: str) -> None:
    assert truncate(text, 50) == (text, False)


def test_a_text_over_the_limit_keeps_its_first_characters_and_says_it_was_cut() -> None:
    text = "".join(f"interface Gi1/0/{n}\n" for n in range(100))
    output, cut = truncate(text, 200)
    assert cut is True
    assert output[:200] == text[:200]
    assert text[200:] not in output
    assert "truncated" in output[200:]  # the model is told, in the text itself


def test_one_call_s_budget_is_shared_evenly_among_its_outputs() -> None:
    each = per_output_budget(60_000, 4)
    assert each == 15_000
    assert 4 * each <= 60_000
    assert per_output_budget(60_000, 0) == 60_000  # no outputs is taken as one, not 1/0


def test_each_output_keeps_a_useful_minimum_however_many_there_are() -> None:
    assert per_output_budget(60_000, 1_000) == MIN_OUTPUT_BUDGET
    assert per_output_budget(MIN_OUTPUT_BUDGET // 2, 1) == MIN_OUTPUT_BUDGET


def test_secrets_are_masked_before_the_cut_so_none_is_left_half_shown() -> None:
    # Cut first, the key would lose its closing quote and its first half would be shown.
    text = 'tacacs-server key 7 "00D64AA6071E"\nhostname r1\n'
    output, masked, cut = mask_and_truncate(text, 27)
    assert (masked, cut) == (1, True)
    assert "00D6" not in output


def test_the_limit_applies_to_the_masked_text() -> None:
    text = "snmp-server community s3cr3t-community-string-of-some-length RO\n"
    output, masked, cut = mask_and_truncate(text, 50)
    assert len(text) > 50
    assert (output, masked, cut) == (f"snmp-server community {MASK} RO\n", 1, False)


def test_secrets_in_the_part_cut_off_are_counted_too() -> None:
    text = "hostname r1\n" * 20 + "enable secret 9 $9$abcdEFGH$hashhashhash\n"
    output, masked, cut = mask_and_truncate(text, 100)
    assert (masked, cut) == (1, True)
    assert "secret" not in output
