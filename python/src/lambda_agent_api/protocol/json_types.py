"""Python types that apply JSON Schema's rules where pydantic's differ."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

__all__ = ["JsonInteger"]


def _refuse_non_numbers(value: object) -> object:
    # pydantic's lax int turns "5" and true into 5; JSON Schema's "integer"
    # refuses both (and accepts 5.0, which pydantic's int does too).
    if isinstance(value, (str, bytes, bytearray, bool)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    # pydantic refuses an integral float beyond 64 bits (1e20); JSON Schema accepts it.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInteger = Annotated[int, BeforeValidator(_refuse_non_numbers)]
"""An ``int`` validated as a JSON Schema ``integer``: 5 and 5.0, never "5" or true."""
