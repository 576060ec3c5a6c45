"""The JSON parsers of protocol.messages: exactly JSON (RFC 8259), exactly the schema."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lambda_agent_api.protocol.messages import (
    MsgEventEnd,
    MsgEventTextChunk,
    MsgUserMessage,
    parse_client_message,
    parse_server_message,
)


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "a", "result": NaN}',
        '{"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {"p": -Infinity}}',
        '{"type": "STATUS", "extra": Infinity}',
        b'{"type": "AGENT_EVENT_END", "tokens_used": NaN}',
    ],
)
def test_nan_and_infinity_are_not_json(text: str | bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_server_message(text)
    assert caught.value.errors()[0]["type"] == "json_invalid"
    assert "is not a JSON value" in str(caught.value)


def test_the_words_nan_and_infinity_in_strings_are_fine() -> None:
    message = parse_server_message('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "NaN, Infinity"}')
    assert message == MsgEventTextChunk(text="NaN, Infinity")


def test_a_lone_surrogate_escape_is_json() -> None:
    message = parse_server_message('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "\\ud800"}')
    assert isinstance(message, MsgEventTextChunk)
    assert message.text == "\ud800"


def test_bytes_and_huge_integers() -> None:
    assert parse_server_message(b'{"type": "AGENT_EVENT_END", "tokens_used": 7}') == MsgEventEnd(
        tokens_used=7
    )
    digits = "9" * 5000  # beyond Python's int-from-text limit, still a JSON integer
    frame = '{"type": "AGENT_EVENT_END", "tokens_used": ' + digits + "}"
    with pytest.raises(ValidationError, match="an integer of 5000 digits"):
        parse_server_message(frame)  # beyond the limit of lambda_agent_api.protocol.limits
    message = parse_server_message(frame, max_number_digits=5000)
    assert isinstance(message, MsgEventEnd)
    assert message.tokens_used == int(digits[:4000]) * 10**1000 + int(digits[4000:])
    with pytest.raises(ValidationError, match="an integer of 5 digits"):
        parse_client_message(
            '{"type": "USER_MESSAGE", "text": "", "n": 12345}', max_number_digits=4
        )


def test_not_json_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        parse_client_message("not json")
    assert parse_client_message('{"type": "USER_MESSAGE", "text": "x"}') == MsgUserMessage(text="x")
