r"""The stateless half of checking a JSON Lines capture, a thousand lines per pydantic-core call.

:func:`inspect_lines` reads a range of a ``jsonl`` or ``messages`` file and
turns it into :data:`Event`\\ s for :class:`~lambda_agent_api.check.files.FileChecker`,
which runs the conversations. In each slice of lines, the plain text chunks
(valid by their text alone, see :func:`_plain_shapes`) are set aside without
being parsed; the other lines are validated by one call of a validator
translated from the schema
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

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from itertools import chain, compress, repeat
from operator import itemgetter, methodcaller, mul, ne
from typing import Any, BinaryIO, Final, NamedTuple, TypeAlias, TypeVar

from pydantic_core import ValidationError

from lambda_agent_api.capture.format import BadRecord, CaptureFormat, Connection
from lambda_agent_api.capture.jsonl import _Close, _line_batches, _record
from lambda_agent_api.check.fast_schema import (
    UntranslatableSchema,
    batch_validator,
    nesting_types,
    plain_string_messages,
    record_batch_validator,
)
from lambda_agent_api.check.frames import (
    WORKSPACE_PATHS,
    Inspection,
    _unsafe_paths,
    duplicate_key,
    inspect_frame,
)
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.conversation import QUIET_EVENTS
from lambda_agent_api.protocol.limits import (
    MAX_FRAME_BYTES,
    MAX_NUMBER_DIGITS,
    MAX_RECORD_BYTES,
    PYDANTIC_MAX_INT_DIGITS,
)
from lambda_agent_api.protocol.message_types import message_schema_files, released_versions
from lambda_agent_api.protocol.transitions import Role, role_of

__all__ = ["BAD", "CLOSE", "FRAME", "RUN", "Event", "Settings", "inspect_lines"]

FRAME: Final = 0
"""``(FRAME, key, line, found, sender, type, fields)``: one frame, inspected (the fields of an
:class:`~lambda_agent_api.check.frames.Inspection`, the sender as its ``Role`` value)."""
RUN: Final = 1
"""``(RUN, key, type, source, count, first line)``: ``count`` frames on consecutive lines,
events of one ``type`` and ``source`` that the server sent and that found nothing on their own."""
BAD: Final = 2
"""``(BAD, line, reason)``: a line that is not a record of its format (C001)."""
CLOSE: Final = 3
"""``(CLOSE, key, line)``: a close record: the connection ``key`` ended."""

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
def _all_types() -> dict[str, None]:
    """Return the message types of every released version, in order."""
    types: dict[str, None] = {}
    for version in released_versions():
        types.update(dict.fromkeys(message_schema_files(version)))
    return types


@cache
def _senders() -> dict[str, str | None]:
    senders = {}
    for type_ in _all_types():
        role = role_of(type_)
        senders[type_] = None if role is None else role.value
    return senders


def _frame(key: Any, line: int, inspection: Inspection) -> Event:
    found, role, type_, fields = inspection
    return (FRAME, key, line, found, None if role is None else role.value, type_, fields)


class Settings(NamedTuple):
    """What a check takes besides the input: the protocol version and the limits."""

    version: str | None = None
    """The released protocol version (``MAJOR.MINOR``); None for the current one."""
    max_record_bytes: int = MAX_RECORD_BYTES
    """A longer line is reported (C001) and skipped as it is read."""
    max_frame_bytes: int = MAX_FRAME_BYTES
    """A larger frame is reported (F006), not parsed."""
    max_number_digits: int = MAX_NUMBER_DIGITS
    """An integer of more digits is reported (F006), never converted."""


def inspect_lines(
    stream: BinaryIO,
    source: str,
    format: CaptureFormat,
    settings: Settings = Settings(),  # noqa: B008 - immutable
    head: bytes = b"",
) -> Iterator[tuple[list[Event], int]]:
    """Read ``stream`` (after ``head``) to its end; yield (events, lines) per slice of lines.

    Lines are numbered from 1 at the start of the stream. Keys are the
    ``conn`` of the capture format (None for a record without one); a
    ``messages`` file is one connection, keyed None.
    """
    default = Connection(source, format)  # only for the record parser's BadRecords
    version = settings.version
    validators: tuple[Any, Any] | None
    try:
        validators = (
            batch_validator(version),
            None if format is CaptureFormat.MESSAGES else record_batch_validator(),
        )
    except UntranslatableSchema:  # the tests hold the shipped schemas translatable
        validators = None
    number = 0
    for lines, terminated in _line_batches(stream, source, head, settings.max_record_bytes):
        for start in range(0, len(lines), SLICE):
            part = lines[start : start + SLICE]
            last = terminated or start + SLICE < len(lines)
            events = None
            if validators is not None:  # they refuse a line too long to read (None)
                events = _fast(validators, part, number, settings)
            if events is None:
                events = _precise(part, number, last, format, default, settings)
            number += len(part)
            yield events, len(part)


def _fast(
    validators: tuple[Any, Any], part: list[Any], number: int, settings: Settings
) -> list[Event] | None:
    """Inspect a slice in a few C calls; None when the precise path must look at it."""
    frame_validator, record_validator = validators
    joined = b"\n".join(part) if None not in part else b""
    if not joined or not _small(joined, part, settings):
        return None
    version = settings.version
    records: list[Any] | None = None
    try:
        if record_validator is None:
            # The plain text chunks are set aside by their skeleton (they are valid by
            # their text alone), the rest goes to the validator; the checks of the text
            # below then look at the rest only.
            text, others, spans = _set_aside(joined, part, version)
            if not _read_alike(text, settings):
                return None
            if spans and not joined.isascii():
                joined.decode("utf-8")  # a skeleton leaves UTF-8 to this
            bodies: list[Any] = part
            tight, frame_keys, _ = _key_counts(text, framed=False)
            counted = text
        else:
            if not _read_alike(joined, settings):
                return None
            records = record_validator.validate_python(part)
            # A record's own keys are the unescaped quote-colons of its line: there are
            # as many as its dict has unless one is there twice (F005: the precise path says so).
            tight, record_keys, frame_keys = _key_counts(joined, framed=True)
            if record_keys != sum(map(len, records)):
                return None
            counted = joined
            closes: list[Span] = []
            if b'"event"' in joined:  # close records, which only a close record has
                closes = [(i, 1, _CLOSE_CODE) for i, r in enumerate(records) if "event" in r]
            if closes:
                # Their lines stand apart like lines set aside; the slice's text chunks
                # then all go to the validator.
                bodies = [record.get("data") for record in records]
                others = [record["data"] for record in records if "event" not in record]
                spans = closes
            else:
                bodies = list(map(_GET_DATA, records))
                _, others, spans = _set_aside("\n".join(bodies), bodies, version)
        parsed = frame_validator.validate_python(others)
    except (TypeError, ValidationError, UnicodeDecodeError):  # what the schema refuses
        return None
    # Python looks at runs, not at frames: the types become one letter each, and a
    # regular expression cuts them into runs of one quiet type and single frames.
    # Per frame, only C loops run (map, join, the regex, list slices); the plain text
    # chunks set aside are put back per run.
    codes = "".join(map(_codes().__getitem__, map(_GET_TYPE, parsed)))
    framed = records is not None
    # The keys of the frames set aside are in the records' text (never in a bare slice's).
    keys_of = _keys_of_letters(version)
    aside = sum(count * keys_of[letter] for _, count, letter in spans) if framed else 0
    if not _no_key_twice(counted, tight, frame_keys, aside, framed, others, parsed, codes, version):
        return None
    messages: list[Any] = parsed
    if spans:  # the letters of those set aside, and None for their messages
        messages = list(chain.from_iterable(_interleave(parsed, spans, _nothing)))
        codes = "".join(_interleave(codes, spans, mul))
    if records is None:
        keys: list[Any] | None = None
        directions: str | None = None
    else:
        keys = list(map(_GET_CONN, records))
        directions = "".join(map(_DIRECTION_CODES.__getitem__, map(_GET_DIR, records)))
    # Most slices have no "source" at all (nor a \u escape that could spell one); the
    # plain text chunks set aside have none.
    if b"source" in counted or b"\\u" in counted:
        sources = list(map(_GET_SOURCE, parsed))
        if spans:
            sources = list(chain.from_iterable(_interleave(sources, spans, _nothing)))
    else:
        sources = [None] * len(messages)
    senders = _senders()
    type_of = _types_of_codes()
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
                append((RUN, key, type_of[codes[start]], first, count, number + start + 1))
                continue
            # Mixed connections, sources or directions: run by run, in Python.
            type_ = type_of[codes[start]]
            _split(events, type_, messages, bodies, keys, directions, sources, start, end, number)
            continue
        message = messages[start]  # never set aside: those are of quiet types
        if message is None:  # a close record
            append((CLOSE, keys[start] if keys is not None else None, number + start + 1))
            continue
        type_ = message["type"]
        if directions is None:
            sender = senders[type_]
        else:
            sender = _SERVER if directions[start] == "r" else _CLIENT
        found = _unsafe_paths(type_, message) if type_ in WORKSPACE_PATHS else []
        key = None if keys is None else keys[start]
        append((FRAME, key, number + start + 1, found, sender, type_, message))
    return events


def _small(joined: bytes, part: list[bytes], settings: Settings) -> bool:
    """Say whether no line of a slice is over the frame limit (in one C call, most often)."""
    max_chars = settings.max_frame_bytes // 4  # a frame's UTF-8 is at most 4 bytes a character
    return len(joined) <= max_chars or max(map(len, part)) <= max_chars


def _read_alike(text: bytes, settings: Settings) -> bool:
    """Say whether pydantic-core's parser reads ``text`` as JSON does.

    It does unless the text holds ``NaN`` or ``Infinity`` (which pydantic-core
    takes and JSON does not) or an integer beyond the limit:
    :func:`~lambda_agent_api.protocol.strict_json.pydantic_reads_as_json`'s rules,
    for a whole slice (in capture records, the frames' numbers are inside the
    data strings; those are counted too).
    """
    if strict_json.may_hold_a_constant(text):
        return False
    digits = settings.max_number_digits
    if digits >= PYDANTIC_MAX_INT_DIGITS:
        return True  # pydantic-core refuses a longer integer itself
    return b"0" * (digits + 1) not in text.translate(_DIGITS)


_T = TypeVar("_T", str, bytes)

Span: TypeAlias = tuple[int, int, str]
"""``(first line, count, letter)``: lines of a slice set aside, all of the letter's type."""


