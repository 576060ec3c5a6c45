"""Captured WebSocket traffic: the documented capture format, and readers that stream frames.

Three formats are read, each as a stream (memory stays flat whatever the size):

- ``jsonl``, the package's own capture format: one JSON object per line,
  ``{"ts": 1712.5, "dir": "send", "data": "<the frame's text>"}``, with an
  optional ``"conn"`` (a string or an integer) when one file holds several
  connections, and ``"binary": true`` for a binary frame (``data`` is then
  base64). ``dir`` is seen from the client: ``send`` is what the client
  sent, ``recv`` what it received. Other keys are ignored.
- ``messages``: JSON Lines of bare messages, one frame's text per line; the
  direction is inferred from each message's ``type``.
- ``har``: a HAR file exported from browser devtools; every entry with
  ``_webSocketMessages`` is one connection (``send`` and ``receive`` are
  again the browser's, that is the client's, point of view).

:func:`read_capture` yields :class:`Frame`, :class:`BadRecord` (a record
that is not in its format) and :class:`ConnectionEnd` items;
:func:`detect_format` guesses the format; :class:`CaptureWriter` records
traffic in the ``jsonl`` format.
"""

from __future__ import annotations

import enum
import json
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Final, Literal, NamedTuple, TypeAlias

from pydantic_core import from_json

from lambda_agent_api import _strict_json as strict_json
from lambda_agent_api._strict_json import kind as _json_kind
from lambda_agent_api._strict_json import show as _show
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.limits import (
    MAX_DEPTH,
    MAX_KEY_CHARS,
    MAX_NUMBER_DIGITS,
    MAX_RECORD_BYTES,
    NumberTooLong,
)

__all__ = [
    "MAX_RECORD_BYTES",
    "RECV",
    "SEND",
    "BadRecord",
    "CaptureFormat",
    "CaptureItem",
    "CaptureWriter",
    "Connection",
    "ConnectionEnd",
    "Direction",
    "Frame",
    "capture_record",
    "detect_format",
    "read_capture",
]

Direction: TypeAlias = Literal["send", "recv"]
"""Which way a frame went, from the client's point of view."""
SEND: Final[Direction] = "send"
"""The client sent the frame (to the server)."""
RECV: Final[Direction] = "recv"
"""The client received the frame (from the server)."""

_SNIFF_BYTES: Final = 64 * 1024


class CaptureFormat(str, enum.Enum):
    """The formats :func:`read_capture` reads."""

    JSONL = "jsonl"
    """The package's capture format: ``{"ts", "dir", "data"[, "conn"][, "binary"]}`` per line."""
    MESSAGES = "messages"
    """Bare messages, one per line; the direction is inferred from ``type``."""
    HAR = "har"
    """A HAR file from browser devtools (``log.entries[]._webSocketMessages[]``)."""


@dataclass(frozen=True, eq=False)
class Connection:
    """One WebSocket connection in a capture.

    Compared by identity: a reader makes one object per connection.
    """

    source: str
    """The file it was read from (``<stdin>`` for standard input)."""
    format: CaptureFormat
    """The capture's format, which says what a frame's ``position`` counts."""
    id: str | None = None
    """The ``conn`` (JSON Lines) or ``entries[N]`` (HAR); None for a file's only connection."""
    entry: int | None = None
    """The index of the HAR entry holding the connection."""
    url: str | None = None
    """The connection's URL, when the capture says it."""

    @property
    def label(self) -> str:
        """A short human name: the source, and the connection id and URL if any."""
        parts = [self.source]
        if self.id is not None:
            parts.append(self.id if self.entry is not None else f"conn {self.id}")
        if self.url:
            parts.append(self.url)
        return " ".join(parts)

    def where(self, position: int) -> str:
        """Say where the record at ``position`` is: ``line 7``, or a HAR message's path."""
        if self.format is CaptureFormat.HAR:
            return f"entries[{self.entry}]._webSocketMessages[{position}]"
        return f"line {position}"


class Frame(NamedTuple):
    """One WebSocket frame read from a capture."""

    connection: Connection
    """The connection it went over."""
    seq: int
    """Its position among the frames of its connection, from 0."""
    direction: Direction | None
    """Which way it went; None when the capture does not say (``messages`` format)."""
    data: str | bytes
    """A text frame's text (as ``str``, or as the raw UTF-8 bytes it was captured in),
    or a binary frame's bytes."""
    binary: bool
    """Whether it is a binary frame (the protocol sends none)."""
    ts: float | None
    """When it was sent or received, in seconds since the epoch, if the capture says."""
    position: int
    """Where it is in the source: its line (from 1), or its index in a HAR entry's messages."""

    @property
    def where(self) -> str:
        """Say where the frame is in its source."""
        return self.connection.where(self.position)


