"""RFC 8259 JSON where Python's json module differs, and the tool-call check that relies on it."""

from __future__ import annotations

import pytest

from lambda_agent_api.protocol.conversation import Conversation
from lambda_agent_api.protocol.limits import NumberTooLong
from lambda_agent_api.protocol.strict_json import HugeInt, loads
from lambda_agent_api.protocol.transitions import Role


@pytest.mark.parametrize(
    "text", ["NaN", "[Infinity]", '{"a": -Infinity}', "[1,", "", "[" * 100_000]
)
def test_not_json(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
        loads(text)


def test_integers_beyond_the_limit_are_refused_before_conversion() -> None:
    with pytest.raises(NumberTooLong, match="an integer of 5000 digits at offset 1"):
        loads("[" + "9" * 5000 + ", 12]")
    with pytest.raises(NumberTooLong, match="an integer of 1000000 digits"):
        loads(b'{"tokens_used": ' + b"9" * 1_000_000 + b"}")
    with pytest.raises(NumberTooLong):
        loads("[12345]", max_number_digits=4)
    assert loads('["' + "9" * 5000 + '"]') == ["9" * 5000]  # a string of digits is no number


def test_long_integers_are_json_within_a_raised_limit() -> None:
    value = loads("[" + "9" * 5000 + ", 12]", max_number_digits=5000)
    assert isinstance(value[0], HugeInt)
    assert value[0] == 10**5000 - 1
    assert repr(value[0]) == f"<an integer of {(10**5000 - 1).bit_length()} bits>"
    assert value[1] == 12
    assert type(value[1]) is int


@pytest.mark.parametrize(
    ("args", "rules"),
    [('{"n": ' + "9" * 5000 + "}", []), ('{"n": NaN}', ["T002"]), ("[" * 5000, ["T002"])],
)
def test_tool_arguments_are_read_as_rfc_8259_json(args: str, rules: list[str]) -> None:
    conversation = Conversation()
    conversation.observe(Role.SERVER, "STATUS")
    conversation.observe(Role.CLIENT, "USER_MESSAGE", {"text": "x"})
    chunk = {"tool_name": "calc", "args_chunk": args}
    conversation.observe(Role.SERVER, "AGENT_EVENT_TOOL_CALL_CHUNK", chunk)
    end = conversation.observe(Role.SERVER, "AGENT_EVENT_END", {"tokens_used": 1})
    assert [f.rule.id for f in end.findings] == rules


def test_steps_without_findings_are_shared() -> None:
    first, second = Conversation(), Conversation()
    assert first.observe(Role.SERVER, "STATUS") is second.observe(Role.SERVER, "STATUS")
    assert first.observe(Role.SERVER, "STATUS").findings  # P009: not shared
