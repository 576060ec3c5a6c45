"""The checker's fast path (pydantic-core, translated from the schema) never disagrees
with JSON Schema (jsonschema).

A frame the fast path accepts must be valid for its schema; a frame it refuses
is explained by jsonschema itself. Both claims are checked on every message
fixture and on instances drawn from each schema, valid and mutated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from support.examples import TIMEOUT, examples
from support.fixtures import MessageFixture, message_fixtures
from support.strategies import TYPES, instances, mutated
from support.verdicts import schema_verdict

from lambda_agent_api.capture import CaptureFormat, Connection, Frame
from lambda_agent_api.check import Checker, frames
from lambda_agent_api.protocol.messages import SERVER_MESSAGE_CLASSES

pytestmark = pytest.mark.timeout(TIMEOUT)  # many examples: see support.examples

WARNINGS = {"W002", "W003"}  # about valid messages: not the schema's business
SETTINGS = settings(max_examples=examples(100))


# Of valid messages, the fast path leaves to the precise one on purpose: integers
# written as floats (5.0, 1e20).
INTEGERS_AS_FLOATS = {"huge_float_count", "integral_float"}


def check(type_: str, text: str | bytes) -> tuple[bool, set[tuple[str, str]], list[str]]:
    """Check one frame: (took the fast path, S001 (keyword, pointer)s, other rules)."""
    direction = "recv" if type_ in SERVER_MESSAGE_CLASSES else "send"
    frame = Frame(Connection("t", CaptureFormat.JSONL), 0, direction, text, False, None, 1)
    slow = 0
    precise = frames._inspect_slowly

    def spy(*args: Any) -> Any:
        nonlocal slow
        slow += 1
        return precise(*args)

    frames._inspect_slowly = spy  # type: ignore[assignment]
    try:
        found = list(Checker().check_all([frame]))
    finally:
        frames._inspect_slowly = precise  # type: ignore[assignment]
    schema_errors = {(d.keyword or "", d.pointer or "") for d in found if d.rule.id == "S001"}
    others = [d.rule.id for d in found if d.rule.id[0] in "FW" and d.rule.id not in WARNINGS]
    return slow == 0, schema_errors, others


def agree(type_: str, instance: Any, text: str | bytes | None = None) -> bool:
    """Assert the checker agrees with jsonschema on ``instance``; return whether it went fast.

    The checker picks the schema by the instance's own ``type`` (a fixture of
    one type may hold another's); without a known one, it cannot be fast.
    """
    fast, found, others = check(type_, json.dumps(instance) if text is None else text)
    own = instance.get("type") if isinstance(instance, dict) else None
    assert others == [] or own not in TYPES
    if own not in TYPES:
        assert not fast
        assert found or others, "a message without a known type must be reported"
        return fast
    expected = schema_verdict(own, instance)
    if fast:
        assert expected == set(), "the fast path accepted what the schema refuses"
    assert found == expected
    return fast


def text_forms(instance: Any) -> Iterator[str | bytes]:
    yield json.dumps(instance)
    yield json.dumps(instance, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("fixture", message_fixtures(), ids=lambda f: f.id)
def test_every_message_fixture(fixture: MessageFixture) -> None:
    fast = agree(fixture.type, fixture.instance, fixture.text)
    own = fixture.instance.get("type") if isinstance(fixture.instance, dict) else None
    if fixture.valid and own == fixture.type:
        assert fast != (fixture.path.stem in INTEGERS_AS_FLOATS), f"{fixture.id}: fast {fast}"


@pytest.mark.parametrize("type_", TYPES)
def test_valid_instances_from_the_schema(type_: str) -> None:
    @SETTINGS
    @given(instances(type_))
    def run(instance: dict[str, Any]) -> None:
        agree(type_, instance)

    run()


@pytest.mark.parametrize("type_", TYPES)
def test_mutated_instances(type_: str) -> None:
    @SETTINGS
    @given(mutated(type_, keep_type=True))
    def run(instance: dict[str, Any]) -> None:
        agree(type_, instance)

    run()


@pytest.mark.parametrize(
    ("type_", "text", "valid"),
    [
        ("AGENT_EVENT_END", '{"type":"AGENT_EVENT_END","tokens_used":1e20}', True),
        ("AGENT_EVENT_END", '{"type":"AGENT_EVENT_END","tokens_used":1e400}', False),
        ("AGENT_EVENT_END", '{"type":"AGENT_EVENT_END","tokens_used":-0.0}', True),
        ("AGENT_EVENT_TEXT_CHUNK", '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\ud800"}', True),
        (
            "AGENT_EVENT_TOOL_RESULT",
            '{"type":"AGENT_EVENT_TOOL_RESULT","tool_name":"t","result":"NaN"}',
            True,
        ),
    ],
)
def test_edge_cases_pydantic_and_python_disagree_on(type_: str, text: str, valid: bool) -> None:
    fast, found, others = check(type_, text)
    assert others == []
    assert (found == set()) is valid
    if fast:
        assert valid


@pytest.mark.parametrize(
    ("type_", "text", "rule"),
    [
        ("AGENT_EVENT_END", '{"type":"AGENT_EVENT_END","tokens_used":' + "9" * 5000 + "}", "F006"),
        ("AGENT_EVENT_TEXT_CHUNK", '{"type":"AGENT_EVENT_TEXT_CHUNK","text":1,"text":"x"}', "F005"),
        ("STATUS", '{"type":"STATUS","type":"ERROR","code":"X","details":"m"}', "F005"),
    ],
)
def test_frames_beyond_the_limits_or_with_a_key_twice_get_their_own_finding(
    type_: str, text: str, rule: str
) -> None:
    # Valid for the schema (an integer of any length; the last of two keys), but an
    # integer too long to convert and a key that parsers read differently are findings.
    _, found, others = check(type_, text)
    assert found == set()
    assert others == [rule]


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"AGENT_EVENT_TOOL_RESULT","tool_name":"t","result":NaN}',
        '{"type":"AGENT_EVENT_CUSTOM_UPDATE","payload":{"p":Infinity}}',
        '{"type":"STATUS","extra":-Infinity}',
    ],
)
def test_nan_and_infinity_are_not_json_though_pydantic_takes_them(text: str) -> None:
    type_ = json.loads(text)["type"]
    fast, _, others = check(type_, text)
    assert not fast
    assert others == ["F002"]