class BadRecord(NamedTuple):
    """A record of the capture that is not in its format; it is skipped."""

    connection: Connection
    """The connection it belongs to, as far as the reader can tell."""
    position: int
    """Its line (from 1), or its index in a HAR entry's messages."""
    reason: str
    """What is wrong with it, as a sentence."""
    error_event: bool = False
    """Whether it is a HAR ``error`` message: a WebSocket error the browser recorded."""


class ConnectionEnd(NamedTuple):
    """A connection's last frame has been read."""

    connection: Connection


CaptureItem: TypeAlias = Frame | BadRecord | ConnectionEnd
"""What :func:`read_capture` yields."""


# Format detection

_FIRST_KEY: Final = re.compile(rb'\A\s*\{\s*"((?:[^"\\]|\\.){0,40})"')
_LONE_BRACE: Final = re.compile(rb"\A\s*\{\s*\Z")
_BOM: Final = b"\xef\xbb\xbf"


def _read_head(stream: BinaryIO) -> list[bytes]:
    """Read the blank lines and the first line with content (at most ``_SNIFF_BYTES`` of it)."""
    head: list[bytes] = []
    while True:
        line = stream.readline(_SNIFF_BYTES)
        if not line:
            return head
        head.append(line)
        if line.strip() or not line.endswith(b"\n"):
            return head


def detect_format(head: bytes, name: str = "") -> CaptureFormat:
    """Guess a capture's format from its file name and its first line with content.

    A ``.har`` name, or a document whose first key is ``log`` or that opens with
    a brace alone on its line, is a HAR (unless the name ends in ``.jsonl`` or
    ``.ndjson``); an object with ``dir`` or ``data`` is the capture format, one
    with ``type`` a bare message; anything else is read as the capture format,
    whose reader reports what it cannot read.
    """
    lowered = name.lower()
    if lowered.endswith(".har"):
        return CaptureFormat.HAR
    lines_only = lowered.endswith((".jsonl", ".ndjson"))
    line = head.strip()
    if line.startswith(_BOM):
        line = line[len(_BOM) :].strip()
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict):
        keys: Any = value
    elif _LONE_BRACE.match(line) and not lines_only:
        return CaptureFormat.HAR
    else:
        match = _FIRST_KEY.match(line)
        keys = {match.group(1).decode("utf-8", "replace"): None} if match else {}
    if "log" in keys and not lines_only:
        return CaptureFormat.HAR
    if "dir" in keys or "data" in keys:
        return CaptureFormat.JSONL
    if "type" in keys:
        return CaptureFormat.MESSAGES
    return CaptureFormat.JSONL


def read_capture(
    stream: BinaryIO,
    source: str,
    format: CaptureFormat | None = None,
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
    max_number_digits: int = MAX_NUMBER_DIGITS,
    max_key_chars: int = MAX_KEY_CHARS,
    max_depth: int = MAX_DEPTH,
) -> Iterator[CaptureItem]:
    """Read a capture from a binary stream; return an iterator over its items.

    ``source`` names the stream in reports (a path, or ``<stdin>``);
    ``format`` is detected from the name and the first line when None (this
    reads the first line at once). Every connection that yielded a frame ends
    with a :class:`ConnectionEnd`.

    The limits (see :mod:`lambda_agent_api.limits`): a record longer than
    ``max_record_bytes`` is reported and skipped as it is read; a record with an
    integer of more than ``max_number_digits`` digits is reported, never
    converted; a HAR's keys longer than ``max_key_chars`` are skipped, and its
    skipped values are bracket-checked down to ``max_depth`` levels.

    Raises:
        CaptureError: reading failed, or (while iterating) the input cannot be
            read as that format at all: a HAR that is not a HAR, or broken JSON in one.
    """
    try:
        head = b"".join(_read_head(stream))
    except OSError as error:
        raise CaptureError(f"{source}: cannot read: {error.strerror or error}") from error
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    if format is None:
        format = detect_format(head, source)
    if format is CaptureFormat.HAR:
        from lambda_agent_api._har import read_har

        return read_har(
            stream,
            source,
            head,
            max_record_bytes,
            max_number_digits=max_number_digits,
            max_key_chars=max_key_chars,
            max_depth=max_depth,
        )
    return _read_lines(stream, source, format, head, max_record_bytes, max_number_digits)


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


