"""Input limits: the one place that says how much untrusted input the package takes.

Everything that reads a frame or a file from the network or a disk is bounded
by the constants here, each overridable by a parameter (and a command-line
flag) of the same name where it applies. The defaults are generous for real
traffic and small enough that no input costs more than seconds and tens of
MiB; ``docs/limits.md`` lists them with the flags.

The one limit every parser needs is on the digits of an integer: JSON allows
integers of any length, and turning one into a Python ``int`` takes time that
grows with the square of its length (a million digits: half a minute). Call
:func:`check_number_digits` (or :func:`find_long_number`) on a frame's text
*before* parsing it: it runs in linear time, and refuses what no parser
should convert::

    from lambda_agent_api.protocol.limits import NumberTooLong, check_number_digits

    try:
        check_number_digits(frame)           # str, bytes, bytearray or memoryview
    except NumberTooLong as error:
        print(error)                         # an integer of 1000000 digits at offset 42: ...
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CLIENT_MAX_FRAME_BYTES",
    "MAX_DEPTH",
    "MAX_FRAME_BYTES",
    "MAX_KEY_CHARS",
    "MAX_NUMBER_DIGITS",
    "MAX_OPEN_CONNECTIONS",
    "MAX_RECORD_BYTES",
    "PYDANTIC_MAX_INT_DIGITS",
    "SAFE_INT_CHARS",
    "LimitExceeded",
    "NumberTooLong",
    "check_number_digits",
    "find_long_number",
]

MAX_NUMBER_DIGITS: Final = 4300
"""The most digits an integer (a JSON number without fraction or exponent) may have.

4300 is Python's own limit on turning text into ``int`` (``sys.get_int_max_str_digits``)
and pydantic's: an integer that long converts in well under a millisecond, and the
protocol's integers (``tokens_used``) have a handful of digits. Numbers with a fraction
or an exponent convert in linear time and have no limit of their own.
"""

PYDANTIC_MAX_INT_DIGITS: Final = 4300
"""pydantic's JSON parser refuses an integer of more digits itself, before converting it:
below this limit, a lower ``max_number_digits`` needs a check of its own."""

SAFE_INT_CHARS: Final = 4000
"""An integer's text of at most this many characters goes to ``int()`` as it is; a longer
one (still within ``max_number_digits``) goes through ``Decimal``, since it is safely below
Python's own limit on converting text to ``int`` (4300, ``sys.get_int_max_str_digits``)."""

MAX_FRAME_BYTES: Final = 16 * 2**20
"""The largest WebSocket frame the record proxy, the test server and the validator take (16 MiB).

The proxy and the test server close a connection that sends a larger frame with 1009
(message too big); the validator reports the frame (F006) without parsing it.
"""

CLIENT_MAX_FRAME_BYTES: Final = 2**20
"""The largest frame :class:`~lambda_agent_api.transport.agent_api.AgentApi` accepts by
default (1 MiB), as in ``websockets`` and the v1.1 SDK (its ``max_size`` parameter)."""

MAX_RECORD_BYTES: Final = 128 * 2**20
"""The longest capture record read whole: a line of JSON Lines, a string of a HAR (128 MiB).

A longer record is reported (C001) and skipped as it is read, in flat memory.
"""

MAX_KEY_CHARS: Final = 64 * 1024
"""The longest object key the HAR reader reads (64 Ki characters); a longer key is skipped
as it is read, and its value with it."""

MAX_DEPTH: Final = 10_000
"""How deep the HAR reader checks the brackets of a value it skips.

Deeper levels are counted, not remembered, so a value nested millions of levels
deep is skipped in flat memory.
"""


MAX_OPEN_CONNECTIONS: Final = 100_000
"""How many connections of a JSON Lines capture the reader keeps open at once.

A connection ends at its close record (``"event": "close"``, written by ``record`` and
``AgentApi(capture=...)``); a capture without close records (an older one) only ends
them at the end of the file. Past this many, the reader ends the half idle longest,
so that memory stays bounded; a later frame of one starts a new connection.
"""


class LimitExceeded(ValueError):
    """Input goes beyond one of the limits of :mod:`lambda_agent_api.protocol.limits`."""


class NumberTooLong(LimitExceeded):
    """An integer has more digits than allowed; it was refused before any conversion."""

    def __init__(self, digits: int, limit: int, offset: int | None = None) -> None:
        where = "" if offset is None else f" at offset {offset}"
        super().__init__(
            f"an integer of {digits} digits{where}: more than the limit of {limit} "
            "(max_number_digits)"
        )
        self.digits = digits
        """How many digits it has."""
        self.limit = limit
        """The limit it broke."""
        self.offset = offset
        """Where it starts in the text checked (characters for a str, bytes otherwise)."""


# Everything is done on bytes by C code: digits become b"0" and every other
# byte b".", so that a run of too many digits is a plain substring search.
_DIGITS_ONLY: Final = bytes(48 if 48 <= byte <= 57 else 46 for byte in range(256))
_FLOAT_MARKS: Final = frozenset(b".eE")


def find_long_number(
    data: str | bytes | bytearray | memoryview, max_digits: int = MAX_NUMBER_DIGITS
) -> NumberTooLong | None:
    """Find the first integer of JSON text ``data`` with more than ``max_digits`` digits.

    Returns the :class:`NumberTooLong` error that describes it (not raised), or
    None. Runs in time linear in ``len(data)``, in C: one substring search for
    runs of too many digits (almost all text has none), then, for each run, a
    look at its neighbours (a fraction, an exponent) and a count of the quotes
    before it (inside a string?). It judges text as JSON whose part before the
    number is valid, which is all a parser reads before it reaches the number.
    """
    if max_digits < 1:
        raise ValueError(f"max_digits must be at least 1, not {max_digits}")
    if len(data) <= max_digits:  # the common case: a frame shorter than the limit
        return None
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    shape = raw.translate(_DIGITS_ONLY)
    too_many = b"0" * (max_digits + 1)
    quotes = 0  # unescaped quotes before ``counted``
    counted = 0
    start = shape.find(too_many)
    while start >= 0:
        end = shape.find(b".", start)
        end = len(raw) if end < 0 else end
        before, after = raw[max(start - 2, 0) : start], raw[end : end + 1]
        float_part = (before[-1:] and before[-1] in _FLOAT_MARKS) or (
            before[-1:] in (b"+", b"-") and before[:1] in (b"e", b"E")
        )
        if not float_part and not (after and after[0] in _FLOAT_MARKS):
            segment = raw[counted:start]
            quotes += segment.count(b'"')
            if b"\\" in segment:
                # In a valid prefix of JSON, backslashes occur in strings only, each
                # starting an escape: drop the escaped backslashes, count \".
                quotes -= segment.replace(b"\\\\", b"").count(b'\\"')
            counted = start
            if quotes % 2 == 0:  # outside any string
                offset = start - 1 if before[-1:] == b"-" else start
                if isinstance(data, str):  # say where in characters
                    offset = len(raw[:offset].decode("utf-8", "surrogatepass"))
                return NumberTooLong(end - start, max_digits, offset)
        start = shape.find(too_many, end)
    return None


def check_number_digits(
    data: str | bytes | bytearray | memoryview, max_digits: int = MAX_NUMBER_DIGITS
) -> None:
    """Refuse JSON text ``data`` if one of its integers has more than ``max_digits`` digits.

    Call it before parsing untrusted JSON; it takes linear time (see :func:`find_long_number`).

    Raises:
        NumberTooLong: the first such integer: its digits, the limit, its offset.
    """
    error = find_long_number(data, max_digits)
    if error is not None:
        raise error