def _set_aside(text: _T, lines: list[_T], version: str | None) -> tuple[_T, list[_T], list[Span]]:
    """Set aside the plain text chunks of ``lines`` (joined by newlines in ``text``).

    A plain text chunk is written as :func:`_plain_shapes` says: valid whatever
    its text holds, so no validator needs to see it. Return the other lines,
    joined and as a list, and the runs of lines set aside, in order. ``str``
    lines must be valid Unicode; the caller checks that bytes are valid UTF-8.

    A few C passes per slice and Python per run of lines, not per line: the
    *skeleton* of the text (its quotes, backslashes and control characters,
    nothing else) shows the runs of lines shaped like a plain chunk, and one
    count per run tells whether each of its lines starts and ends as one does.
    """
    shapes = _plain_shapes(version)
    newline: Any = b"\n" if isinstance(text, bytes) else "\n"
    # A line break inside a str line (a frame may hold one) would shift the lines.
    if not shapes or text.count(newline) != len(lines) - 1:
        return text, lines, []
    try:
        encoded = text if isinstance(text, bytes) else text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: never plain
        return text, lines, []
    skeleton = encoded.translate(None, _CONTENT)
    spans: list[Span] = []
    for shape in shapes:
        ends = shape.of_bytes if newline == b"\n" else shape.of_str
        line = position = offset = done = 0  # ``offset``: where line ``done`` starts in text
        for match in shape.runs.finditer(skeleton):
            start, end = match.span()
            line += skeleton.count(b"\n", position, start)
            count = skeleton.count(b"\n", start, end)
            if skeleton[end - 1 : end] != b"\n":
                count += 1  # the last line, with no newline after it
            position = end
            offset += sum(map(len, lines[done:line])) + line - done
            run = lines[line : line + count]
            size = sum(map(len, run)) + count - 1
            if _all_plain(text, offset, size, count, ends.pairs, newline):
                spans.append((line, count, shape.letter))
            else:  # some line of the same skeleton is not a plain chunk (SEND_FILE...)
                spans += [
                    (line + index, 1, shape.letter)
                    for index, one in enumerate(run)
                    if one.startswith(ends.heads) and one.endswith(ends.tails)
                ]
            offset += size + 1
            line = done = line + count
    if not spans:
        return text, lines, spans
    spans.sort()
    others: list[_T] = []
    done = 0
    for first, count, _ in spans:
        others += lines[done:first]
        done = first + count
    others += lines[done:]
    return newline.join(others), others, spans


