"""`AgentApi(..., protocol="1.0")`: the client speaks an older version, over a real socket."""

from __future__ import annotations

import io
import json

import pytest
from support.inbox import Inbox

from lambda_agent_api.protocol import v1_0
from lambda_agent_api.protocol.client_protocol import ClientProtocol, UnknownMessage
from lambda_agent_api.protocol.messages import (
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgUserMessage,
)
from lambda_agent_api.testing import MockServer
from lambda_agent_api.transport.agent_api import AgentApi

END = MsgEventEnd(tokens_used=7)


def test_the_default_is_the_current_version() -> None:
    assert AgentApi("a", "ws://127.0.0.1:1/").protocol == "1.1"
    assert AgentApi("a", "ws://127.0.0.1:1/", protocol="v1.0").protocol == "1.0"


def test_an_unknown_version_fails_at_once() -> None:
    with pytest.raises(ValueError, match="no released protocol version"):
        AgentApi("a", "ws://127.0.0.1:1/", protocol="0.9")


async def test_a_v1_0_client_reads_v1_0_classes_and_ignores_what_v1_1_added() -> None:
    inbox = Inbox()
    capture = io.StringIO()
    reply = [MsgEventTextChunk(text="a"), MsgEventSendFile(path="f.txt"), END]
    async with (
        MockServer(reply) as server,
        AgentApi("a", server.base_url, inbox, protocol="1.0", capture=capture) as api,
    ):
        events = [event async for event in api.send_message("hi")]
        [unknown] = await inbox.wait_for(lambda messages: len(messages) == 1)
    # The response: v1.0's own classes; the v1.1 event went to the callback, unknown.
    assert [type(e) for e in events] == [v1_0.MsgEventTextChunk, v1_0.MsgEventEnd]
    assert events[-1].tokens_used == 7
    assert unknown == UnknownMessage(
        "AGENT_EVENT_SEND_FILE", {"type": "AGENT_EVENT_SEND_FILE", "path": "f.txt"}
    )
    # What went over the wire is a v1.0 USER_MESSAGE: no attachments field at all.
    sent = [json.loads(r) for r in capture.getvalue().splitlines()]
    frames = [json.loads(r["data"]) for r in sent if r.get("dir") == "send"]
    assert frames == [{"type": "USER_MESSAGE", "text": "hi"}]
    assert server.received[0][1] == MsgUserMessage(text="hi")


async def test_a_v1_0_client_refuses_attachments() -> None:
    async with MockServer([END]) as server, AgentApi("a", server.base_url, protocol="1.0") as api:
        with pytest.raises(ValueError, match=r"protocol 1\.0 has no attachments"):
            async for _ in api.send_message("hi", ["a.txt"]):
                pass


def test_client_protocol_speaks_the_version_it_is_given() -> None:
    current, old = ClientProtocol(), ClientProtocol("1.0")
    status = '{"type": "STATUS"}'
    assert type(current.receive_status(status)).__module__ == "lambda_agent_api.protocol._models"
    assert isinstance(old.receive_status(status), v1_0.MsgStatus)
    assert json.loads(old.send_user_message("x")) == {"type": "USER_MESSAGE", "text": "x"}
    assert json.loads(current.send_user_message("x"))["attachments"] == []
