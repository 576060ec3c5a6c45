"""Every version folder's asyncapi.yaml: valid AsyncAPI, listing exactly its messages.

v1.1 on: AsyncAPI 3.1 with plain $ref payloads (docs/ecosystem.md); v1.0, reconstructed
in the shape v1.1 was first released in, keeps AsyncAPI 3.0 and its schemaFormat wrapper.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from lambda_agent_api._bundle import message_tag

ROOT = Path(__file__).resolve().parent.parent
# Every version folder (schema/v1.1/, schema/draft/, ...) has its own AsyncAPI document.
VERSION_DIRS = sorted(p for p in (ROOT / "schema").iterdir() if p.is_dir())
# The official schema, vendored from @asyncapi/specs 6.11.1 (see its README).
OFFICIAL_DIR = Path(__file__).resolve().parent / "fixtures" / "asyncapi"
OFFICIAL_SHA256 = {
    "3.0.0": "d4571a420e6ffb7fcc7066c95a6db1202f299a3c51daa103d0706bf30f95e626",
    "3.1.0": "51d3274899ad2875f25c18fd1aef4d5512f0a97be785d519740bde55a4162f61",
}
# The chat URL, ws://host/v1/agent_ws/{chat_id}/, as AsyncAPI composes it: the server's
# host and pathname, then the channel's address (docs/ecosystem.md says why it is split so).
PATHNAME = "/v1/agent_ws/{chat_id}"
ADDRESS = "/"
# v1.0 (reconstructed) had no chats: the client took the full URL, and no chat was busy.
ADDRESS_V1_0 = "/agent_ws/"
OLD_SHAPE = {"v1.0"}
"""Folders in the shape v1.1 was first released in ($ids, AsyncAPI 3.0), kept as released."""


@pytest.fixture(scope="module", params=VERSION_DIRS, ids=[p.name for p in VERSION_DIRS])
def schema_dir(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


@pytest.fixture(scope="module")
def document(schema_dir: Path) -> dict[str, Any]:
    text = (schema_dir / "asyncapi.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def official(version: str) -> Path:
    return OFFICIAL_DIR / f"asyncapi-{version}.schema.json"


@pytest.fixture(scope="module")
def validator(document: dict[str, Any]) -> Draft7Validator:
    return Draft7Validator(json.loads(official(document["asyncapi"]).read_text(encoding="utf-8")))


def message_schemas(schema_dir: Path) -> dict[str, dict[str, Any]]:
    """Every message schema file of one version folder, by its constant type."""
    found = {}
    for path in sorted(schema_dir.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        tag = message_tag(doc)
        if tag is not None:
            found[tag] = {**doc, "path": path.relative_to(schema_dir).as_posix()}
    return found


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for key in ref[2:].split("/"):
        node = node[key]
    return node


@pytest.mark.parametrize("version", sorted(OFFICIAL_SHA256))
def test_the_official_schema_is_the_pinned_copy(version: str) -> None:
    assert hashlib.sha256(official(version).read_bytes()).hexdigest() == OFFICIAL_SHA256[version]


def test_valid_against_the_official_asyncapi_schema(
    document: dict[str, Any], validator: Draft7Validator, schema_dir: Path
) -> None:
    assert document["asyncapi"] == ("3.0.0" if schema_dir.name in OLD_SHAPE else "3.1.0")
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


def test_payloads_are_plain_refs_to_the_schema_files(
    document: dict[str, Any], schema_dir: Path
) -> None:
    schemas = message_schemas(schema_dir)
    for type_, message in document["components"]["messages"].items():
        payload = message["payload"]
        if schema_dir.name in OLD_SHAPE:
            assert payload["schemaFormat"] == "application/schema+json;version=2020-12"
            payload = payload["schema"]
        else:
            # No schemaFormat wrapper: AsyncAPI tools then read (and check) the payload.
            assert set(payload) == {"$ref"}
        # Relative to this file, in a checkout as on the site.
        assert payload["$ref"] == schemas[type_]["path"]


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
    client = {f"#/components/messages/{t}" for t, d in schemas.items() if "client/" in d["path"]}
    server = {f"#/components/messages/{t}" for t, d in schemas.items() if "server/" in d["path"]}
    assert by_action == {"receive": client, "send": server}


def test_server_and_channel_compose_the_chat_url(
    document: dict[str, Any], schema_dir: Path
) -> None:
    if schema_dir.name == "v1.0":
        channel = document["channels"]["agentChat"]
        assert channel["address"] == ADDRESS_V1_0
        assert "parameters" not in channel
        return
    (server,) = document["servers"].values()
    assert server["pathname"] == PATHNAME
    assert set(re.findall(r"{(\w+)}", PATHNAME)) == set(server["variables"])
    assert document["channels"]["agentChat"]["address"] == ADDRESS
    url = f"{server['protocol']}://{server['host']}{server['pathname']}{ADDRESS}"
    assert url.replace("{chat_id}", "0") == "ws://localhost:8000/v1/agent_ws/0/"


@pytest.mark.parametrize(
    "folder", [p for p in VERSION_DIRS if p.name not in OLD_SHAPE], ids=lambda p: p.name
)
def test_what_spectral_asks_for(folder: Path) -> None:
    document = yaml.safe_load((folder / "asyncapi.yaml").read_text(encoding="utf-8"))
    # spectral:asyncapi's recommended rules (nox -s ecosystem runs Spectral itself). Its
    # asyncapi-info-contact-properties also wants an email: the project publishes no
    # mailbox, and the matrix records that rule as a stated limit rather than a made-up one.
    contact = document["info"]["contact"]
    assert set(contact) == {"name", "url"}
    assert contact["url"] == "https://agent-api.lambda.coredump.ru/"
    tags = [t["name"] for t in document["info"]["tags"]]
    assert tags == sorted(tags)
    assert all(t["description"] for t in document["info"]["tags"])
    for operation in document["operations"].values():
        assert operation["description"].strip()


def test_the_close_codes_include_the_busy_chat_from_v1_1_on(
    document: dict[str, Any], schema_dir: Path
) -> None:
    codes = {c["code"]: c["name"] for c in document["channels"]["agentChat"]["x-close-codes"]}
    assert codes[1000] == "Normal Closure"
    if schema_dir.name == "v1.0":
        assert 1008 not in codes
    else:
        assert codes[1008] == "Policy Violation"
