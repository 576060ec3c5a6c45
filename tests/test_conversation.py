"""The sans-I/O conversation: order, recovery after a violation, and tool calls."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_agent_api.protocol.conversation import Conversation
from lambda_agent_api.protocol.transitions import Role, State

S, C = Role.SERVER, Role.CLIENT


def play(*messages: tuple[Role, str, dict[str, Any] | None], end: bool = True) -> list[str]:
    conversation = Conversation()
    ids = []
    for role, type_, fields in messages:
        ids += [f.rule.id for f in conversation.observe(role, type_, fields).findings]
    if end:
        ids += [f.rule.id for f in conversation.end().findings]
    return ids


def test_a_clean_conversation_has_no_findings() -> None:
    assert (
        play(
            (S, "STATUS", None),
            (C, "USER_MESSAGE", {"text": "hi"}),
            (S, "AGENT_EVENT_TEXT_CHUNK", {"text": "Hel"}),
            (S, "AGENT_EVENT_TOOL_CALL_CHUNK", {"tool_name": "search", "args_chunk": '{"q": '}),
            (S, "AGENT_EVENT_TOOL_CALL_CHUNK", {"tool_name": None, "args_chunk": '"x"}'}),
            (S, "AGENT_EVENT_TOOL_RESULT", {"tool_name": "search", "result": 1}),
            (S, "AGENT_EVENT_END", {"tokens_used": 3}),
            (C, "USER_MESSAGE", {"text": "again"}),
            (S, "ERROR", {"code": "X", "details": "y"}),
            (S, "GRACEFUL_DISCONNECT", None),
        )
        == []
    )


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([(S, "AGENT_EVENT_TEXT_CHUNK", {})], ["P001"]),
        ([(C, "USER_MESSAGE", {}), (S, "STATUS", None)], ["P002", "P009", "P007"]),
        ([(S, "STATUS", None), (S, "AGENT_EVENT_END", {})], ["P003"]),
        ([(S, "STATUS", None), (C, "USER_MESSAGE", {}), (C, "USER_MESSAGE", {})], ["P004", "P007"]),
        ([(S, "STATUS", None), (S, "GRACEFUL_DISCONNECT", None), (S, "STATUS", None)], ["P005"]),
        (
            [(S, "STATUS", None), (C, "USER_MESSAGE", {}), (S, "GRACEFUL_DISCONNECT", None)],
            ["P006"],
        ),
        ([(S, "STATUS", None), (C, "USER_MESSAGE", {})], ["P007"]),
        ([(S, "STATUS", None), (C, "STATUS", None)], ["P008"]),
        ([(S, "STATUS", None), (S, "USER_MESSAGE", {})], ["P008"]),
        ([(S, "STATUS", None), (S, "BRAND_NEW_TYPE", {})], ["W001"]),
    ],
)
def test_each_ordering_rule(messages: list[Any], expected: list[str]) -> None:
    assert play(*messages) == expected


def test_one_mistake_is_reported_once() -> None:
    # After an event outside a response the conversation goes on as IDLE.
    events = [(S, "AGENT_EVENT_TEXT_CHUNK", {"text": "x"})] * 3
    assert play((S, "STATUS", None), *events, (C, "USER_MESSAGE", {})) == ["P003"] * 3 + ["P007"]


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([{"args_chunk": "{}"}], ["T001"]),
        ([{"tool_name": "a", "args_chunk": "{"}, {"args_chunk": '"x": 1'}], ["T002"]),
        ([{"tool_name": "a"}], []),
        (
            [{"tool_name": "a", "args_chunk": "[1,"}, {"tool_name": "b", "args_chunk": "{}"}],
            ["T002"],
        ),
        (
            [
                {"tool_name": "a", "args_chunk": '{"x":', "source": "main"},
                {"tool_name": "b", "args_chunk": "{}", "source": "tools:sub"},
                {"args_chunk": "1}", "source": "main"},
            ],
            [],
        ),
    ],
)
def test_tool_call_arguments(chunks: list[dict[str, Any]], expected: list[str]) -> None:
    messages = [(S, "AGENT_EVENT_TOOL_CALL_CHUNK", c) for c in chunks]
    assert (
        play(
            (S, "STATUS", None),
            (C, "USER_MESSAGE", {}),
            *messages,
            (S, "AGENT_EVENT_END", {"tokens_used": 1}),
        )
        == expected
    )


def test_tool_result_needs_a_call_of_that_tool_in_the_same_response() -> None:
    call = (S, "AGENT_EVENT_TOOL_CALL_CHUNK", {"tool_name": "a", "args_chunk": "{}"})
    end = (S, "AGENT_EVENT_END", {"tokens_used": 1})
    ask = (C, "USER_MESSAGE", {})
    assert play(
        (S, "STATUS", None), ask, call, (S, "AGENT_EVENT_TOOL_RESULT", {"tool_name": "b"}), end
    ) == ["T003"]
    # A call in an earlier response does not count.
    assert play(
        (S, "STATUS", None),
        ask,
        call,
        end,
        ask,
        (S, "AGENT_EVENT_TOOL_RESULT", {"tool_name": "a"}),
        end,
    ) == ["T003"]


def test_an_unterminated_tool_call_is_checked_when_the_response_ends() -> None:
    assert play(
        (S, "STATUS", None),
        (C, "USER_MESSAGE", {}),
        (S, "AGENT_EVENT_TOOL_CALL_CHUNK", {"tool_name": "a", "args_chunk": "{"}),
    ) == ["P007", "T002"]


def test_steps_say_what_belongs_to_the_response() -> None:
    conversation = Conversation()
    assert not conversation.observe(S, "STATUS").in_response
    assert not conversation.observe(S, "AGENT_EVENT_TEXT_CHUNK", {}).in_response
    conversation.observe(C, "USER_MESSAGE", {})
    chunk = conversation.observe(S, "AGENT_EVENT_TEXT_CHUNK", {"text": "a"})
    assert chunk.in_response
    assert not chunk.ends_response
    end = conversation.observe(S, "AGENT_EVENT_END", {"tokens_used": 1})
    assert end.in_response
    assert end.ends_response
    assert conversation.state is State.IDLE