def _all_plain(
    text: Any, start: int, size: int, lines: int, pairs: tuple[tuple[Any, Any], ...], newline: Any
) -> bool:
    """Say whether the ``lines`` lines of ``text[start:start + size]`` all start and end alike.

    Alike: as one of the (head, tail) ``pairs`` says, the same for every line.
    Each line's tail, the newline after it and the next line's head are counted
    together, in one pass over the range: once per newline at most.
    """
    end = start + size
    for head, tail in pairs:
        if (
            text.startswith(head, start)
            and text.startswith(tail, end - len(tail))
            and text.count(tail + newline + head, start, end) == lines - 1
        ):
            return True
    return False


def _interleave(values: Any, spans: list[Span], fill: Callable[[str, int], Any]) -> Iterator[Any]:
    """Yield ``values`` (one per line not set aside) in pieces, ``fill(letter, count)`` per span.

    ``values`` is a list or a str; chained, the pieces have one item per line.
    """
    taken = done = 0
    for first, count, letter in spans:
        yield values[taken : taken + first - done]
        taken += first - done
        yield fill(letter, count)
        done = first + count
    yield values[taken:]


def _nothing(letter: str, count: int) -> Iterable[None]:
    """Return None for each of ``count`` lines set aside: their messages, their sources."""
    return repeat(None, count)


