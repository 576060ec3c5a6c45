"""The TypeScript validator and the Python side give the same verdict on every fixture.

``typescript/scripts/verdicts.ts`` prints the TypeScript verdicts; each is
compared with what Python's jsonschema reports: the full set of
(keyword, instanceLocation) leaf errors, empty for a valid message.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest
from pydantic import ValidationError
from support.fixtures import MessageFixture, message_fixtures
from support.node import TS_DIR, run_node
from support.verdicts import pointer, schema_verdict

from lambda_agent_api.protocol.messages import (
    CLIENT_MESSAGE_CLASSES,
    SERVER_MESSAGE_CLASSES,
    parse_client_message,
    parse_server_message,
)
from lambda_agent_api.schemas import validator_for

FIXTURES = message_fixtures()


@pytest.fixture(scope="module")
def typescript_verdicts() -> dict[str, dict[str, Any]]:
    """Every fixture's TypeScript verdicts, by fixture id (compiles the tests first).

    Each process compiles into a folder of its own under ``typescript/build/`` (where
    node finds the package's dependencies): pytest-xdist may run this in two workers at
    once, and one must not read a file the other is writing.
    """
    out = TS_DIR / "build" / f"agreement-{os.getpid()}"
    try:
        run_node(
            "node_modules/typescript/bin/tsc", "-p", "tsconfig.test.json", "--outDir", str(out)
        )
        verdicts = json.loads(run_node(str(out / "scripts" / "verdicts.js")))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {v["id"]: v for v in verdicts}


def as_set(verdict: list[list[str]]) -> set[tuple[str, str]]:
    return {(keyword, location) for keyword, location in verdict}


def union_verdict(union: str, instance: Any) -> set[tuple[str, str]]:
    errors = validator_for(union).iter_errors(instance)
    return {(str(e.validator), pointer(e.absolute_path)) for e in errors}


def test_typescript_sees_exactly_the_fixtures_python_sees(
    typescript_verdicts: dict[str, dict[str, Any]],
) -> None:
    assert sorted(typescript_verdicts) == sorted(f.id for f in FIXTURES)
    assert len(FIXTURES) > 50


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.id)
def test_same_verdict_against_the_message_schema(
    fixture: MessageFixture, typescript_verdicts: dict[str, dict[str, Any]]
) -> None:
    ours = schema_verdict(fixture.type, fixture.instance)
    assert as_set(typescript_verdicts[fixture.id]["message"]) == ours
    assert (ours == set()) == fixture.valid


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.id)
def test_same_verdict_through_the_parsers(
    fixture: MessageFixture, typescript_verdicts: dict[str, dict[str, Any]]
) -> None:
    server = fixture.type in SERVER_MESSAGE_CLASSES
    union = "server_message.json" if server else "client_message.json"
    theirs = as_set(typescript_verdicts[fixture.id]["parse"])
    # Validity is the union schema's, in TypeScript as in Python's jsonschema and models.
    python_union = union_verdict(union, fixture.instance)
    assert (theirs == set()) == (python_union == set())
    parse = parse_server_message if server else parse_client_message
    try:
        parse(fixture.text)
        parsed = True
    except ValidationError:
        parsed = False
    assert parsed == (theirs == set())
    if not theirs:
        return
    # The TypeScript parser reports the errors of the schema the `type` names, which
    # are the union's (its if/then sends the message there); without a known `type`,
    # the union's own errors. Either way, as jsonschema reports them.
    instance = fixture.instance
    type_ = instance.get("type") if isinstance(instance, dict) else None
    side = SERVER_MESSAGE_CLASSES if server else CLIENT_MESSAGE_CLASSES
    if isinstance(type_, str) and type_ in side:
        assert theirs == schema_verdict(type_, instance) == python_union
    else:
        assert theirs == python_union
