"""The public test server, seen through a raw websockets client: what goes over the wire."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from lambda_agent_api import testing
from lambda_agent_api.protocol.messages import MsgEventEnd, MsgEventTextChunk, MsgUserMessage
from lambda_agent_api.testing import Action, Binary, MockServer, Raw, text_reply
from lambda_agent_api.transport.agent_api import AgentApi, AgentException


def user_message(text: str) -> str:
    return MsgUserMessage(text=text).model_dump_json()


async def types_until_end(ws: ClientConnection) -> list[str]:
    types: list[str] = []
    while not types or types[-1] not in ("AGENT_EVENT_END", "ERROR"):
        types.append(json.loads(await ws.recv())["type"])
    return types


def test_the_package_exports_what_it_documents() -> None:
    for name in testing.__all__:
        assert getattr(testing, name) is not None
    assert {"MockServer", "Raw", "Binary", "Drop", "Freeze", "Close", "text_reply"} <= set(
        testing.__all__
    )


async def test_status_first_then_the_echo_script() -> None:
    async with MockServer() as server, connect(server.url(5)) as ws:
        assert json.loads(await ws.recv()) == {"type": "STATUS"}
        await ws.send(user_message("hi"))
        assert json.loads(await ws.recv()) == {
            "type": "AGENT_EVENT_TEXT_CHUNK",
            "text": "You said",
            "source": "main",
        }
        assert await types_until_end(ws) == ["AGENT_EVENT_TEXT_CHUNK", "AGENT_EVENT_END"]
    assert server.received == [("5", MsgUserMessage(text="hi"))]
    assert server.requests[0].path == "/v1/agent_ws/5/"


async def test_busy_as_a_403_handshake_with_an_empty_body() -> None:
    async with MockServer(busy="handshake") as server, connect(server.url(1)) as first:
        await first.recv()
        with pytest.raises(InvalidStatus) as caught:
            await connect(server.url(1))
        assert caught.value.response.status_code == 403
        assert caught.value.response.body == b""


async def test_busy_as_a_1008_close_after_accepting() -> None:
    async with MockServer(busy="close") as server, connect(server.url(1)) as first:
        await first.recv()
        async with connect(server.url(1)) as second:
            with pytest.raises(ConnectionClosedError) as caught:
                await second.recv()
        assert caught.value.rcvd is not None
        assert (caught.value.rcvd.code, caught.value.rcvd.reason) == (1008, "chat 1 is busy")


async def test_a_path_outside_the_prefix_is_refused_with_403() -> None:
    async with MockServer(path_prefix="api") as server:
        assert server.url(1).endswith("/api/v1/agent_ws/1/")
        with pytest.raises(InvalidStatus) as caught:
            await connect(f"ws://127.0.0.1:{server.port}/v1/agent_ws/1/")
        assert caught.value.response.status_code == 403


async def test_raw_and_binary_frames_go_out_as_they_are() -> None:
    async with (
        MockServer([Raw("{not json"), Binary(b"\x00\x01"), MsgEventEnd(tokens_used=0)]) as server,
        connect(server.url()) as ws,
    ):
        await ws.recv()
        await ws.send(user_message("hi"))
        assert await ws.recv() == "{not json"
        assert await ws.recv() == b"\x00\x01"


@pytest.mark.parametrize("style", ["list", "async", "async generator"])
async def test_a_script_may_be_a_function_of_the_message(style: str) -> None:
    def as_list(message: MsgUserMessage) -> list[Action]:
        return text_reply(message.text.upper(), chunk_size=100)

    async def as_async(message: MsgUserMessage) -> list[Action]:
        return as_list(message)

    async def as_generator(message: MsgUserMessage) -> AsyncIterator[Action]:
        for action in as_list(message):
            yield action

    script = {"list": as_list, "async": as_async, "async generator": as_generator}[style]
    async with MockServer(script) as server, AgentApi("a", server.base_url) as api:
        assert (await api.ask("shout")).text == "SHOUT"


async def test_a_broken_script_becomes_an_agent_error() -> None:
    def script(message: MsgUserMessage) -> list[Action]:
        raise LookupError("no canned answer")

    async with MockServer(script) as server, AgentApi("a", server.base_url) as api:
        with pytest.raises(AgentException) as caught:
            await api.ask("hi")
    assert caught.value.code == "MOCK_SCRIPT_ERROR"
    assert "no canned answer" in caught.value.details


async def test_client_mistakes_are_findings() -> None:
    async with MockServer() as server, connect(server.url(2)) as ws:
        await ws.recv()
        await ws.send(user_message("one"))
        await ws.send(user_message("two"))  # while the first response streams
        await ws.send('{"type": "USER_MESSAGE"}')  # no text
        await ws.send(b"\x00")
        assert await types_until_end(ws) == [
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_END",
        ]
        assert await types_until_end(ws) == [
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_END",
        ]
        assert await types_until_end(ws) == ["ERROR"]  # for the invalid message
    assert [(f.chat_id, f.finding.rule.id) for f in server.findings] == [
        ("2", "P004"),
        ("2", "S001"),
        ("2", "F004"),
    ]


async def test_send_needs_a_connected_chat() -> None:
    async with MockServer() as server:
        assert server.connected_chats() == []
        with pytest.raises(KeyError):
            await server.send(1, MsgEventTextChunk(text="x"))
