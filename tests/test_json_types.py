"""JsonInteger: an int validated by JSON Schema's rule for "integer"."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from lambda_agent_api.protocol.json_types import JsonInteger

ADAPTER: TypeAdapter[int] = TypeAdapter(JsonInteger)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5),
        ("5.0", 5),
        ("-0.0", 0),
        ("1e20", 10**20),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ],
)
def test_integers_and_integral_numbers_are_accepted(text: str, value: int) -> None:
    parsed = ADAPTER.validate_json(text)
    assert parsed == value
    assert type(parsed) is int


@pytest.mark.parametrize("text", ['"5"', "true", "1.5", "1e-3", "null", "[]"])
def test_what_json_schema_refuses_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_json(text)
