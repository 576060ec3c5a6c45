"""Every released version ships in the package, and the package speaks the latest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lambda_agent_api import schemas
from lambda_agent_api.schemas import versions
from lambda_agent_api.schemas.diff import diff

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_ROOT = ROOT / "schema"
FOLDERS = sorted(
    (p.name for p in SCHEMA_ROOT.iterdir() if re.fullmatch(r"v\d+\.\d+", p.name)),
    key=lambda name: tuple(int(n) for n in name[1:].split(".")),
)


def test_every_released_folder_ships_and_the_latest_is_current() -> None:
    assert [f"v{v}" for v in versions.released()] == FOLDERS
    assert FOLDERS[-1] == f"v{versions.CURRENT}"
    assert schemas.CURRENT == versions.current() == "1.1"
    assert schemas.BASE_URI == "https://agent-api.lambda.coredump.ru/schema/v1.1/"


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_version_ships_exactly_its_folder(folder: str) -> None:
    version = folder[1:]
    on_disk = {
        p.relative_to(SCHEMA_ROOT / folder).as_posix(): json.loads(p.read_text("utf-8"))
        for p in (SCHEMA_ROOT / folder).rglob("*.json")
    }
    assert schemas.schema_paths(version) == sorted(on_disk)
    for path, document in on_disk.items():
        assert schemas.schema(path, version) == document
        # v1.0 names its address in $id; v1.1 on, a file's address is where it lies.
        assert document.get("$id", schemas.base_uri(version) + path) == (
            schemas.base_uri(version) + path
        )
        assert versions.load_version(version).uri(path) == schemas.base_uri(version) + path


@pytest.mark.parametrize("name", ["1.0", "v1.0", "1_0", " 1.0 "])
def test_version_names_are_forgiving(name: str) -> None:
    assert versions.normalize(name) == "1.0"
    assert schemas.schema_paths(name) == schemas.schema_paths("1.0")


@pytest.mark.parametrize("name", ["2.0", "latest", ""])
def test_an_unknown_version_is_a_clear_key_error(name: str) -> None:
    with pytest.raises(KeyError, match=r"1\.0, 1\.1|not a protocol version"):
        schemas.schema_paths(name)


def test_v1_0_validates_as_v1_0() -> None:
    user = {"type": "USER_MESSAGE", "text": "hi"}
    assert schemas.validator_for("client/user_message.json", "1.0").is_valid(user)
    send_file = {"type": "AGENT_EVENT_SEND_FILE", "path": "a.txt"}
    assert schemas.validator_for("server_message.json").is_valid(send_file)
    assert not schemas.validator_for("server_message.json", "1.0").is_valid(send_file)
    assert schemas.message_schema_path("AGENT_EVENT_SEND_FILE", "1.0") is None
    bundled = schemas.bundled_schema("client/user_message.json", "1.0")
    assert "attachments" not in bundled["$defs"]["MsgUserMessage"]["properties"]


def test_by_name_and_by_folder_give_the_same_diff() -> None:
    by_name = diff(versions.open_schemas("1.0"), versions.open_schemas("1.1"))
    by_folder = diff(
        versions.open_schemas(str(SCHEMA_ROOT / "v1.0")),
        versions.open_schemas(str(SCHEMA_ROOT / "v1.1")),
    )
    assert by_name.old == "1.0"
    assert [c.as_json() for c in by_name.changes] == [c.as_json() for c in by_folder.changes]


def test_the_draft_is_v1_1_until_it_changes() -> None:
    result = diff(versions.open_schemas("1.1"), versions.load_folder(SCHEMA_ROOT / "draft"))
    assert result.level.label == "compatible"
