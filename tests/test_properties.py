"""Property tests: JSON Schema and the generated models never disagree.

For each message type, hypothesis-jsonschema draws instances from the message's
schema (bundled, since it cannot follow references between files):

- whatever the schema accepts, the models accept, as the right class;
- what the models dump validates against the schema and parses back equal;
- on mutated instances (a field replaced by any JSON value, or removed), the
  verdicts of the schema and of the models are the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import ValidationError
from support.examples import TIMEOUT, examples
from support.strategies import TYPES, instances, mutated
from support.verdicts import (
    model_blamed_pointers,
    model_parse,
    schema_blamed_pointers,
    schema_verdict,
)

pytestmark = pytest.mark.timeout(TIMEOUT)  # many examples: see support.examples

SETTINGS = settings(max_examples=examples(200))


def model_verdict(type_: str, text: str) -> set[str]:
    try:
        model_parse(type_, text)
    except ValidationError as error:
        return model_blamed_pointers(error)
    return set()


@pytest.mark.parametrize("type_", TYPES)
def test_what_the_schema_accepts_the_models_accept_and_round_trip(type_: str) -> None:
    @SETTINGS
    @given(instances(type_))
    def check(instance: dict[str, Any]) -> None:
        assert schema_verdict(type_, instance) == set()
        model = model_parse(type_, json.dumps(instance))
        dumped = model.model_dump(mode="json")
        assert schema_verdict(type_, dumped) == set()
        assert dumped == {**dumped, **instance}, "a field was lost or changed"
        assert model_parse(type_, model.model_dump_json()) == model

    check()


@pytest.mark.parametrize("type_", TYPES)
def test_schema_and_models_never_disagree(type_: str) -> None:
    @SETTINGS
    @given(mutated(type_))
    def check(instance: dict[str, Any]) -> None:
        text = json.dumps(instance)
        assert model_verdict(type_, text) == schema_blamed_pointers(type_, instance)

    check()