class _Ends(NamedTuple):
    """How the lines of a shape start and end (in ``bytes`` or in ``str``)."""

    heads: tuple[Any, ...]
    """What a plain line starts with: up to its string's opening quote, one per way of writing."""
    tails: tuple[Any, ...]
    """What it ends with: from the string's closing quote (a CR may follow)."""
    pairs: tuple[tuple[Any, Any], ...]
    """Each (head, tail) a line may be written with, the commonest first."""


class _Shape(NamedTuple):
    """How the plain lines of one message type are written (see :func:`_plain_shapes`)."""

    letter: str
    runs: re.Pattern[bytes]
    """Finds runs of lines of the shape's skeleton, in a text's skeleton."""
    of_bytes: _Ends
    of_str: _Ends
    keys: int
    """How many keys a plain line has."""


@cache
def _plain_shapes(version: str | None) -> tuple[_Shape, ...]:
    """Return how plain text chunks are written, one shape per message type.

    Of the quiet types (those :func:`_fast` gives as runs, without their
    messages), those whose required fields are ``type`` and one plain string
    (:func:`~lambda_agent_api.check.fast_schema.plain_string_messages`): a line
    that holds exactly these fields, in the schema's order, as JSON writes them
    compactly or with a space after each colon and comma, its string free of
    quotes, backslashes and control characters, is valid for the schema and has
    no key twice, whatever else the string holds (the caller checks UTF-8).
    Anything else (an escape, another order, an optional field, blanks
    elsewhere) goes to the validator.
    """
    shapes = []
    for type_, fields in plain_string_messages(version).items():
        if type_ not in _RUNS or len(fields) != 2:
            continue
        sample = {name: type_ if name == "type" else "\x01" for name in fields}
        pairs = []
        for separators in ((",", ":"), (", ", ": ")):
            head, tail = json.dumps(sample, separators=separators).split('"\\u0001"')
            pairs.append((head + '"', '"' + tail))
        skeletons = {(head + tail).encode().translate(None, _CONTENT) for head, tail in pairs}
        if len(skeletons) != 1:  # never: the two ways differ in blanks, which a skeleton drops
            continue
        skeleton = re.escape(skeletons.pop())
        pairs += [(head, tail + "\r") for head, tail in pairs]  # CR LF line ends
        pairs = list(dict.fromkeys(pairs))
        ends = _Ends(
            tuple(dict.fromkeys(head for head, _ in pairs)),
            tuple(dict.fromkeys(tail for _, tail in pairs)),
            tuple(pairs),
        )
        shapes.append(
            _Shape(
                _codes()[type_],
                re.compile(rb"(?:^" + skeleton + rb"\r?(?:\n|\Z))+", re.MULTILINE),
                _Ends(
                    tuple(head.encode() for head in ends.heads),
                    tuple(tail.encode() for tail in ends.tails),
                    tuple((head.encode(), tail.encode()) for head, tail in pairs),
                ),
                ends,
                len(fields),
            )
        )
    return tuple(shapes)


@cache
def _keys_of_letters(version: str | None) -> dict[str, int]:
    """Return how many keys of a line set aside its frame's text holds, by the line's letter."""
    keys = {shape.letter: shape.keys for shape in _plain_shapes(version)}
    keys[_CLOSE_CODE] = 0  # a close record's keys are its own, not a frame's
    return keys


_CONTENT: Final = bytes(b for b in range(256) if b >= 0x20 and b not in b'"\\')
"""The bytes deleted to make a skeleton: all but quotes, backslashes and control characters."""


