"""The schema files themselves: valid 2020-12 documents, complete, and shipped unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lambda_agent_api import schemas

SCHEMA_ROOT = Path(__file__).resolve().parent.parent / "schema"
# Every file of every version folder (v1.1/..., draft/...), by its path under schema/.
FILES = sorted(p.relative_to(SCHEMA_ROOT).as_posix() for p in SCHEMA_ROOT.rglob("*.json"))
SITE = "https://agent-api.lambda.coredump.ru/"
# The package ships the latest released version: the folder its BASE_URI names.
SHIPPED = schemas.BASE_URI.removeprefix(SITE + "schema/").rstrip("/")


def load(key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_ROOT / key).read_text(encoding="utf-8"))
    return data


def inner(key: str) -> str:
    """The path of a file inside its version folder."""
    return key.split("/", 1)[1]


def validator(key: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        (load(f)["$id"], Resource.from_contents(load(f), default_specification=DRAFT202012))
        for f in FILES
    )
    return Draft202012Validator(load(key), registry=registry)


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def is_message(doc: dict[str, Any]) -> bool:
    return "type" in doc.get("properties", {})


@pytest.mark.parametrize("rel", FILES)
def test_valid_against_the_2020_12_metaschema(rel: str) -> None:
    doc = load(rel)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("rel", FILES)
def test_stable_id_title_and_description(rel: str) -> None:
    doc = load(rel)
    assert doc["$id"] == SITE + "schema/" + rel
    assert doc["title"]
    assert not doc["title"][-1].isdigit()
    assert doc["description"].strip()


@pytest.mark.parametrize("rel", FILES)
def test_every_ref_resolves(rel: str) -> None:
    registry: Registry[Any] = Registry().with_resources(
        (load(f)["$id"], Resource.from_contents(load(f), default_specification=DRAFT202012))
        for f in FILES
    )
    resolver = registry.resolver(base_uri=load(rel)["$id"])
    found = refs(load(rel))
    for ref in found:
        resolved = resolver.lookup(ref)
        assert resolved.contents, f"{rel}: {ref} resolves to nothing"
    # Discriminator mappings name schemas like $ref does.
    for ref in load(rel).get("discriminator", {}).get("mapping", {}).values():
        assert urljoin(load(rel)["$id"], ref) in {load(f)["$id"] for f in FILES}


@pytest.mark.parametrize("rel", [f for f in FILES if is_message(load(f))])
def test_message_shape(rel: str) -> None:
    doc = load(rel)
    assert doc["type"] == "object"
    assert "type" in doc["required"]
    assert doc.get("additionalProperties", True) is True, "unknown fields must stay allowed"
    type_property = doc["properties"]["type"]
    _enum_ref, const = type_property["allOf"]
    assert type_property["default"] == const["const"]
    for name, prop in doc["properties"].items():
        assert prop.get("description", "").strip(), f"{rel}: property {name} has no description"
    assert doc["examples"]
    for example in doc["examples"]:
        validator(rel).validate(example)
    # The message's file is named after its type.
    assert Path(rel).stem == const["const"].lower()


@pytest.mark.parametrize("rel", [f for f in FILES if "oneOf" in load(f)])
def test_union_discriminates_on_type_with_a_complete_mapping(rel: str) -> None:
    doc = load(rel)
    discriminator = doc["discriminator"]
    assert discriminator["propertyName"] == "type"
    members = [member["$ref"] for member in doc["oneOf"]]
    assert sorted(discriminator["mapping"].values()) == sorted(members)
    base = doc["$id"]
    by_id = {load(f)["$id"]: load(f) for f in FILES}
    for tag, ref in discriminator["mapping"].items():
        assert by_id[urljoin(base, ref)]["properties"]["type"]["default"] == tag


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
