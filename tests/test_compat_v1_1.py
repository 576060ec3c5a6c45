"""Code written for the hand-written v1.1 SDK runs unchanged, and produces the same JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError
from support import v1_1_models as v1
from support.fixtures import message_fixtures

from lambda_agent_api import client, server
from lambda_agent_api.client import ClientMessage, EClientMessage, MsgUserMessage
from lambda_agent_api.server import (
    AgentEventUnion,
    EServerMessage,
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgGracefulDisconnect,
    MsgStatus,
    ServerMessage,
)

V1_SERVER_ALL = {
    "EServerMessage",
    "MsgStatus",
    "MsgError",
    "MsgGracefulDisconnect",
    "MsgEventTextChunk",
    "MsgEventToolCallChunk",
    "MsgEventToolResult",
    "MsgEventCustomUpdate",
    "MsgEventSendFile",
    "MsgEventEnd",
    "AgentEventUnion",
    "ServerMessage",
}


def test_modules_export_exactly_the_v1_1_names() -> None:
    assert set(server.__all__) == V1_SERVER_ALL
    assert set(client.__all__) == {"MsgUserMessage", "ClientMessage", "EClientMessage"}
    namespace: dict[str, Any] = {}
    exec("from lambda_agent_api.server import *\nfrom lambda_agent_api.client import *", namespace)
    assert V1_SERVER_ALL | {"MsgUserMessage", "ClientMessage", "EClientMessage"} <= set(namespace)


def test_user_message_as_the_v1_1_client_builds_it() -> None:
    message = MsgUserMessage(type=EClientMessage.USER_MESSAGE, text="hi")
    assert json.loads(message.model_dump_json()) == {
        "type": "USER_MESSAGE",
        "text": "hi",
        "attachments": [],
    }
    assert message.model_dump_json() == '{"type":"USER_MESSAGE","text":"hi","attachments":[]}'
    with_files = MsgUserMessage(type=EClientMessage.USER_MESSAGE, text="x", attachments=["a.pdf"])
    assert with_files.attachments == ["a.pdf"]


def test_server_message_validate_json_dispatches_on_type() -> None:
    message = ServerMessage.validate_json('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "Hi"}')
    assert isinstance(message, MsgEventTextChunk)
    assert message.source == "main"
    assert message.type == EServerMessage.AGENT_EVENT_TEXT_CHUNK
    assert message.type is EServerMessage.AGENT_EVENT_TEXT_CHUNK
    assert message.type.value == "AGENT_EVENT_TEXT_CHUNK"
    assert message.type == "AGENT_EVENT_TEXT_CHUNK"  # a str enum, as in v1.1
    assert ClientMessage.validate_json('{"type": "USER_MESSAGE", "text": "q"}').text == "q"


def test_isinstance_checks_and_the_agent_event_union() -> None:
    events = [
        MsgEventTextChunk(text="a"),
        MsgEventToolCallChunk(tool_name="t"),
        MsgEventToolResult(tool_name="t", result=None),
        MsgEventCustomUpdate(payload={}),
        MsgEventSendFile(path="a.txt"),
        MsgEventEnd(tokens_used=3),
    ]
    for event in events:
        assert isinstance(event, AgentEventUnion)
    for other in (MsgStatus(), MsgError(code="c", details="d"), MsgGracefulDisconnect()):
        assert not isinstance(other, AgentEventUnion)


def test_match_statement_as_in_the_v1_1_repl() -> None:
    seen = []
    for chunk in [
        MsgEventTextChunk(text="a"),
        MsgEventToolCallChunk(args_chunk="{"),
        MsgEventSendFile(path="p"),
    ]:
        match chunk:
            case MsgEventTextChunk():
                seen.append("text")
            case MsgEventToolCallChunk():
                seen.append("tool")
            case MsgEventSendFile():
                seen.append("file")
    assert seen == ["text", "tool", "file"]


def test_enums_are_the_v1_1_enums() -> None:
    assert [m.value for m in EServerMessage] == [m.value for m in v1.EServerMessage]
    assert [m.value for m in EClientMessage] == [m.value for m in v1.EClientMessage]
    assert issubclass(EServerMessage, str)


def _strip_unknown(instance: dict[str, Any], cls: type[Any]) -> dict[str, Any]:
    return {k: v for k, v in instance.items() if k in cls.model_fields}


V1_1_REFUSES = {
    # An integer by JSON Schema; v1.1's pydantic int refuses a float this large.
    "AGENT_EVENT_END/valid/huge_float_count",
}
"""Valid messages that v1.1 could not parse: this package accepts them, as the schema does."""


@pytest.mark.parametrize("fixture", message_fixtures(valid=True), ids=lambda f: f.id)
def test_same_json_as_v1_1_for_every_valid_fixture(fixture: Any) -> None:
    adapter, v1_adapter = (
        (ClientMessage, v1.ClientMessage)
        if fixture.type == "USER_MESSAGE"
        else (ServerMessage, v1.ServerMessage)
    )
    ours = adapter.validate_json(fixture.text)
    if fixture.id in V1_1_REFUSES:
        with pytest.raises(ValidationError):
            v1_adapter.validate_json(fixture.text)
        return
    theirs = v1_adapter.validate_json(fixture.text)
    assert type(ours).__name__ == type(theirs).__name__
    ours_json = json.loads(ours.model_dump_json())
    theirs_json = json.loads(theirs.model_dump_json())
    # v1.1 dropped unknown fields; this package keeps them (no data silently lost).
    assert _strip_unknown(ours_json, type(theirs)) == theirs_json
    assert ours_json == {**theirs_json, **_strip_unknown_complement(fixture.instance, type(theirs))}


def _strip_unknown_complement(instance: dict[str, Any], cls: type[Any]) -> dict[str, Any]:
    return {k: v for k, v in instance.items() if k not in cls.model_fields}


@pytest.mark.parametrize(
    "construct",
    [
        lambda m: m.MsgStatus(),
        lambda m: m.MsgError(code="E", details="d"),
        lambda m: m.MsgGracefulDisconnect(),
        lambda m: m.MsgEventTextChunk(type=m.EServerMessage.AGENT_EVENT_TEXT_CHUNK, text="t"),
        lambda m: m.MsgEventToolCallChunk(tool_name="web", args_chunk='{"q":'),
        lambda m: m.MsgEventToolResult(tool_name="web", result={"a": [1, 2]}, source="tools:x"),
        lambda m: m.MsgEventCustomUpdate(payload={"progress": 0.5}),
        lambda m: m.MsgEventSendFile(path="out/report.pdf"),
        lambda m: m.MsgEventEnd(tokens_used=42),
    ],
)
def test_constructed_like_v1_1_code_dumps_identically(construct: Any) -> None:
    assert construct(server).model_dump_json() == construct(v1).model_dump_json()
    assert construct(server).model_dump() == construct(v1).model_dump()
