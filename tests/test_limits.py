"""The input limits (lambda_agent_api.protocol.limits), and what they bound."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from lambda_agent_api.protocol.limits import (
    MAX_NUMBER_DIGITS,
    NumberTooLong,
    check_number_digits,
    find_long_number,
)
from lambda_agent_api.protocol.messages import parse_client_message, parse_server_message
from lambda_agent_api.testing import MockServer
from lambda_agent_api.transport.proxy import RecordingProxy

MILLION = "9" * 1_000_000


@pytest.mark.parametrize(
    ("text", "digits", "offset"),
    [
        ('{"a": 12345}', 5, 6),
        ('{"a": -12345}', 5, 6),
        ("[1, 2, 12345]", 5, 7),
        ('["\\"", 12345]', 5, 7),  # an escaped quote does not end a string
        ('["\\\\", 12345]', 5, 7),  # an escaped backslash does not escape the quote
        ('"é", 12345', 5, 5),  # offsets count characters of a str
        (b'"\xc3\xa9", 12345', 5, 6),  # and bytes of bytes
        (bytearray(b"12345"), 5, 0),
        (memoryview(b"[12345]"), 5, 1),
    ],
)
def test_an_integer_of_too_many_digits_is_found(
    text: str | bytes | bytearray | memoryview, digits: int, offset: int
) -> None:
    found = find_long_number(text, 4)
    assert found is not None
    assert (found.digits, found.limit, found.offset) == (digits, 4, offset)
    with pytest.raises(NumberTooLong, match=f"an integer of {digits} digits at offset {offset}"):
        check_number_digits(text, 4)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1234}',  # at the limit
        '{"a": "12345"}',  # digits in a string
        '{"a": "x\\"12345"}',  # after an escaped quote, still in the string
        '{"a": 1.12345}',  # a fraction
        '{"a": 12345.5}',  # the integer part of a number with a fraction
        '{"a": 1e12345}',  # an exponent
        '{"a": 1E-12345}',
        '{"a": 12345e1}',
        "",
        '"12345',  # a string cut short
    ],
)
def test_digits_that_are_no_long_integer_pass(text: str) -> None:
    assert find_long_number(text, 4) is None
    check_number_digits(text, 4)


def test_the_default_limit_is_python_and_pydantic_s() -> None:
    assert MAX_NUMBER_DIGITS == 4300
    assert find_long_number("9" * 4300) is None
    assert find_long_number("9" * 4301) is not None
    with pytest.raises(ValueError, match="at least 1"):
        find_long_number("1", 0)


def test_a_million_digit_tokens_used_is_refused_not_converted() -> None:
    # Converting it would take half a minute; the check is linear, before any parser.
    frame = '{"type": "AGENT_EVENT_END", "tokens_used": ' + MILLION + "}"
    with pytest.raises(ValidationError, match="an integer of 1000000 digits at offset 43"):
        parse_server_message(frame)
    with pytest.raises(ValidationError, match="an integer of 1000000 digits"):
        parse_client_message('{"type": "USER_MESSAGE", "text": "x", "n": -' + MILLION + "}")
    # Digits in a string are text: a million of them is a valid chunk.
    chunk = parse_server_message(json.dumps({"type": "AGENT_EVENT_TEXT_CHUNK", "text": MILLION}))
    assert chunk.text == MILLION  # type: ignore[union-attr]


async def test_the_test_server_closes_a_client_that_sends_a_frame_over_its_limit() -> None:
    async with MockServer(max_size=1000) as server:
        async with connect(server.url(), max_size=None) as ws:
            assert json.loads(await ws.recv())["type"] == "STATUS"
            await ws.send(json.dumps({"type": "USER_MESSAGE", "text": "x" * 2000}))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009  # message too big
        assert server.received == []


async def test_the_test_server_refuses_a_long_integer_as_a_finding() -> None:
    async with MockServer() as server:
        async with connect(server.url(), max_size=None) as ws:
            await ws.recv()
            await ws.send('{"type": "USER_MESSAGE", "text": "x", "n": ' + "9" * 100_000 + "}")
            await ws.send('{"type": "USER_MESSAGE", "text": "still served"}')
            texts = []
            while not texts or json.loads(texts[-1])["type"] != "AGENT_EVENT_END":
                texts.append(await ws.recv())
        assert [f.finding.rule.id for f in server.findings] == ["S001"]
        assert "an integer of 100000 digits" in server.findings[0].finding.message


async def test_the_record_proxy_closes_a_side_that_sends_a_frame_over_its_limit() -> None:
    async with (
        MockServer() as server,
        RecordingProxy(server.base_url, max_size=1000) as proxy,
        connect(f"{proxy.base_url}v1/agent_ws/1/", max_size=None) as ws,
    ):
        assert json.loads(await ws.recv())["type"] == "STATUS"
        await ws.send(json.dumps({"type": "USER_MESSAGE", "text": "x" * 2000}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert server.received == []  # never forwarded
