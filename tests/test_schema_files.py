"""The schema files themselves: valid 2020-12 documents, complete, and shipped unchanged.

A file has no ``$id``: it is known by where it lies (its folder's address plus
its path), so its relative ``$ref``s resolve from a checkout as from the site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from support.fixtures import message_fixtures

from lambda_agent_api import schemas
from lambda_agent_api._bundle import bundle, message_tag, union_members

SCHEMA_ROOT = Path(__file__).resolve().parent.parent / "schema"
# Every file of every version folder (v1.1/..., draft/...), by its path under schema/.
FILES = sorted(p.relative_to(SCHEMA_ROOT).as_posix() for p in SCHEMA_ROOT.rglob("*.json"))
SITE = "https://agent-api.lambda.coredump.ru/"
# The package ships the latest released version: the folder its BASE_URI names.
SHIPPED = schemas.BASE_URI.removeprefix(SITE + "schema/").rstrip("/")
# Every version folder, v1.0 (reconstructed) included, has the shape of docs/ecosystem.md.
NEW_FILES = FILES


def load(key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_ROOT / key).read_text(encoding="utf-8"))
    return data


def inner(key: str) -> str:
    """The path of a file inside its version folder."""
    return key.split("/", 1)[1]


def address(key: str) -> str:
    """Where the site publishes a file: its path under schema/ is its address."""
    return SITE + "schema/" + key


def registry() -> Registry[Any]:
    return Registry().with_resources(
        (address(f), Resource.from_contents(load(f), default_specification=DRAFT202012))
        for f in FILES
    )


def validator(key: str) -> Draft202012Validator:
    return Draft202012Validator({**load(key), "$id": address(key)}, registry=registry())


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def is_message(doc: dict[str, Any]) -> bool:
    return message_tag(doc) is not None


def is_union(key: str) -> bool:
    return union_members(inner(key), load(key)) is not None


@pytest.mark.parametrize("rel", FILES)
def test_valid_against_the_2020_12_metaschema(rel: str) -> None:
    doc = load(rel)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("rel", NEW_FILES)
def test_no_id_a_title_and_a_description(rel: str) -> None:
    doc = load(rel)
    # No $id anywhere: a file's base URI is where it was read from (docs/ecosystem.md).
    assert "$id" not in json.dumps(doc)
    assert doc["title"]
    assert not doc["title"][-1].isdigit()
    assert doc["description"].strip()


@pytest.mark.parametrize("rel", FILES)
def test_every_ref_is_a_relative_path_to_a_file_of_its_folder(rel: str) -> None:
    resolver = registry().resolver(base_uri=address(rel))
    folder = rel.split("/", 1)[0]
    for ref in refs(load(rel)):
        assert not ref.startswith(("/", "#"))
        assert ":" not in ref
        assert "#" not in ref
        resolved = resolver.lookup(ref)
        assert resolved.contents, f"{rel}: {ref} resolves to nothing"
        assert (
            (SCHEMA_ROOT / rel).parent.joinpath(ref).resolve().is_relative_to(SCHEMA_ROOT / folder)
        )


@pytest.mark.parametrize("rel", [f for f in NEW_FILES if is_message(load(f))])
def test_message_shape(rel: str) -> None:
    doc = load(rel)
    assert doc["type"] == "object"
    assert "type" in doc["required"]
    assert doc.get("additionalProperties", True) is True, "unknown fields must stay allowed"
    type_property = doc["properties"]["type"]
    # A plain const: every generator reads it as the literal type (docs/ecosystem.md).
    assert set(type_property) == {"const", "default", "description"}
    assert type_property["default"] == type_property["const"]
    for name, prop in doc["properties"].items():
        assert prop.get("description", "").strip(), f"{rel}: property {name} has no description"
    assert doc["examples"]
    for example in doc["examples"]:
        validator(rel).validate(example)
    # The message's file is named after its type.
    assert Path(rel).stem == type_property["const"].lower()
    # The enum of its direction lists it.
    assert type_property["const"] in load(str(Path(rel).parent / "message_type.json"))["enum"]


@pytest.mark.parametrize("rel", [f for f in FILES if is_union(f)])
def test_union_dispatches_on_type_and_refuses_unknown_types(rel: str) -> None:
    doc = load(rel)
    members = union_members(inner(rel), doc)
    assert members
    assert doc["type"] == "object"
    assert doc["required"] == ["type"]
    for tag, member in members.items():
        assert message_tag(load(f"{rel.split('/', 1)[0]}/{member}")) == tag
    # An unknown `type` fails the union's own enum of its members' types.
    type_property = doc["properties"]["type"]
    if "$ref" in type_property:
        type_property = load(str(Path(rel).parent / type_property["$ref"]))
    assert type_property["enum"] == list(members)


def test_the_package_ships_exactly_the_released_files() -> None:
    shipped = [inner(f) for f in FILES if f.startswith(SHIPPED + "/")]
    assert shipped
    assert schemas.schema_paths() == shipped
    for rel in shipped:
        assert schemas.schema(rel) == load(f"{SHIPPED}/{rel}")


def test_unions_validate_through_their_members() -> None:
    server = schemas.validator_for("server_message.json")
    assert server.is_valid({"type": "AGENT_EVENT_END", "tokens_used": 1})
    assert not server.is_valid({"type": "USER_MESSAGE", "text": "hi"})
    client = schemas.validator_for("client_message.json")
    assert client.is_valid({"type": "USER_MESSAGE", "text": "hi"})
    events = schemas.validator_for("agent_event.json")
    assert not events.is_valid({"type": "STATUS"})


def test_bundled_schema_is_self_contained() -> None:
    bundled = schemas.bundled_schema("server_message.json")
    assert all(ref.startswith("#/$defs/") for ref in refs(bundled))
    Draft202012Validator.check_schema(bundled)
    validator = Draft202012Validator(bundled)
    assert validator.is_valid({"type": "STATUS"})
    assert not validator.is_valid({"type": "AGENT_EVENT_END"})


def test_unknown_schema_path_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match=r"no schema 'nope\.json'"):
        schemas.schema("nope.json")


def test_the_shipped_bundle_is_the_bundle_of_the_shipped_files() -> None:
    documents = {path: schemas.schema(path) for path in schemas.schema_paths()}
    assert schemas.bundle_document() == bundle(documents, base_uri=schemas.BASE_URI)
    Draft202012Validator.check_schema(schemas.bundle_document())


def test_the_bundle_accepts_exactly_what_the_files_accept() -> None:
    # The bundle's unions are oneOf + discriminator where the files use if/then:
    # the same verdict on every fixture, valid or not, for every file.
    bundled = schemas.bundle_document()
    fixtures = [f.instance for f in message_fixtures()]
    assert len(fixtures) >= 100
    for path in schemas.schema_paths():
        title = schemas.schema(path)["title"]
        as_bundle = Draft202012Validator({**bundled, "$ref": f"#/$defs/{title}"})
        as_file = schemas.validator_for(path)
        for instance in fixtures:
            assert as_bundle.is_valid(instance) == as_file.is_valid(instance), (path, instance)
