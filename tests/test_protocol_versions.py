"""Each released version's generated models: importable, and agreeing with its own schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from lambda_agent_api import schemas
from lambda_agent_api.protocol import messages, v1_0, v1_1
from lambda_agent_api.protocol.message_set import CURRENT, message_set, normalize_version
from lambda_agent_api.schemas import versions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "messages"
FRAMES = sorted(FIXTURES.glob("*/*/*.json"))
FRAMES = [p for p in FRAMES if not p.name.endswith(".expect.json")]


def test_every_released_version_has_its_models() -> None:
    assert CURRENT == versions.CURRENT
    for version in versions.released():
        assert message_set(version).version == version
    assert message_set() is v1_1.MESSAGES
    assert message_set("v1.0") is v1_0.MESSAGES


def test_the_current_version_is_the_package_s_own_classes() -> None:
    # Nothing changes for code written for v1.1: same classes, same import paths.
    assert v1_1.MsgStatus is messages.MsgStatus
    assert v1_1.MESSAGES.server_classes == messages.SERVER_MESSAGE_CLASSES


def test_v1_0_has_no_send_file_and_no_attachments() -> None:
    assert "AGENT_EVENT_SEND_FILE" not in v1_0.MESSAGES.server_classes
    assert "attachments" not in v1_0.MsgUserMessage.model_fields
    assert v1_0.MsgUserMessage is not v1_1.MsgUserMessage
    with pytest.raises(ValidationError):
        v1_0.parse_server_message('{"type": "AGENT_EVENT_SEND_FILE", "path": "a.txt"}')
    end = v1_0.parse_server_message('{"type": "AGENT_EVENT_END", "tokens_used": 2}')
    assert isinstance(end, v1_0.MsgEventEnd)


@pytest.mark.parametrize("name", ["2.0", "x"])
def test_an_unknown_version_is_a_value_error(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        message_set(name)


def test_version_names() -> None:
    assert normalize_version("v1_0") == "1.0"
    with pytest.raises(ValueError, match="not a protocol version"):
        normalize_version("one")


@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("path", FRAMES, ids=lambda p: "/".join(p.parts[-3:]))
def test_models_and_schema_agree_on_every_fixture(version: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    value = json.loads(text)
    known = message_set(version)
    side = "server" if path.parts[-3] in messages.SERVER_MESSAGE_CLASSES else "client"
    union = schemas.validator_for(f"{side}_message.json", version)
    parse = known.parse_server_message if side == "server" else known.parse_client_message
    try:
        parse(text)
        by_models = True
    except ValidationError:
        by_models = False
    assert by_models == union.is_valid(value)
