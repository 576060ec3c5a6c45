"""JSON parsing by RFC 8259's rules, where Python's ``json`` module differs, and JSON in messages.

``json.loads`` accepts ``NaN`` and ``Infinity``, which are not JSON. :func:`loads`
refuses them, refuses an integer of more digits than the limit of
:mod:`lambda_agent_api.protocol.limits` (checked in linear time before any conversion,
where ``json.loads`` would convert it in quadratic time or fail with Python's
own message), and reports nesting too deep to parse as a ``ValueError``
rather than a ``RecursionError``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from typing import Any, Final

from lambda_agent_api.protocol.limits import (
    MAX_NUMBER_DIGITS,
    PYDANTIC_MAX_INT_DIGITS,
    SAFE_INT_CHARS,
    NumberTooLong,
    check_number_digits,
    find_long_number,
)
from lambda_agent_api.protocol.text import shorten

__all__ = [
    "HugeInt",
    "LongInteger",
    "check",
    "json_type",
    "kind",
    "loads",
    "may_hold_a_constant",
    "pydantic_reads_as_json",
    "show",
]


class HugeInt(int):
    """An integer too long for Python to print: JSON allows it; ``repr`` says its size."""

    def __repr__(self) -> str:
        return f"<an integer of {self.bit_length()} bits>"

    __str__ = __repr__


class LongInteger(HugeInt):
    """Stands in for an integer of more digits than the limit, which was never converted.

    Its value is ``±10**limit``: beyond every bound a schema here sets, on the
    right side of zero. ``digits`` says how long the real one is.
    """

    digits: int
    limit: int

    def __new__(cls, text: str, limit: int) -> LongInteger:
        """Stand in for the integer ``text``, of more than ``limit`` digits."""
        value = super().__new__(cls, -(10**limit) if text.startswith("-") else 10**limit)
        value.digits = len(text.lstrip("-"))
        value.limit = limit
        return value

    def __reduce__(self) -> tuple[type[LongInteger], tuple[str, int]]:
        # Pickled as what it was made from (validate --jobs sends it between processes).
        return LongInteger, (("-" if self < 0 else "") + "0" * self.digits, self.limit)

    def __repr__(self) -> str:
        return f"<an integer of {self.digits} digits>"

    __str__ = __repr__


def _stand_in(limit: int, text: str) -> int:
    if len(text) <= SAFE_INT_CHARS:
        return int(text)
    if len(text.lstrip("-")) > limit:
        return LongInteger(text, limit)
    return HugeInt(Decimal(text))


def _parse_int(limit: int, text: str) -> int:
    if len(text) <= SAFE_INT_CHARS:
        return int(text)
    digits = len(text.lstrip("-"))
    if digits > limit:  # checked before already; this keeps the promise on its own
        raise NumberTooLong(digits, limit)
    return HugeInt(Decimal(text))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def loads(
    text: str | bytes, *, max_number_digits: int = MAX_NUMBER_DIGITS, stand_in: bool = False
) -> Any:
    """Parse one JSON document.

    With ``stand_in``, an integer of more than ``max_number_digits`` digits is
    read as a :class:`LongInteger` (never converted) instead of refused.

    Raises:
        ValueError: the text is not JSON (``json.JSONDecodeError`` for a syntax
            error), or it is nested too deeply to parse.
        NumberTooLong: an integer has more than ``max_number_digits`` digits (a
            ``ValueError`` too).
    """
    if stand_in:
        parse_int = partial(_stand_in, max_number_digits)
    else:
        check_number_digits(text, max_number_digits)
        parse_int = partial(_parse_int, max_number_digits)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=parse_int)
    except RecursionError as error:
        raise ValueError("nested too deeply to parse") from error


def _no_conversion(text: str) -> int:
    return 0


def check(text: str | bytes) -> None:
    """Check that ``text`` is one JSON document (RFC 8259), without building its numbers.

    Integers of any length pass, in linear time: none is converted.

    Raises:
        ValueError: the text is not JSON, or it is nested too deeply to parse.
    """
    try:
        json.loads(text, parse_constant=_refuse_constant, parse_int=_no_conversion)
    except RecursionError as error:
        raise ValueError("nested too deeply to parse") from error


def may_hold_a_constant(data: str | bytes | bytearray) -> bool:
    """Return whether ``data`` may hold ``NaN`` or ``Infinity``, which pydantic's JSON parser takes.

    A cheap substring test: a true answer only means "parse it with :func:`loads`".
    """
    if isinstance(data, str):
        return "NaN" in data or "Infinity" in data
    return b"NaN" in data or b"Infinity" in data


def pydantic_reads_as_json(
    data: str | bytes | bytearray, max_number_digits: int = MAX_NUMBER_DIGITS
) -> bool:
    """Say whether pydantic-core's JSON parser may be trusted with ``data``.

    The one rule every fast parse in the package follows (the models, the checker,
    its batches). False when the text may hold ``NaN`` or ``Infinity`` (which that parser takes and
    JSON does not) or an integer of more than ``max_number_digits`` digits (below
    the parser's own limit, which it enforces itself): parse it with :func:`loads`.
    What the parser refuses that JSON allows (a lone surrogate escape, an integer of
    more than 4300 digits within the limit) the caller learns from its error, and
    then parses with :func:`loads` too. Linear time, in C.
    """
    if may_hold_a_constant(data):
        return False
    if max_number_digits >= PYDANTIC_MAX_INT_DIGITS:
        return True
    return find_long_number(data, max_number_digits) is None


def json_type(value: object) -> str | None:
    """Return the JSON Schema type of a parsed value (``3.0`` is an "integer"), or None.

    None for a value that JSON has no type for (not one :func:`loads` returns).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return None


_KINDS: Final = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def kind(value: object) -> str:
    """Name the JSON kind of a parsed value, for a message: "a string", "an integer", ..."""
    return _KINDS[json_type(value) or "object"]


def show(value: object, limit: int = 60) -> str:
    """Return a short JSON rendering of ``value``, safe for any size and depth."""
    if isinstance(value, str) and len(value) > limit * 4:
        value = value[: limit * 4]
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        text = repr(value) if isinstance(value, HugeInt) else kind(value)
    return shorten(text, limit)
