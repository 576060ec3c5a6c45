"""Every version folder's asyncapi.yaml: valid AsyncAPI 3.0, listing exactly its messages."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parent.parent
# Every version folder (schema/v1.1/, schema/draft/, ...) has its own AsyncAPI document.
VERSION_DIRS = sorted(p for p in (ROOT / "schema").iterdir() if p.is_dir())
# The official schema, vendored from @asyncapi/specs 6.11.1 (see its README).
OFFICIAL = Path(__file__).resolve().parent / "fixtures" / "asyncapi" / "asyncapi-3.0.0.schema.json"
OFFICIAL_SHA256 = "d4571a420e6ffb7fcc7066c95a6db1202f299a3c51daa103d0706bf30f95e626"
ADDRESS = "/v1/agent_ws/{chat_id}/"
# v1.0 (reconstructed) had no chats: the client took the full URL, and no chat was busy.
ADDRESS_V1_0 = "/agent_ws/"


@pytest.fixture(scope="module", params=VERSION_DIRS, ids=[p.name for p in VERSION_DIRS])
def schema_dir(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


@pytest.fixture(scope="module")
def document(schema_dir: Path) -> dict[str, Any]:
    text = (schema_dir / "asyncapi.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    return Draft7Validator(json.loads(OFFICIAL.read_text(encoding="utf-8")))


def message_schemas(schema_dir: Path) -> dict[str, dict[str, Any]]:
    """Every message schema file of one version folder, by its constant type."""
    found = {}
    for path in sorted(schema_dir.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for part in doc.get("properties", {}).get("type", {}).get("allOf", []):
            if "const" in part:
                found[part["const"]] = doc
    return found


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for key in ref[2:].split("/"):
        node = node[key]
    return node


def test_the_official_schema_is_the_pinned_copy() -> None:
    assert hashlib.sha256(OFFICIAL.read_bytes()).hexdigest() == OFFICIAL_SHA256


def test_valid_against_the_official_asyncapi_3_0_schema(
    document: dict[str, Any], validator: Draft7Validator
) -> None:
    assert document["asyncapi"] == "3.0.0"
    errors = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("operations", "sendServerMessage", "action"), "publish"),  # AsyncAPI 2's word
        (("channels", "agentChat", "address"), 8000),
        (("info", "version"), None),
    ],
)
def test_the_official_schema_rejects_a_broken_document(
    document: dict[str, Any], validator: Draft7Validator, where: tuple[str, ...], value: Any
) -> None:
    broken = copy.deepcopy(document)
    node = broken
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    assert not validator.is_valid(broken)


def test_lists_exactly_the_messages_of_the_schema(
    document: dict[str, Any], schema_dir: Path
) -> None:
    components = document["components"]["messages"]
    schemas = message_schemas(schema_dir)
    assert set(components) == set(schemas)
    assert set(document["channels"]["agentChat"]["messages"]) == set(schemas)
    for type_, message in components.items():
        assert message["name"] == type_
        assert message["title"] == schemas[type_]["title"]


def test_payloads_ref_the_schema_files_by_their_ids(
    document: dict[str, Any], schema_dir: Path
) -> None:
    schemas = message_schemas(schema_dir)
    for type_, message in document["components"]["messages"].items():
        payload = message["payload"]
        assert payload["schemaFormat"] == "application/schema+json;version=2020-12"
        ref = payload["schema"]["$ref"]
        # Resolved against the file (in the repository) or its $id (on the site).
        assert (schema_dir / ref).is_file(), ref
        assert urljoin(document["id"], ref) == schemas[type_]["$id"]


def test_operations_split_the_messages_by_direction(
    document: dict[str, Any], schema_dir: Path
) -> None:
    channel = document["channels"]["agentChat"]
    by_action: dict[str, set[str]] = {}
    for operation in document["operations"].values():
        assert resolve(document, operation["channel"]["$ref"]) is channel
        names = {resolve(document, m["$ref"])["$ref"] for m in operation["messages"]}
        by_action.setdefault(operation["action"], set()).update(names)
    schemas = message_schemas(schema_dir)
    client = {f"#/components/messages/{t}" for t, d in schemas.items() if "client/" in d["$id"]}
    server = {f"#/components/messages/{t}" for t, d in schemas.items() if "server/" in d["$id"]}
    assert by_action == {"receive": client, "send": server}


def test_the_channel_is_the_chat_url_with_its_parameter(
    document: dict[str, Any], schema_dir: Path
) -> None:
    channel = document["channels"]["agentChat"]
    if schema_dir.name == "v1.0":
        assert channel["address"] == ADDRESS_V1_0
        assert "parameters" not in channel
        return
    assert channel["address"] == ADDRESS
    assert set(re.findall(r"{(\w+)}", ADDRESS)) == set(channel["parameters"])


def test_the_close_codes_include_the_busy_chat_from_v1_1_on(
    document: dict[str, Any], schema_dir: Path
) -> None:
    codes = {c["code"]: c["name"] for c in document["channels"]["agentChat"]["x-close-codes"]}
    assert codes[1000] == "Normal Closure"
    if schema_dir.name == "v1.0":
        assert 1008 not in codes
    else:
        assert codes[1008] == "Policy Violation"
