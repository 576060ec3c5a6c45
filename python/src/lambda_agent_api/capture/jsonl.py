"""The JSON Lines readers: the capture format (``jsonl``) and bare messages (``messages``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Final, NamedTuple

from pydantic_core import from_json

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
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.limits import MAX_NUMBER_DIGITS, MAX_OPEN_CONNECTIONS, NumberTooLong
from lambda_agent_api.protocol.strict_json import kind as _json_kind
from lambda_agent_api.protocol.strict_json import show as _show

__all__ = ["read_lines"]

# JSON Lines

_BLOCK: Final = 1 << 20


def _reader(stream: BinaryIO, source: str) -> Callable[[int], bytes]:
    """Return ``stream.read``, turning an OSError into a CaptureError."""

    def read(size: int) -> bytes:
        try:
            return stream.read(size)
        except OSError as error:
            raise CaptureError(f"{source}: cannot read: {error.strerror or error}") from error

    return read


def _line_batches(
    stream: BinaryIO, source: str, head: bytes, limit: int
) -> Iterator[tuple[list[bytes | None], bool]]:
    """Yield the lines of ``head`` and the rest of the stream, in batches, without newlines.

    Each batch comes with whether its last line ended with a newline. A line
    longer than ``limit`` is thrown away as it is read and stands as None.
    Splitting large blocks is much faster than reading line by line.
    """
    read = _reader(stream, source)
    carry: list[bytes] = []  # the start of a line that goes on in the next block
    carried = 0
    too_long = False
    block = head
    while True:
        if not block:
            block = read(_BLOCK)
            if not block:
                break
        parts = block.split(b"\n")
        tail = parts.pop()  # what follows the last newline: the start of the next line
        block = b""
        if not parts:  # no newline in the block: the line goes on
            carried += len(tail)
            if too_long or carried > limit:
                too_long, carry = True, []
            else:
                carry.append(tail)
            continue
        first = parts[0]
        lines: list[bytes | None] = list(parts)
        if too_long or carried + len(first) > limit:
            lines[0] = None
        elif carry:
            lines[0] = b"".join([*carry, first])
        if limit < _BLOCK:  # only then can a whole line of a block be too long
            lines = [None if line is not None and len(line) > limit else line for line in lines]
        yield lines, True
        carry, carried, too_long = [tail], len(tail), len(tail) > limit
    if too_long:
        yield [None], False
    elif carried:
        yield [b"".join(carry)], False


def read_lines(
    stream: BinaryIO,
    source: str,
    format: CaptureFormat,
    head: bytes,
    limit: int,
    max_number_digits: int = MAX_NUMBER_DIGITS,
    max_open_connections: int = MAX_OPEN_CONNECTIONS,
) -> Iterator[CaptureItem]:
    """Yield the items of a ``jsonl`` or ``messages`` capture read from ``stream`` (after ``head``).

    A line longer than ``limit`` bytes is reported as a :class:`BadRecord` and skipped,
    and so is a record holding an integer of more than ``max_number_digits`` digits.
    A close record ends its connection; in a capture without them, when more than
    ``max_open_connections`` are open, the one idle longest is ended.
    """
    if format is CaptureFormat.MESSAGES:
        return _read_messages(stream, source, head, limit)
    return _read_records(stream, source, head, limit, max_number_digits, max_open_connections)


def _read_messages(stream: BinaryIO, source: str, head: bytes, limit: int) -> Iterator[CaptureItem]:
    connection = Connection(source, CaptureFormat.MESSAGES)
    index = 0
    number = 0
    for lines, _ in _line_batches(stream, source, head, limit):
        for line in lines:
            number += 1
            if line is None:
                yield BadRecord(connection, number, f"the line is longer than {limit} bytes")
                continue
            text = line[:-1] if line.endswith(b"\r") else line
            if not text.strip():
                continue
            yield Frame(connection, index, None, text, False, None, number)
            index += 1
    if index:
        yield ConnectionEnd(connection)


def _read_records(
    stream: BinaryIO,
    source: str,
    head: bytes,
    limit: int,
    max_number_digits: int,
    max_open_connections: int = MAX_OPEN_CONNECTIONS,
) -> Iterator[CaptureItem]:
    default = Connection(source, CaptureFormat.JSONL)
    # Each open connection's Connection, how many frames it has had so far, and
    # the line of its last frame (to end the one idle longest when too many are open).
    states: dict[str | None, list[Any]] = {}
    new = tuple.__new__  # builds a Frame without NamedTuple's Python-level __new__
    number = 0
    for lines, terminated in _line_batches(stream, source, head, limit):
        for line in lines:
            number += 1
            # The fast path: pydantic-core's JSON parser, and a record as the
            # writer writes it. Anything else goes to _record, which says why
            # a record is unusable, or normalises it.
            if line is None:  # longer than the limit
                fast = False
            else:
                try:
                    record = from_json(line)
                    ts = record["ts"]
                    direction = record["dir"]
                    data = record["data"]
                    conn = record.get("conn")
                    fast = (
                        (direction == "recv" or direction == "send")
                        and type(data) is str
                        and type(ts) is float
                        and ts - ts == 0.0  # finite
                        and (conn is None or type(conn) is str)
                        and "binary" not in record
                    )
                except (ValueError, LookupError, TypeError, AttributeError):
                    fast = False
            binary = False
            if not fast:
                checked = _record(
                    line,
                    number,
                    terminated,  # a batch that is not is one line long
                    default,
                    limit,
                    max_number_digits,
                )
                if checked is None:
                    continue
                if isinstance(checked, BadRecord):
                    yield checked
                    continue
                if isinstance(checked, _Close):
                    ended = states.pop(checked.conn, None)
                    if ended is not None:
                        yield ConnectionEnd(ended[0])
                    continue
                conn, direction, data, binary, ts = checked
            state = states.get(conn)
            if state is None:
                if len(states) >= max_open_connections:
                    yield from _end_idlest(states)
                connection = default if conn is None else Connection(source, default.format, conn)
                state = states[conn] = [connection, 0, number]
            index = state[1]
            state[1] = index + 1
            state[2] = number
            yield new(Frame, (state[0], index, direction, data, binary, ts, number))
    for connection, _, _ in states.values():
        yield ConnectionEnd(connection)


def _end_idlest(states: dict[str | None, list[Any]]) -> Iterator[ConnectionEnd]:
    """End the half of the open connections that have been idle longest.

    Only a capture without close records gets here; a sort per batch, once per
    many new connections.
    """
    idlest = sorted(states, key=lambda conn: states[conn][2])[: max(1, len(states) // 2)]
    for conn in idlest:
        yield ConnectionEnd(states.pop(conn)[0])


class _Close(NamedTuple):
    """A close record: the connection ``conn`` ended."""

    conn: str | None


def _record(
    line: bytes | None,
    number: int,
    terminated: bool,
    default: Connection,
    limit: int,
    max_number_digits: int,
) -> BadRecord | _Close | tuple[str | None, Direction, str | bytes, bool, float] | None:
    """Check a record the fast path passed over.

    Return None (a blank line, or an event this version does not know), a
    BadRecord, a close record, or a frame's fields.
    """
    if line is None:
        return BadRecord(default, number, f"the line is longer than {limit} bytes")
    if not line.strip():
        return None
    try:
        record = from_json(line)
    except ValueError:
        record = _parse_record(line, terminated, max_number_digits)
        if isinstance(record, str):
            return BadRecord(default, number, record)
    if type(record) is not dict:
        return BadRecord(default, number, f"the line holds {_json_kind(record)}, not an object")
    event: Any = record.get("event")
    if event is not None and "dir" not in record:
        conn_id: Any = record.get("conn")
        if event != "close":
            return None  # an event of a later version of the format: ignored
        if conn_id is not None and type(conn_id) is not str and type(conn_id) is not int:
            return BadRecord(default, number, f'"conn" is {_json_kind(conn_id)}, not a string')
        return _Close(None if conn_id is None else str(conn_id))
    ts: Any = record.get("ts")
    direction: Any = record.get("dir")
    data: Any = record.get("data")
    conn: Any = record.get("conn")
    binary: Any = record.get("binary", False)
    problem = _record_problem(ts, direction, data, conn, binary)
    if problem:
        return BadRecord(default, number, problem)
    key = None if conn is None else str(conn)  # 7 and "7" are the same connection
    frame: str | bytes = data
    if binary:
        try:
            frame = _b64decode(data)
        except ValueError:
            return BadRecord(default, number, "the binary frame's data is not base64")
    return key, direction, frame, binary, float(ts)


def _parse_record(line: bytes, terminated: bool, max_number_digits: int) -> Any:
    """Parse a line pydantic-core refused; return the value, or a sentence saying why not."""
    # Keep invalid UTF-8 (as lone surrogates) rather than reject the line: the
    # frame it carries is then reported as not UTF-8, which is more precise.
    text = line.decode("utf-8", "surrogateescape")
    try:
        return strict_json.loads(text, max_number_digits=max_number_digits)
    except NumberTooLong as error:
        return f"the record holds {error}"
    except ValueError as error:
        reason = str(error)
        if not terminated:
            reason += " (the line is cut short)"
        return f"the line is not JSON: {reason}"


def _record_problem(ts: Any, direction: Any, data: Any, conn: Any, binary: Any) -> str | None:
    """Say what makes a capture record unusable, or return None."""
    if direction != SEND and direction != RECV:
        if direction is None:
            return 'the record has no "dir" (one of "send", "recv")'
        return f'"dir" is {_show(direction, 40)}, not "send" or "recv"'
    if type(data) is not str:
        if data is None:
            return 'the record has no "data" (the frame\'s text)'
        return f'"data" is {_json_kind(data)}, not a string'
    if not isinstance(ts, (float, int)) or isinstance(ts, bool):
        if ts is None:
            return 'the record has no "ts" (seconds since the epoch)'
        return f'"ts" is {_json_kind(ts)}, not a number'
    try:
        finite = math.isfinite(ts)
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        return '"ts" is not a finite number'
    if conn is not None and type(conn) is not str and type(conn) is not int:
        return f'"conn" is {_json_kind(conn)}, not a string or an integer'
    if binary is not False and binary is not True:
        return f'"binary" is {_json_kind(binary)}, not a boolean'
    return None


def _b64decode(data: str) -> bytes:
    import base64

    try:
        return base64.b64decode(data, validate=True)
    except (ValueError, TypeError) as error:
        raise ValueError(str(error)) from error
