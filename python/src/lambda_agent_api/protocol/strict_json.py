"""JSON parsing by RFC 8259's rules, where Python's ``json`` module differs, and JSON in messages.

``json.loads`` accepts ``NaN`` and ``Infinity``, which are not JSON, and
refuses integers of more than 4300 digits (Python's limit on turning text
into ``int``), which are. :func:`loads` does neither, and reports nesting
too deep to parse as a ``ValueError`` rather than a ``RecursionError``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Final

__all__ = ["HugeInt", "kind", "loads", "may_hold_a_constant", "show"]

_MAX_INT_DIGITS: Final = 4000  # safely below Python's int <-> str limit (4300)


class HugeInt(int):
    """An integer too long for Python to print: JSON allows it; ``repr`` says its size."""

    def __repr__(self) -> str:
        return f"<an integer of {self.bit_length()} bits>"

    __str__ = __repr__


def _parse_int(text: str) -> int:
    if len(text) <= _MAX_INT_DIGITS:
        return int(text)
    return HugeInt(Decimal(text))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def loads(text: str | bytes) -> Any:
    """Parse one JSON document.

    Raises:
        ValueError: the text is not JSON (``json.JSONDecodeError`` for a syntax
            error), or it is nested too deeply to parse.
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int)
    except RecursionError as error:
        raise ValueError("nested too deeply to parse") from error


def may_hold_a_constant(data: str | bytes | bytearray) -> bool:
    """Return whether ``data`` may hold ``NaN`` or ``Infinity``, which pydantic's JSON parser takes.

    A cheap substring test: a true answer only means "parse it with :func:`loads`".
    """
    if isinstance(data, str):
        return "NaN" in data or "Infinity" in data
    return b"NaN" in data or b"Infinity" in data


def kind(value: object) -> str:
    """Name the JSON kind of a parsed value, for a message: "a string", "an integer", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "an integer" if value.is_integer() else "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def show(value: object, limit: int = 60) -> str:
    """Return a short JSON rendering of ``value``, safe for any size and depth."""
    if isinstance(value, str) and len(value) > limit * 4:
        value = value[: limit * 4]
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        text = repr(value) if isinstance(value, HugeInt) else kind(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
