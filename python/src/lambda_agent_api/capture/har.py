r"""The HAR reader: WebSocket frames out of a browser's HAR export, streamed.

Chrome and Edge export a WebSocket connection as a HAR entry whose
``_webSocketMessages`` lists its frames::

    {"log": {"entries": [
      {"_resourceType": "websocket", "request": {"url": "wss://..."},
       "_webSocketMessages": [
         {"type": "receive", "time": 1712345678.1, "opcode": 1, "data": "{\"type\":...}"},
         {"type": "send", "time": 1712345678.2, "opcode": 1, "data": "..."}]}]}}

``send`` and ``receive`` are the browser's point of view, which is the
client's. Opcode 1 is a text frame, 2 a binary one (``data`` in base64);
the control opcodes 8, 9 and 10 (close, ping, pong) carry no message and
are passed over. Every other entry, and every other key, is skipped without
being built, so a HAR full of large HTTP bodies reads in flat memory.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Iterator
from typing import BinaryIO, Final

from lambda_agent_api.capture.format import (
    RECV,
    SEND,
    BadRecord,
    CaptureFormat,
    CaptureItem,
    Connection,
    ConnectionEnd,
    Direction,
    Frame,
)
from lambda_agent_api.capture.json_stream import TOO_LONG, JsonStream, JsonStreamError
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.protocol.limits import MAX_DEPTH, MAX_KEY_CHARS, MAX_NUMBER_DIGITS
from lambda_agent_api.protocol.strict_json import show as _show

__all__ = ["read_har"]

_DIRECTIONS: Final[dict[object, Direction]] = {"send": SEND, "receive": RECV}
_TEXT, _BINARY = 1, 2
_CONTROL: Final = frozenset({8, 9, 10})
_MESSAGE_KEYS: Final = ("type", "time", "opcode", "data")


def read_har(
    stream: BinaryIO,
    source: str,
    head: bytes,
    limit: int,
    *,
    max_number_digits: int = MAX_NUMBER_DIGITS,
    max_key_chars: int = MAX_KEY_CHARS,
    max_depth: int = MAX_DEPTH,
) -> Iterator[CaptureItem]:
    """Yield the WebSocket frames of a HAR document read from ``stream`` (after ``head``).

    ``limit`` bounds the strings read (a longer one is reported and skipped); the
    other limits are :class:`~lambda_agent_api._json_stream.JsonStream`'s.

    Raises:
        CaptureError: the document is not JSON, or not a HAR.
    """
    json = JsonStream(
        _Reading(stream, source),
        head,
        max_key_chars=max_key_chars,
        max_number_digits=max_number_digits,
        max_depth=max_depth,
    )
    try:
        if json.peek() != "{":
            raise CaptureError(f"{source}: not a HAR file: it does not start with a JSON object")
        found_log = False
        for key in json.object_keys():
            if key != "log":
                json.skip()
                continue
            found_log = True
            yield from _read_log(json, source, limit)
        if not found_log:
            raise CaptureError(f'{source}: not a HAR file: it has no "log" object')
        json.end()
    except JsonStreamError as error:
        raise CaptureError(f"{source}: broken JSON: {error}") from error


class _Reading:
    """A binary stream whose read errors are CaptureErrors."""

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self._stream = stream
        self._source = source

    def read(self, size: int) -> bytes:
        try:
            return self._stream.read(size)
        except OSError as error:
            reason = error.strerror or error
            raise CaptureError(f"{self._source}: cannot read: {reason}") from error


def _read_log(json: JsonStream, source: str, limit: int) -> Iterator[CaptureItem]:
    if json.peek() != "{":
        raise CaptureError(f'{source}: not a HAR file: "log" is not an object')
    found_entries = False
    for key in json.object_keys():
        if key != "entries":
            json.skip()
            continue
        found_entries = True
        if json.peek() != "[":
            raise CaptureError(f'{source}: not a HAR file: "log.entries" is not an array')
        for index in json.array_items():
            yield from _read_entry(json, source, index, limit)
    if not found_entries:
        raise CaptureError(f'{source}: not a HAR file: "log" has no "entries"')


def _read_entry(json: JsonStream, source: str, index: int, limit: int) -> Iterator[CaptureItem]:
    if json.peek() != "{":
        json.skip()  # not an entry; a HAR tool would choke, we just pass it over
        return
    url: str | None = None
    connection: Connection | None = None
    count = 0
    for key in json.object_keys():
        if key == "request" and json.peek() == "{":
            for request_key in json.object_keys():
                value = json.read_scalar(limit) if request_key == "url" else json.skip()
                if request_key == "url" and isinstance(value, str):
                    url = value
        elif key == "_webSocketMessages" and json.peek() == "[":
            connection = connection or Connection(
                source, CaptureFormat.HAR, f"entries[{index}]", index, url
            )
            for position in json.array_items():
                item = _read_message(json, connection, count, position, limit)
                if isinstance(item, Frame):
                    count += 1
                if item is not None:
                    yield item
        else:
            json.skip()
    if connection is not None:
        yield ConnectionEnd(connection)


def _read_message(
    json: JsonStream, connection: Connection, index: int, position: int, limit: int
) -> Frame | BadRecord | None:
    if json.peek() != "{":
        kind = json.skip()
        return BadRecord(connection, position, f"the message is {_article(kind)}, not an object")
    fields: dict[str, object] = {}
    for key in json.object_keys():
        if key in _MESSAGE_KEYS and json.peek() not in ("{", "["):
            fields[key] = json.read_scalar(limit)
        else:
            json.skip()

    for key in ("type", "time", "opcode"):
        if fields.get(key) is TOO_LONG:
            return BadRecord(connection, position, f'"{key}" is longer than the limits allow')
    message_type = fields.get("type")
    if message_type == "error":
        reason = f"the browser recorded an error: {_show(fields.get('data'), 200)}"
        return BadRecord(connection, position, reason, True)
    direction = _DIRECTIONS.get(message_type)
    if direction is None:
        reason = f'"type" is {_show(message_type, 40)}, not "send" or "receive"'
        return BadRecord(connection, position, reason)
    data = fields.get("data")
    if data is TOO_LONG:
        return BadRecord(connection, position, f'"data" is longer than {limit} characters')
    if not isinstance(data, str):
        return BadRecord(connection, position, 'the message has no "data" string')
    opcode = fields.get("opcode", _TEXT)
    ts = _seconds(fields.get("time"))
    if type(opcode) is not int:  # true == 1 in Python, not in a HAR
        return BadRecord(connection, position, f'"opcode" is {_show(opcode, 40)}, not a number')
    if opcode == _TEXT:
        return Frame(connection, index, direction, data, False, ts, position)
    if opcode == _BINARY:
        try:
            payload = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return BadRecord(connection, position, "the binary frame's data is not base64")
        return Frame(connection, index, direction, payload, True, ts, position)
    if opcode in _CONTROL:
        return None
    return BadRecord(
        connection, position, f'"opcode" is {_show(opcode, 40)}, not 1 (text) or 2 (binary)'
    )


def _seconds(time: object) -> float | None:
    if not isinstance(time, (int, float)) or isinstance(time, bool):
        return None
    try:
        ts = float(time)
    except OverflowError:
        return None
    return ts if math.isfinite(ts) else None


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