def _no_key_twice(
    joined: bytes,
    tight: bool,
    in_text: int | None,
    aside: int,
    framed: bool,
    bodies: list[Any],
    messages: list[Any],
    codes: str,
    version: str | None,
) -> bool:
    """Say whether no frame of a slice has a key twice in an object (F005).

    ``tight`` and ``in_text`` are what :func:`_key_counts` says of the slice's text
    ``joined``; ``aside``: how many of those keys are of frames set aside (not in
    ``bodies``); ``framed``: the ``bodies`` are ``str``, taken from capture records.
    The validators build dicts, in which a key given twice counts once; so no key
    is there twice when the text holds no more keys than the dicts.
    """
    if in_text is not None:
        in_dicts = aside + sum(map(len, messages))
        if in_text == in_dicts:
            return True
        # Keys of nested objects (a tool's result, a progress payload).
        for match in _nesting_pattern(version).finditer(codes):
            for index in range(*match.span()):
                in_dicts += _nested_keys(messages[index])
        if in_text == in_dicts:
            return True
        # Strings that start with a colon (a tool call's chunk cut after a key).
        extra = _colon_first(joined, framed)
        if extra is not None and in_text - extra == in_dicts:
            return True
    # Frame by frame: in C, the frames whose text has more quote-colons (more colons,
    # when blanks may stand before one) than their dict has keys; those in Python.
    mark = ('":' if tight else ":") if framed else (b'":' if tight else b":")
    counts = map(methodcaller("count", mark), bodies)
    suspects = compress(zip(bodies, messages, strict=True), map(ne, counts, map(len, messages)))
    for body, message in suspects:
        # Counted again, escapes and nesting minded, before parsing it again.
        text = body if type(body) is bytes else body.encode("utf-8", "surrogatepass")
        in_frame = _key_counts(text, framed=False)[1]
        if in_frame is not None:
            in_frame -= _colon_first(text, framed=False) or 0
            if in_frame == len(message) + _nested_keys(message):
                continue
        if duplicate_key(body) is not None:
            return False
    return True


# In valid JSON every key, and nothing else but the opening quote of a string that
# starts with a colon, is a quote that is not escaped followed by a colon. A quote is
# escaped when an odd number of backslashes precede it. So keys are counted, never
# fewer than there are, in a few C calls: the quote-colons, and those after k backslashes.

_MAX_RUN: Final = 16
"""Longer runs of backslashes before a quote are left to the frame-by-frame path."""


def _key_counts(text: bytes, framed: bool) -> tuple[bool, int | None, int | None]:
    """Count the keys in ``text``, valid JSON lines, and in the frames their strings hold.

    Return (tight, keys, framed keys). ``tight``: no blank stands between a key
    and its colon, so that every key is a quote-colon. The counts are None when
    they cannot be taken cheaply, and otherwise never less than the number of keys.
    ``keys`` counts the lines' own keys; ``framed keys`` (when ``framed``) the keys
    of the frames inside the ``data`` strings of capture records, and ``tight`` is
    then said of the frames. A frame's text is written there with its quotes
    escaped and its backslashes doubled: after n backslashes in the frame, a quote
    is one after 2n + 1 in the record. So a key of the frame (n even) ends in a
    quote after 1, 5, 9... backslashes; a unicode escape of a quote, colon,
    backslash or blank makes that count give up.
    """
    # A blank between a quote and a colon (in the frames: as their strings escape it).
    if (_FRAMED_KEY_GAP if framed else _KEY_GAP).search(text) is not None:
        return False, None, None
    exactly = _by_run(text, b'":')
    if exactly is None:
        return True, None, None
    # A quote after an even number of backslashes is not escaped: the lines' own keys.
    keys = sum(exactly[0::2])
    if not framed:
        return True, keys, None
    if b"\\u00" in text and _SPELLED.search(text) is not None:
        return False, keys, None  # the frames may spell a blank before a colon
    return True, keys, sum(exactly[1::4])


def _colon_first(text: bytes, framed: bool) -> int | None:
    """Count what :func:`_key_counts` counts too many: strings that start with a colon.

    A quote-colon-quote-colon is a key and a string that starts with a colon, or a
    key that is one colon: one quote-colon too many either way (also with a space
    after the key's colon, as ``json.dumps`` writes it). Each such quote is counted
    at most once; None when a count cannot be taken cheaply.
    """
    tails = (b'":\\":', b'": \\":') if framed else (b'":":', b'": ":')
    found = 0
    for tail in tails:
        runs = _by_run(text, tail)
        if runs is None:
            return None
        # As for the keys themselves: the first quote is not escaped.
        found += sum(runs[1::4] if framed else runs[0::2])
    return found


