"""Conversation's shortcut for quiet events changes no step: checked against the table walk."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.examples import examples

from lambda_agent_api.protocol import conversation as conversation_module
from lambda_agent_api.protocol.conversation import Conversation, Step
from lambda_agent_api.protocol.messages import CLIENT_MESSAGE_CLASSES, SERVER_MESSAGE_CLASSES
from lambda_agent_api.protocol.transitions import Role

TYPES = [*sorted({**SERVER_MESSAGE_CLASSES, **CLIENT_MESSAGE_CLASSES}), "NEW_TYPE"]
fields = st.fixed_dictionaries(
    {},
    optional={
        "tool_name": st.sampled_from(["a", "b", None]),
        "args_chunk": st.sampled_from(["{", "}", "{}", '"x"', None]),
        "source": st.sampled_from(["main", "tools:x"]),
    },
)
anything = st.tuples(st.sampled_from(list(Role)), st.sampled_from(TYPES), fields)
# Mostly what a server sends while responding, so that responses with tool calls
# open and closed in every order are common.
likely = st.tuples(
    st.just(Role.SERVER),
    st.sampled_from(
        [
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_CUSTOM_UPDATE",
            "AGENT_EVENT_SEND_FILE",
            "AGENT_EVENT_TOOL_CALL_CHUNK",
            "AGENT_EVENT_TOOL_CALL_CHUNK",
            "AGENT_EVENT_TOOL_RESULT",
        ]
    ),
    fields,
)
start = [(Role.SERVER, "STATUS", {}), (Role.CLIENT, "USER_MESSAGE", {})]
messages = st.lists(st.one_of(likely, likely, anything), max_size=40).map(lambda m: start + m)


def play(sequence: list[tuple[Role, str, dict[str, Any]]]) -> list[Step]:
    conversation = Conversation()
    steps = [conversation.observe(role, type_, message) for role, type_, message in sequence]
    return [*steps, conversation.end()]


@settings(max_examples=examples(300))
@given(messages)
def test_the_shortcut_gives_the_same_steps(sequence: list[Any]) -> None:
    fast = play(sequence)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conversation_module, "_QUIET_EVENTS", {})
        slow = play(sequence)
    assert fast == slow
