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
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import ValidationError
from support.verdicts import (
    model_blamed_pointers,
    model_parse,
    schema_blamed_pointers,
    schema_verdict,
)

from lambda_agent_api.messages import CLIENT_MESSAGE_CLASSES, SERVER_MESSAGE_CLASSES
from lambda_agent_api.schemas import bundled_schema, message_schema_path, schema

TYPES = sorted({**SERVER_MESSAGE_CLASSES, **CLIENT_MESSAGE_CLASSES})
EXAMPLES = 200
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Values where JSON Schema and pydantic's lax mode are known to part ways.
confusable = st.sampled_from(
    [True, False, 0, 1, 5.0, 1.5, 1e20, "5", "5.0", " 5 ", "", "true", "null", None, [], {}, ["x"]]
)


@cache
def instances(type_: str) -> st.SearchStrategy[Any]:
    path = message_schema_path(type_)
    assert path is not None
    return from_schema(bundled_schema(path))


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


@st.composite
def mutated(draw: st.DrawFn, type_: str) -> Any:
    instance = draw(instances(type_))
    properties = list(schema(message_schema_path(type_) or "")["properties"])
    key = draw(st.sampled_from(properties) | st.text(max_size=5))
    if draw(st.integers(0, 3)) == 0:
        instance.pop(key, None)
    else:
        instance[key] = draw(confusable | json_values)
    return instance


@pytest.mark.parametrize("type_", TYPES)
def test_schema_and_models_never_disagree(type_: str) -> None:
    @SETTINGS
    @given(mutated(type_))
    def check(instance: dict[str, Any]) -> None:
        text = json.dumps(instance)
        assert model_verdict(type_, text) == schema_blamed_pointers(type_, instance)

    check()
