r"""The stateless half of checking a JSON Lines capture, a thousand lines per pydantic-core call.

:func:`inspect_lines` reads a range of a ``jsonl`` or ``messages`` file and
turns it into :data:`Event`\\ s for :class:`~lambda_agent_api.check.files.FileChecker`,
which runs the conversations. Each slice of lines is validated by one call
of a validator translated from the schema
(:func:`~lambda_agent_api.check.fast_schema.batch_validator`), which parses
every line on its own and builds plain dicts; Python then only looks at each
message's ``type``. The text chunks of a response become one :data:`RUN` event
per run of them, so that the conversation takes a whole run in one step.

A slice the validator refuses, or that may hold ``NaN`` or ``Infinity``
(which pydantic-core's parser takes), is inspected again line by line by
:func:`~lambda_agent_api.check.frames.inspect_frame`, the precise path, and
the capture readers' own record parser: what a slice of valid traffic
yields is exactly what the precise path would have (the tests check it).

Nothing here keeps state across slices but the run being built, so ranges of
one file can be inspected in different processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from operator import itemgetter, methodcaller
from typing import Any, BinaryIO, Final, TypeAlias

from pydantic_core import ValidationError

from lambda_agent_api.capture.format import BadRecord, CaptureFormat, Connection
from lambda_agent_api.capture.jsonl import _line_batches, _record
from lambda_agent_api.check.fast_schema import (
    UntranslatableSchema,
    batch_validator,
    record_batch_validator,
)
from lambda_agent_api.check.frames import (
    WORKSPACE_PATHS,
    Inspection,
    _unsafe_paths,
    inspect_frame,
)
from lambda_agent_api.protocol.conversation import QUIET_EVENTS
from lambda_agent_api.protocol.message_types import message_schema_files
from lambda_agent_api.protocol.transitions import Role, role_of

__all__ = ["BAD", "FRAME", "RUN", "Event", "inspect_lines"]

FRAME: Final = 0
"""``(FRAME, key, line, found, sender, type, fields)``: one frame, inspected (the fields of an
:class:`~lambda_agent_api.check.frames.Inspection`, the sender as its ``Role`` value)."""
RUN: Final = 1
"""``(RUN, key, type, source, count, first line)``: ``count`` frames on consecutive lines,
events of one ``type`` and ``source`` that the server sent and that found nothing on their own."""
BAD: Final = 2
"""``(BAD, line, reason)``: a line that is not a record of its format (C001)."""

Event: TypeAlias = tuple[Any, ...]
"""One of the tuples above; plain tuples, cheap to send between processes."""

SLICE: Final = 1024
"""Lines per validator call: large enough to make the call's cost vanish, small enough
that a slice the validator refuses costs little to inspect again line by line."""

# A run's events change nothing in a response in flight and need no check of their own.
_RUNS: Final = frozenset(t for t in QUIET_EVENTS if t not in WORKSPACE_PATHS)
_SERVER: Final = Role.SERVER.value
_CLIENT: Final = Role.CLIENT.value


@cache
def _senders() -> dict[str, str | None]:
    senders = {}
    for type_ in message_schema_files():
        role = role_of(type_)
        senders[type_] = None if role is None else role.value
    return senders


def _frame(key: Any, line: int, inspection: Inspection) -> Event:
    found, role, type_, fields = inspection
    return (FRAME, key, line, found, None if role is None else role.value, type_, fields)


def inspect_lines(
    stream: BinaryIO,
    source: str,
    format: CaptureFormat,
    limit: int,
    head: bytes = b"",
) -> Iterator[tuple[list[Event], int]]:
    """Read ``stream`` (after ``head``) to its end; yield (events, lines) per slice of lines.

    Lines are numbered from 1 at the start of the stream. Keys are the
    ``conn`` of the capture format (None for a record without one); a
    ``messages`` file is one connection, keyed None.
    """
    default = Connection(source, format)  # only for the record parser's BadRecords
    try:
        validator = (
            batch_validator() if format is CaptureFormat.MESSAGES else record_batch_validator()
        )
    except UntranslatableSchema:  # the tests hold the shipped schema translatable
        validator = None
    number = 0
    for lines, terminated in _line_batches(stream, source, head, limit):
        for start in range(0, len(lines), SLICE):
            part = lines[start : start + SLICE]
            last = terminated or start + SLICE < len(lines)
            events = None
            if validator is not None:  # it refuses a line too long to read (None)
                events = _fast(validator, part, number, format)
            if events is None:
                events = _precise(part, number, last, format, default, limit)
            number += len(part)
            yield events, len(part)


def _fast(
    validator: Any, part: list[Any], number: int, format: CaptureFormat
) -> list[Event] | None:
    try:
        joined = b"\n".join(part)
        messages = validator.validate_python(part)
    except (TypeError, ValidationError):  # a None (too long) line, or what the schema refuses
        return None
    if b"NaN" in joined or b"Infinity" in joined:
        return None  # pydantic-core's parser may take them; JSON does not
    # Python looks at runs, not at frames: the types become one letter each, and a
    # regular expression cuts them into runs of one quiet type and single frames.
    # Per frame, only C loops run (map, join, the regex, list slices).
    if format is CaptureFormat.MESSAGES:
        keys: list[Any] | None = None
        directions: str | None = None
    else:
        keys = list(map(_GET_CONN, messages))
        directions = "".join(map(_DIRECTION_CODES.__getitem__, map(_GET_DIR, messages)))
        messages = list(map(_GET_DATA, messages))
    codes = "".join(map(_codes().__getitem__, map(_GET_TYPE, messages)))
    # Most slices have no "source" at all (nor a \u escape that could spell one).
    if b"source" in joined or b"\\u" in joined:
        sources = list(map(_GET_SOURCE, messages))
    else:
        sources = [None] * len(messages)
    senders = _senders()
    events: list[Event] = []
    append = events.append
    for match in _pattern().finditer(codes):
        start, end = match.span()
        if end - start > 1 or codes[start] in _run_codes():
            first = sources[start]
            key = None if keys is None else keys[start]
            count = end - start
            if (
                sources[start:end].count(first) == count
                and (keys is None or keys[start:end].count(key) == count)
                and (directions is None or directions.count("r", start, end) == count)
            ):
                append((RUN, key, messages[start]["type"], first, count, number + start + 1))
                continue
            # Mixed connections, sources or directions: run by run, in Python.
            _split(events, messages, keys, directions, sources, start, end, number)
            continue
        message = messages[start]
        type_ = message["type"]
        if directions is None:
            sender = senders[type_]
        else:
            sender = _SERVER if directions[start] == "r" else _CLIENT
        found = _unsafe_paths(type_, message) if type_ in WORKSPACE_PATHS else []
        key = None if keys is None else keys[start]
        append((FRAME, key, number + start + 1, found, sender, type_, message))
    return events


def _split(
    events: list[Event],
    messages: list[Any],
    keys: list[Any] | None,
    directions: str | None,
    sources: list[Any],
    start: int,
    end: int,
    number: int,
) -> None:
    """Cut frames of one quiet type into runs of one connection, source and direction."""
    run: list[Any] | None = None
    for index in range(start, end):
        key = None if keys is None else keys[index]
        source = sources[index]
        line = number + index + 1
        message = messages[index]
        if directions is not None and directions[index] != "r":
            if run is not None:
                events.append(tuple(run))
                run = None
            events.append((FRAME, key, line, [], _CLIENT, message["type"], message))
            continue
        if run is not None and run[1] == key and run[3] == source:
            run[4] += 1
            continue
        if run is not None:
            events.append(tuple(run))
        run = [RUN, key, message["type"], source, 1, line]
    if run is not None:
        events.append(tuple(run))


_GET_TYPE: Final = itemgetter("type")
_GET_DIR: Final = itemgetter("dir")
_GET_DATA: Final = itemgetter("data")
_GET_CONN: Final = methodcaller("get", "conn")
_GET_SOURCE: Final = methodcaller("get", "source")
_DIRECTION_CODES: Final = {"recv": "r", "send": "s"}


@cache
def _codes() -> dict[str, str]:
    """Return a letter for each message type."""
    return {type_: chr(ord("A") + index) for index, type_ in enumerate(message_schema_files())}


@cache
def _run_codes() -> frozenset[str]:
    return frozenset(_codes()[type_] for type_ in _RUNS)


@cache
def _pattern() -> re.Pattern[str]:
    """Return the pattern that cuts the letters into runs of one quiet type and single frames."""
    runs = "|".join(f"{code}+" for code in sorted(_run_codes()))
    return re.compile(f"{runs}|." if runs else ".", re.DOTALL)


def _precise(
    part: list[Any],
    number: int,
    terminated: bool,
    format: CaptureFormat,
    default: Connection,
    limit: int,
) -> list[Event]:
    events: list[Event] = []
    last = len(part) - 1
    for index, line in enumerate(part):
        number += 1
        if line is None:
            events.append((BAD, number, f"the line is longer than {limit} bytes"))
            continue
        if format is CaptureFormat.MESSAGES:
            text = line[:-1] if line.endswith(b"\r") else line
            if text.strip():
                events.append(_frame(None, number, inspect_frame(None, text)))
            continue
        checked = _record(line, number, terminated or index < last, default, limit)
        if checked is None:
            continue
        if isinstance(checked, BadRecord):
            events.append((BAD, number, checked.reason))
            continue
        key, direction, data, binary, _ = checked
        events.append(_frame(key, number, inspect_frame(direction, data, binary)))
    return events
