"""Every message fixture against JSON Schema and against the generated models."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from support.fixtures import MessageFixture, fixture_types, message_fixtures
from support.verdicts import (
    model_blamed_pointers,
    model_parse,
    schema_blamed_pointers,
    schema_verdict,
)

from lambda_agent_api.protocol.messages import CLIENT_MESSAGE_CLASSES, SERVER_MESSAGE_CLASSES
from lambda_agent_api.schemas import message_schema_path, validator_for

ALL_TYPES = sorted({**SERVER_MESSAGE_CLASSES, **CLIENT_MESSAGE_CLASSES})


def test_every_message_type_has_fixtures_and_no_stray_directory() -> None:
    assert fixture_types() == ALL_TYPES


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_enough_fixtures_per_type(type_: str) -> None:
    fixtures = [f for f in message_fixtures() if f.type == type_]
    assert sum(f.valid for f in fixtures) >= 3
    assert sum(not f.valid for f in fixtures) >= 4


@pytest.mark.parametrize("fixture", message_fixtures(valid=True), ids=lambda f: f.id)
def test_valid_fixture(fixture: MessageFixture) -> None:
    assert schema_verdict(fixture.type, fixture.instance) == set()
    model = model_parse(fixture.type, fixture.text)
    dumped = model.model_dump(mode="json")
    assert schema_verdict(fixture.type, dumped) == set()
    # Nothing is lost: every field of the input comes back, unknown ones included.
    assert dumped == {**dumped, **fixture.instance}
    assert model_parse(fixture.type, model.model_dump_json()) == model


@pytest.mark.parametrize("fixture", message_fixtures(valid=False), ids=lambda f: f.id)
def test_invalid_fixture_has_an_expectation(fixture: MessageFixture) -> None:
    assert fixture.expect_path.exists(), (
        f"{fixture.path.name} needs a sibling {fixture.expect_path.name} "
        "naming the errors it must cause"
    )


@pytest.mark.parametrize("fixture", message_fixtures(valid=False), ids=lambda f: f.id)
def test_invalid_fixture_fails_schema_for_the_expected_reason(fixture: MessageFixture) -> None:
    expected = fixture.expected_errors()
    assert expected, "an expectation must name at least one error"
    assert schema_verdict(fixture.type, fixture.instance) == expected


@pytest.mark.parametrize("fixture", message_fixtures(valid=False), ids=lambda f: f.id)
def test_invalid_fixture_fails_models_at_the_same_place(fixture: MessageFixture) -> None:
    with pytest.raises(ValidationError) as caught:
        model_parse(fixture.type, fixture.text)
    assert model_blamed_pointers(caught.value) == schema_blamed_pointers(
        fixture.type, fixture.instance
    )


def test_schema_examples_are_valid() -> None:
    for type_ in ALL_TYPES:
        path = message_schema_path(type_)
        assert path is not None
        validator = validator_for(path)
        examples = validator.schema["examples"]
        assert examples, f"{path} has no examples"
        for example in examples:
            validator.validate(example)
            model_parse(type_, json.dumps(example))