def _read_lines(
    stream: BinaryIO,
    source: str,
    format: CaptureFormat,
    head: bytes,
    limit: int,
    max_number_digits: int,
) -> Iterator[CaptureItem]:
    if format is CaptureFormat.MESSAGES:
        return _read_messages(stream, source, head, limit)
    return _read_records(stream, source, head, limit, max_number_digits)


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
    stream: BinaryIO, source: str, head: bytes, limit: int, max_number_digits: int
) -> Iterator[CaptureItem]:
    default = Connection(source, CaptureFormat.JSONL)
    # Each connection's Connection and how many frames it has had so far.
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
                    terminated or line is not lines[-1],
                    default,
                    limit,
                    max_number_digits,
                )
                if checked is None:
                    continue
                if isinstance(checked, BadRecord):
                    yield checked
                    continue
                conn, direction, data, binary, ts = checked
            state = states.get(conn)
            if state is None:
                connection = default if conn is None else Connection(source, default.format, conn)
                state = states[conn] = [connection, 0]
            index = state[1]
            state[1] = index + 1
            yield new(Frame, (state[0], index, direction, data, binary, ts, number))
    for connection, _ in states.values():
        yield ConnectionEnd(connection)


def _record(
    line: bytes | None,
    number: int,
    terminated: bool,
    default: Connection,
    limit: int,
    max_number_digits: int,
) -> BadRecord | tuple[str | None, Direction, str | bytes, bool, float] | None:
    """Check a record the fast path passed over: None (a blank line), a BadRecord, or its fields."""
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


# Writing

_json_string: Final = json.encoder.encode_basestring
"""JSON text of a str, as ``json.dumps(text, ensure_ascii=False)`` writes it (in C)."""


def capture_record(
    direction: Direction,
    data: str | bytes,
    *,
    ts: float | None = None,
    conn: str | int | None = None,
) -> str:
    """Return one line (without its newline) of the capture format for one frame.

    ``data`` is a text frame's text, or a binary frame's bytes (stored as base64).
    """
    if ts is None:
        ts = time.time()
    if (
        type(data) is str
        and type(ts) is float
        and ts - ts == 0.0  # finite
        and (conn is None or type(conn) is str)
        and (direction == "send" or direction == "recv")
    ):
        # The common case, once per frame forwarded or sent: the same text as
        # json.dumps of the record below (a test holds them equal), built
        # without encoding a dict. float repr is what json writes for a float.
        conn_part = "" if conn is None else f', "conn": {_json_string(conn)}'
        return f'{{"ts": {ts!r}, "dir": "{direction}"{conn_part}, "data": {_json_string(data)}}}'
    record: dict[str, Any] = {"ts": ts, "dir": direction}
    if conn is not None:
        record["conn"] = conn
    if isinstance(data, bytes):
        import base64

        record["binary"] = True
        record["data"] = base64.b64encode(data).decode("ascii")
    else:
        record["data"] = data
    return json.dumps(record, ensure_ascii=False)


class CaptureWriter:
    """Record frames in the capture format (``jsonl``), one line each, to a text stream.

    ::

        with open("session.jsonl", "w", encoding="utf-8") as file:
            writer = CaptureWriter(file)
            writer.write("recv", '{"type": "STATUS"}')

    ``conn`` names the connection of every line (none by default); ``write``
    may name another. With ``flush``, the stream is flushed after every line,
    so that a crash loses nothing already written. :class:`~lambda_agent_api.agent_api.AgentApi`
    (its ``capture`` option) and ``lambda-agent-api record`` write through one.
    """

    def __init__(
        self, stream: IO[str], conn: str | int | None = None, *, flush: bool = False
    ) -> None:
        self._stream = stream
        self._conn = conn
        self._flush = flush

    @property
    def conn(self) -> str | int | None:
        """The ``conn`` written on lines that do not name their own."""
        return self._conn

    def write(
        self,
        direction: Direction,
        data: str | bytes,
        *,
        ts: float | None = None,
        conn: str | int | None = None,
    ) -> None:
        """Record one frame: ``send`` from the client, ``recv`` to it; ``ts`` defaults to now.

        ``conn`` overrides the writer's own connection id for this line.
        """
        line = capture_record(direction, data, ts=ts, conn=self._conn if conn is None else conn)
        self._stream.write(line + "\n")
        if self._flush:
            self._stream.flush()
