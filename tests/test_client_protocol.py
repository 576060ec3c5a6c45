"""The client's sans-I/O layer: where each frame goes, and which error it raises."""

from __future__ import annotations

import json

import pytest

from lambda_agent_api.exceptions import AgentBusyException, AgentException
from lambda_agent_api.protocol.client_protocol import ClientProtocol, UnknownMessage
from lambda_agent_api.protocol.messages import MsgError, MsgEventEnd, MsgEventTextChunk, MsgStatus
from lambda_agent_api.protocol.transitions import State

STATUS = '{"type": "STATUS"}'
CHUNK = '{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "hi"}'
END = '{"type": "AGENT_EVENT_END", "tokens_used": 3}'


def ready() -> ClientProtocol:
    protocol = ClientProtocol()
    protocol.receive_status(STATUS)
    return protocol


def responding() -> ClientProtocol:
    protocol = ready()
    protocol.send_user_message("hello")
    return protocol


def test_status_opens_the_conversation() -> None:
    protocol = ClientProtocol()
    assert isinstance(protocol.receive_status(STATUS), MsgStatus)
    assert protocol.state is State.IDLE


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00\x01", "UNEXPECTED_MSG_TYPE"),
        (CHUNK, "INVALID_STATUS"),
        ('{"type": "SOMETHING_NEW"}', "INVALID_STATUS"),
        ("not json", "PARSE_ERROR"),
        ('{"type": "ERROR"}', "PARSE_ERROR"),
    ],
)
def test_a_first_frame_other_than_status_fails(frame: str | bytes, code: str) -> None:
    with pytest.raises(AgentException) as caught:
        ClientProtocol().receive_status(frame)
    assert caught.value.code == code


def test_user_message_is_the_v1_1_json() -> None:
    frame = ready().send_user_message("hi", ["a.txt"])
    assert json.loads(frame) == {"type": "USER_MESSAGE", "text": "hi", "attachments": ["a.txt"]}


def test_sending_needs_status_and_no_response_in_flight() -> None:
    with pytest.raises(AgentException) as caught:
        ClientProtocol().send_user_message("hi")
    assert caught.value.code == "NOT_CONNECTED"
    with pytest.raises(AgentBusyException):
        responding().send_user_message("again")


@pytest.mark.parametrize(("text", "attachments"), [(1, None), ("hi", "a.txt"), ("hi", [1])])
def test_bad_arguments_are_type_errors(text: object, attachments: object) -> None:
    with pytest.raises(TypeError):
        ready().send_user_message(text, attachments)  # type: ignore[arg-type]


def test_events_of_a_response_go_to_the_caller_and_end_goes_last() -> None:
    protocol = responding()
    chunk = protocol.receive(CHUNK)
    assert isinstance(chunk.message, MsgEventTextChunk)
    assert (chunk.for_response, chunk.ends_response, chunk.for_callback) == (True, False, False)
    end = protocol.receive(END)
    assert isinstance(end.message, MsgEventEnd)
    assert (end.for_response, end.ends_response) == (True, True)
    assert protocol.state is State.IDLE


def test_an_event_outside_a_response_goes_to_the_callback_with_p003() -> None:
    received = ready().receive(CHUNK)
    assert (received.for_response, received.for_callback) == (False, True)
    assert received.step is not None
    assert [f.rule.id for f in received.step.findings] == ["P003"]


def test_error_in_a_response_is_raised_and_also_given_to_the_callback() -> None:
    received = responding().receive('{"type": "ERROR", "code": "BOOM", "details": "it broke"}')
    assert isinstance(received.message, MsgError)
    assert received.error is not None
    assert (received.error.code, received.error.details) == ("BOOM", "it broke")
    assert (received.for_response, received.ends_response, received.for_callback) == (
        True,
        True,
        True,
    )


def test_unknown_type_goes_to_the_callback_and_the_response_goes_on() -> None:
    protocol = responding()
    received = protocol.receive('{"type": "AGENT_EVENT_THINKING", "text": "hmm"}')
    assert received.message == UnknownMessage(
        "AGENT_EVENT_THINKING", {"type": "AGENT_EVENT_THINKING", "text": "hmm"}
    )
    assert (received.for_response, received.for_callback, received.error) == (False, True, None)
    assert protocol.responding
    assert protocol.receive(END).ends_response


@pytest.mark.parametrize(
    "frame", ["not json", "[1, 2]", '{"no": "type"}', b"binary", '{"type": "AGENT_EVENT_END"}']
)
def test_a_malformed_frame_is_a_parse_error_for_the_caller(frame: str | bytes) -> None:
    received = responding().receive(frame)
    assert received.message is None
    assert received.error is not None
    assert received.error.code == "PARSE_ERROR"
    assert (received.for_response, received.ends_response) == (True, True)


def test_a_malformed_end_still_ends_the_response() -> None:
    protocol = responding()
    protocol.receive('{"type": "AGENT_EVENT_END", "tokens_used": "many"}')
    assert protocol.state is State.IDLE


def test_a_garbage_frame_does_not_move_the_conversation() -> None:
    protocol = responding()
    protocol.receive("garbage")
    assert protocol.responding


def test_graceful_disconnect_mid_response_cuts_the_response() -> None:
    received = responding().receive('{"type": "GRACEFUL_DISCONNECT"}')
    assert received.disconnect
    assert received.for_callback
    assert received.error is not None
    assert received.error.code == "CONNECTION_CLOSED"
    idle = ready().receive('{"type": "GRACEFUL_DISCONNECT"}')
    assert idle.disconnect
    assert idle.error is None
    assert not idle.for_response


def test_connection_lost_mid_response_names_code_and_reason() -> None:
    error = responding().connection_lost(1011, "internal error")
    assert error is not None
    assert (error.code, error.close_code, error.close_reason) == (
        "CONNECTION_CLOSED",
        1011,
        "internal error",
    )
    assert "1011" in error.details
    assert "internal error" in error.details
    assert ready().connection_lost(1000, "") is None


def test_a_frame_with_nan_is_not_json_and_moves_nothing() -> None:
    # The client read a frame pydantic refused with json.loads, which takes NaN: it then
    # recorded a tool result (T003) that the validator, reading RFC 8259, never saw.
    protocol = responding()
    received = protocol.receive('{"type":"AGENT_EVENT_TOOL_RESULT","tool_name":"x","result":NaN}')
    assert received.step is None
    assert received.error is not None
    assert received.error.code == "PARSE_ERROR"
    assert "not JSON" in received.error.details
    assert protocol.state is State.RESPONDING


def test_an_end_with_an_integer_too_long_still_ends_the_response() -> None:
    # As the validator reads it (F006, the rest checked with a stand-in): the response ends.
    protocol = responding()
    received = protocol.receive('{"type":"AGENT_EVENT_END","tokens_used":' + "9" * 5000 + "}")
    assert received.error is not None
    assert received.error.code == "PARSE_ERROR"
    assert received.ends_response
    assert protocol.state is State.IDLE
