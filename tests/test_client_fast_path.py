"""The client's hot path (``ClientProtocol.receive_event``) says what the precise path says.

``receive_event`` parses with pydantic-core directly and skips the conversation for
the quiet events of a response; :meth:`ClientProtocol.receive` with the general,
unhurried parser (``messages._parse``: RFC 8259 JSON, the digit limit, the schema)
is the reference. On every message fixture, on hostile frames (``NaN``,
``Infinity``, lone surrogates, integers past the limit, duplicate keys, garbage) and
on hypothesis-drawn frames, in every state a frame can meet, both give the same
message, the same error, the same routing, and leave the conversation alike.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.examples import examples
from support.fixtures import message_fixtures
from support.strategies import instances, mutated

from lambda_agent_api.protocol.client_protocol import ClientProtocol, Received
from lambda_agent_api.protocol.limits import MAX_NUMBER_DIGITS
from lambda_agent_api.protocol.messages import (
    SERVER_MESSAGE_CLASSES,
    ServerMessage,
    _parse,
    parse_server_message,
)

STATUS = '{"type": "STATUS"}'
TOOL_CALL = '{"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "t", "args_chunk": "{"}'
CHUNK = '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"hi"}'
STATES = ["connecting", "idle", "responding", "tool-call-open", "1.0-responding"]

HOSTILE: list[str | bytes] = [
    CHUNK,
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"NaN, Infinity and -Infinity, in a string"}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x","n":NaN}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x","n":Infinity}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x","n":[-Infinity]}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":NaN,"text":"x"}',
    '{"type":"AGENT_EVENT_CUSTOM_UPDATE","payload":{"progress":NaN}}',
    '{"type":"AGENT_EVENT_TOOL_RESULT","tool_name":"t","result":Infinity}',
    '{"type":"AGENT_EVENT_END","tokens_used":NaN}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\ud800"}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\udc00 and NaN"}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a","text":"b"}',
    '{"type":"AGENT_EVENT_END","type":"AGENT_EVENT_TEXT_CHUNK","text":"a"}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","type":"AGENT_EVENT_END","tokens_used":1}',
    '{"type":"AGENT_EVENT_END","tokens_used":' + "9" * MAX_NUMBER_DIGITS + "}",
    '{"type":"AGENT_EVENT_END","tokens_used":' + "9" * (MAX_NUMBER_DIGITS + 1) + "}",
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x","n":' + "9" * 100_000 + "}",
    '{"type":"AGENT_EVENT_CUSTOM_UPDATE","payload":{"a":' + "[" * 5000 + "]" * 5000 + "}}",
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x"} trailing',
    '\ufeff{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x"}',
    '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x",}',
    '{"type":"ERROR","code":"E","details":"d"}',
    '{"type":"AGENT_EVENT_END","tokens_used":3}',
    '{"type":"GRACEFUL_DISCONNECT"}',
    '{"type":"STATUS"}',
    '{"type":"USER_MESSAGE","text":"x","attachments":[]}',
    '{"type":"SOMETHING_NEW","n":1}',
    '{"type":"SOMETHING_NEW","n":NaN}',
    TOOL_CALL,
    '{"type":"AGENT_EVENT_TOOL_RESULT","tool_name":"t","result":1}',
    "",
    "not json",
    "[]",
    '{"type":5}',
    b'{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x"}',
    b"\x00\xff",
]


def in_state(state: str, *, precise: bool) -> ClientProtocol:
    """A client protocol in ``state``; ``precise``: its parser is the general one."""
    protocol = ClientProtocol("1.0" if state.startswith("1.0") else None)
    if precise:
        adapter = ServerMessage if protocol.version != "1.0" else protocol._adapter
        protocol._parse = partial(_parse, adapter, max_number_digits=MAX_NUMBER_DIGITS)
    if state == "connecting":
        return protocol
    protocol.receive_status(STATUS)
    if state == "idle":
        return protocol
    protocol.send_user_message("go")
    if state == "tool-call-open":
        protocol.receive(TOOL_CALL)
        assert protocol.conversation._calls
    return protocol


def outcome(result: Received | Any) -> tuple[Any, ...]:
    """What the client does with a frame: a bare event is one for the response in flight."""
    if not isinstance(result, Received):
        result = Received(result, None, None, True)
    error = result.error
    return (
        type(result.message),
        result.message,
        None if error is None else (type(error), error.code, error.details),
        result.for_response,
        result.ends_response,
        result.for_callback,
        result.disconnect,
    )


def assert_same(frame: str | bytes, state: str) -> None:
    fast, precise = in_state(state, precise=False), in_state(state, precise=True)
    assert outcome(fast.receive_event(frame)) == outcome(precise.receive(frame))
    assert fast.state is precise.state
    assert fast.conversation._calls.keys() == precise.conversation._calls.keys()
    # And the next frame finds both conversations alike.
    assert outcome(fast.receive_event(CHUNK)) == outcome(precise.receive(CHUNK))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("frame", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_frames_get_the_precise_answer(frame: str | bytes, state: str) -> None:
    assert_same(frame, state)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("fixture", message_fixtures(), ids=lambda f: f.id)
def test_message_fixtures_get_the_precise_answer(fixture: Any, state: str) -> None:
    assert_same(fixture.text, state)


def test_the_hot_path_takes_a_quiet_chunk_without_the_conversation() -> None:
    """The point of the fast path: a text chunk mid-response comes back bare, state unmoved."""
    protocol = in_state("responding", precise=False)
    event = protocol.receive_event(CHUNK)
    assert not isinstance(event, Received)
    assert event.text == "hi"
    assert protocol.responding


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """A drawn server message as JSON text, sometimes made hostile at the text level."""
    type_ = draw(st.sampled_from(sorted(SERVER_MESSAGE_CLASSES)))
    instance = draw(instances(type_) | mutated(type_))
    text = json.dumps(instance)
    if not isinstance(instance, dict) or text == "{}":
        return text
    body = text[1:]
    how = draw(st.integers(0, 5))
    if how == 1:  # a constant pydantic takes and JSON does not
        constant = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
        return '{"zz": ' + constant + ", " + body
    if how == 2:  # a duplicate key, first or last
        key = draw(st.sampled_from(sorted(instance)))
        value = json.dumps(draw(st.sampled_from(["x", 1, None, "AGENT_EVENT_END", 1.5])))
        return "{" + json.dumps(key) + ": " + value + ", " + body
    if how == 3:  # a lone surrogate
        return '{"zz": "\\ud83d", ' + body
    if how == 4:  # the words in a string
        return '{"zz": "NaN Infinity", ' + body
    return text


@settings(max_examples=examples(300), deadline=None)
@given(text=hostile_text(), state=st.sampled_from(STATES))
def test_drawn_frames_get_the_precise_answer(text: str, state: str) -> None:
    assert_same(text, state)


@settings(max_examples=examples(300), deadline=None)
@given(text=hostile_text())
def test_parse_server_message_is_the_general_parser(text: str) -> None:
    def parsed(parse: Any) -> Any:
        try:
            return ("ok", parse(text))
        except ValueError as error:  # pydantic.ValidationError is one
            return ("error", str(error))

    assert parsed(parse_server_message) == parsed(
        partial(_parse, ServerMessage, max_number_digits=MAX_NUMBER_DIGITS)
    )
