"""`schema diff`'s engine: crafted pairs, the real v1.0 -> v1.1 diff, and generated proof.

Every pair under tests/fixtures/schema-diff/ says what it expects (expected.json); every
counterexample is checked here again with jsonschema, independently of the engine; and
for every direction classified compatible, instances generated from the writer's schema
must pass the reader's.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from support.examples import examples

from lambda_agent_api._bundle import bundle
from lambda_agent_api.schemas.diff import DIRECTIONS, Diff, Level, diff
from lambda_agent_api.schemas.versions import SchemaSet, SchemaSetError, load_folder

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "schema-diff"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
UNION = {"server": "server_message.json", "client": "client_message.json"}


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / case / "expected.json").read_text("utf-8"))
    return data


@cache
def pair(case: str) -> tuple[SchemaSet, SchemaSet]:
    return load_folder(FIXTURES / case / "old"), load_folder(FIXTURES / case / "new")


@cache
def union_validator(schemas: SchemaSet, side: str) -> Draft202012Validator:
    union_id = schemas.documents[UNION[side]]["$id"]
    return Draft202012Validator({"$ref": union_id}, registry=schemas.registry)


def as_expected(result: Diff) -> list[dict[str, Any]]:
    return [
        {
            "message": change.message,
            "pointer": change.location,
            "level": change.level.label,
            "verdicts": {v.direction.label: v.level.label for v in change.verdicts},
        }
        for change in sorted(result.changes, key=lambda c: (c.message, c.pointer))
    ]


def test_every_crafted_kind_of_change_has_a_pair() -> None:
    kinds = [
        "field_made_required",
        "type_narrowed",
        "enum_value_added",
        "enum_value_removed",
        "default_removed",
        "additional_properties_closed",
        "message_removed",
        "field_renamed",
    ]
    for kind in kinds:
        assert any(case.startswith(kind) for case in CASES), kind


@pytest.mark.parametrize("case", CASES)
def test_crafted_pair_is_classified_as_expected(case: str) -> None:
    want = expected(case)
    result = diff(*pair(case))
    assert result.level.label == want["level"]
    got = as_expected(result)
    assert got == sorted(want["changes"], key=lambda c: (c["message"], c["pointer"]))


@pytest.mark.parametrize("case", CASES)
def test_every_counterexample_proves_its_verdict(case: str) -> None:
    old, new = pair(case)
    result = diff(old, new)
    proven = 0
    for change in result.changes:
        for verdict in change.verdicts:
            if verdict.level is Level.COMPATIBLE:
                assert not verdict.has_counterexample
                continue
            writer, reader = (new, old) if verdict.direction.writer_is_new else (old, new)
            if not verdict.has_counterexample:
                continue
            proven += 1
            message = verdict.counterexample
            assert union_validator(writer, change.side).is_valid(message)
            semantic = any("means" in reason for reason in verdict.reasons)
            assert union_validator(reader, change.side).is_valid(message) is semantic
    # Every case that breaks anything shows at least one message that proves it.
    assert proven or result.level is Level.COMPATIBLE


def test_reasons_and_pointers_say_what_changed() -> None:
    result = diff(*pair("enum_value_added_server"))
    [change] = result.changes
    assert change.summary == '`state`: one of "ok", "busy" before, one of "ok", "busy", "gone" now'
    [verdict] = change.verdicts
    assert verdict.reasons == ('the reader refuses "gone"',)
    assert verdict.counterexample["state"] == "gone"


def test_the_json_form_carries_everything() -> None:
    data = diff(*pair("field_renamed")).as_json()
    assert data["level"] == "breaking"
    assert data["counts"] == {"compatible": 1, "tolerant": 0, "breaking": 1}
    removed = next(c for c in data["changes"] if c["pointer"].endswith("tokens_used"))
    assert removed["side"] == "server"
    assert removed["verdicts"][0]["counterexample"] == {"type": "END", "tokens": 3}
    json.dumps(data)  # plain JSON all the way down


def test_v1_0_to_v1_1_is_exactly_the_release_notes() -> None:
    result = diff(load_folder(ROOT / "schema" / "v1.0"), load_folder(ROOT / "schema" / "v1.1"))
    # v1.0 is written like v1.1 (issue 10's shape): only what v1.1 added differs.
    assert as_expected(result) == [
        {
            "message": "AGENT_EVENT_SEND_FILE",
            "pointer": "server/agent_event_send_file.json#",
            "level": "tolerant",
            "verdicts": {"old client reads new server": "tolerant"},
        },
        {
            "message": "USER_MESSAGE",
            "pointer": "client/user_message.json#/properties/attachments",
            "level": "compatible",
            "verdicts": {
                "old server reads new client": "compatible",
                "new server reads old client": "compatible",
            },
        },
    ]
    attachments = next(c for c in result.changes if c.message == "USER_MESSAGE")
    assert attachments.summary == (
        "field `attachments` added (optional, array of string, default `[]`)"
    )
    # An old server reads a new client's message, but does not see the attachments.
    old_server = attachments.verdicts[0]
    assert old_server.reasons == ("the reader ignores `attachments`, which it does not know",)
    assert result.level is Level.TOLERANT
    assert not result.breaking


def test_a_version_against_itself_has_no_change() -> None:
    v1_1 = load_folder(ROOT / "schema" / "v1.1")
    assert diff(v1_1, v1_1).changes == []


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: d.pop("oneOf"), "has no list of messages"),
        (lambda d: d["oneOf"].append({"$ref": "nowhere.json"}), "does not resolve"),
        (lambda d: d["oneOf"].append({"type": "object"}), "one constant `type`"),
    ],
)
def test_a_broken_union_is_a_clear_error(tmp_path: Path, edit: Any, reason: str) -> None:
    folder = tmp_path / "broken"
    for path in (FIXTURES / "message_added_server" / "old").rglob("*.json"):
        target = folder / path.relative_to(FIXTURES / "message_added_server" / "old")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    union = json.loads((folder / "server_message.json").read_text("utf-8"))
    edit(union)
    (folder / "server_message.json").write_text(json.dumps(union), "utf-8")
    with pytest.raises(SchemaSetError, match=reason):
        diff(load_folder(folder), pair("message_added_server")[1])


# Generated proof: for every direction classified compatible, what the writer's
# schema accepts passes the reader's. A writer sends the fields it declares (and
# maybe extension fields that no version declares, which only matter to a reader
# that constrains undeclared fields: the additional_properties_closed pair), so
# instances are drawn with each message closed to its declared fields.

COMPATIBLE_DIRECTIONS = [
    (case, side, direction.writer_is_new)
    for case in CASES
    for side, directions in DIRECTIONS.items()
    for direction in directions
    if all(
        change["verdicts"].get(direction.label, "compatible") == "compatible"
        for change in expected(case)["changes"]
    )
    # a side with no change at all proves nothing new
    and any(direction.label in change["verdicts"] for change in expected(case)["changes"])
]


def test_the_generated_proof_covers_the_compatible_pairs() -> None:
    covered = {case for case, _, _ in COMPATIBLE_DIRECTIONS}
    assert {"field_added_optional_client", "reshaped_same_meaning", "type_narrowed_server"} <= (
        covered
    )


@pytest.mark.parametrize(("case", "side", "writer_is_new"), COMPATIBLE_DIRECTIONS)
@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_writer_instances_pass_the_compatible_reader(
    case: str, side: str, writer_is_new: bool, data: st.DataObject
) -> None:
    old, new = pair(case)
    reader = old if writer_is_new else new
    instance = data.draw(writer_instances(case, side, writer_is_new))
    assert union_validator(reader, side).is_valid(instance), instance


@pytest.mark.parametrize("writer_is_new", [True, False])
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_v1_0_and_v1_1_client_messages_pass_either_server(
    writer_is_new: bool, data: st.DataObject
) -> None:
    # The client side of v1.0 -> v1.1 is compatible both ways (attachments added).
    old, new = released("v1.0"), released("v1.1")
    writer, reader = (new, old) if writer_is_new else (old, new)
    instance = data.draw(client_instances(writer))
    assert union_validator(reader, "client").is_valid(instance), instance


@cache
def released(folder: str) -> SchemaSet:
    return load_folder(ROOT / "schema" / folder)


@cache
def client_instances(schemas: SchemaSet) -> st.SearchStrategy[Any]:
    return from_schema(closed(bundle(schemas.documents, root=UNION["client"])))


_STRATEGIES: dict[tuple[str, str, bool], st.SearchStrategy[Any]] = {}


def closed(node: Any) -> Any:
    """``node`` with every object schema that declares properties closed to them."""
    if isinstance(node, dict):
        out = {key: closed(value) for key, value in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [closed(item) for item in node]
    return node


def writer_instances(case: str, side: str, writer_is_new: bool) -> st.SearchStrategy[Any]:
    key = (case, side, writer_is_new)
    if key not in _STRATEGIES:
        schemas = pair(case)[1 if writer_is_new else 0]
        # One strategy per member: drawing from the oneOf itself is many times slower.
        members = [m["$ref"] for m in schemas.documents[UNION[side]]["oneOf"]]
        _STRATEGIES[key] = st.one_of(
            [from_schema(closed(bundle(schemas.documents, root=m))) for m in members]
        )
    return _STRATEGIES[key]