def _by_run(text: bytes, tail: bytes) -> list[int] | None:
    """Return how often ``tail`` follows exactly 0, 1, 2... backslashes (None: too many)."""
    at_least = [text.count(tail)]  # after at least k backslashes, k = 0, 1, ...
    prefix = b""
    while at_least[-1]:
        if len(prefix) == _MAX_RUN:
            return None  # a run so long is no frame's text: count it slowly
        prefix += b"\\"
        at_least.append(text.count(prefix + tail))
    return [at_least[k] - at_least[k + 1] for k in range(len(at_least) - 1)]


def _nested_keys(value: Any) -> int:
    """Count the keys of the objects inside ``value`` (a message: not its own keys)."""
    count = 0
    stack = list(value.values()) if type(value) is dict else [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            count += len(item)
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return count


def _split(
    events: list[Event],
    type_: str,
    messages: list[Any],
    bodies: list[Any],
    keys: list[Any] | None,
    directions: str | None,
    sources: list[Any],
    start: int,
    end: int,
    number: int,
) -> None:
    """Cut frames of one quiet type into runs of one connection, source and direction.

    A frame set aside (its message None) is read from its text when the client sent it.
    """
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
            if message is None:  # what the validator returns for it: all its values are strings
                message = json.loads(bodies[index])
            events.append((FRAME, key, line, [], _CLIENT, type_, message))
            continue
        if run is not None and run[1] == key and run[3] == source:
            run[4] += 1
            continue
        if run is not None:
            events.append(tuple(run))
        run = [RUN, key, type_, source, 1, line]
    if run is not None:
        events.append(tuple(run))


_DIGITS: Final = bytes(48 if 48 <= byte <= 57 else 46 for byte in range(256))
"""Digits to b"0", every other byte to b".": a run of digits becomes a substring to find."""
_KEY_GAP: Final = re.compile(rb'"[ \t\r]+:')
_FRAMED_KEY_GAP: Final = re.compile(rb'"(?:[ \t\r]|\\[nrt])+:')
_SPELLED: Final = re.compile(rb"\\u00(?:[01][0-9a-fA-F]|2[02]|3[aA]|5[cC])")
"""A ``\\u`` escape of a control character, a space, a quote, a colon or a backslash."""
_GET_TYPE: Final = itemgetter("type")
_GET_DIR: Final = methodcaller("get", "dir")
_GET_DATA: Final = itemgetter("data")
_GET_CONN: Final = methodcaller("get", "conn")
_GET_SOURCE: Final = methodcaller("get", "source")
_DIRECTION_CODES: Final = {"recv": "r", "send": "s", None: "c"}  # c: a close record
_CLOSE_CODE: Final = "~"
"""The letter of a close record (no message type's)."""


@cache
def _codes() -> dict[str, str]:
    """Return a letter for each message type."""
    return {type_: chr(ord("A") + index) for index, type_ in enumerate(_all_types())}


@cache
def _types_of_codes() -> dict[str, str]:
    """Return the message type of each letter."""
    return {code: type_ for type_, code in _codes().items()}


@cache
def _run_codes() -> frozenset[str]:
    return frozenset(_codes()[type_] for type_ in _RUNS)


@cache
def _nesting_pattern(version: str | None) -> re.Pattern[str]:
    """Return the pattern that finds the letters of types whose messages may nest objects."""
    letters = "".join(sorted(_codes()[type_] for type_ in nesting_types(version)))
    return re.compile(f"[{letters}]+" if letters else "(?!)")


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
    settings: Settings,
) -> list[Event]:
    limit = settings.max_record_bytes
    inspect = partial(
        inspect_frame,
        version=settings.version,
        max_frame_bytes=settings.max_frame_bytes,
        max_number_digits=settings.max_number_digits,
    )
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
                events.append(_frame(None, number, inspect(None, text)))
            continue
        more = terminated or index < last
        checked = _record(line, number, more, default, limit, settings.max_number_digits)
        if checked is None:
            continue
        if isinstance(checked, BadRecord):
            events.append((BAD, number, checked.reason))
            continue
        if isinstance(checked, _Close):
            events.append((CLOSE, checked.conn, number))
            continue
        key, direction, data, binary, _ = checked
        events.append(_frame(key, number, inspect(direction, data, binary)))
    return events
