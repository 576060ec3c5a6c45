"""AgentApi.connect() over real loopback sockets: URLs, STATUS, busy chats, every failure."""

from __future__ import annotations

import asyncio
import http
import ssl
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

import lambda_agent_api
from lambda_agent_api.protocol.messages import MsgEventTextChunk, MsgStatus
from lambda_agent_api.testing import Binary, Close, MockServer, Raw
from lambda_agent_api.transport.agent_api import (
    AgentApi,
    AgentBusyException,
    AgentException,
    agent_url,
)

TLS = Path(__file__).parent / "fixtures" / "tls"


@pytest.mark.parametrize(
    ("base_url", "chat_id", "expected"),
    [
        ("ws://localhost:8000/", 0, "ws://localhost:8000/v1/agent_ws/0/"),  # as v1.1
        ("ws://localhost:8000", 0, "ws://localhost:8000/v1/agent_ws/0/"),
        ("wss://host/api", 7, "wss://host/api/v1/agent_ws/7/"),
        ("wss://host/api/", "7", "wss://host/api/v1/agent_ws/7/"),
        ("ws://h/", "a b/c?", "ws://h/v1/agent_ws/a%20b%2Fc%3F/"),
        ("https://h/x?token=t", 1, "wss://h/x/v1/agent_ws/1/?token=t"),
        ("http://h:80", 1, "ws://h:80/v1/agent_ws/1/"),
        ("ws://h/", "...", "ws://h/v1/agent_ws/.../"),  # not a dot segment
        ("ws://h/", "a/../b", "ws://h/v1/agent_ws/a%2F..%2Fb/"),  # one segment
        ("ws://h/", "%2e%2E", "ws://h/v1/agent_ws/%252e%252E/"),  # the percent sign is quoted
        ("ws://h/", "\x1b]0;x\x07", "ws://h/v1/agent_ws/%1B%5D0%3Bx%07/"),
    ],
)
def test_url_is_built_from_base_url_and_chat_id(
    base_url: str, chat_id: int | str, expected: str
) -> None:
    assert agent_url(base_url, chat_id) == expected
    assert AgentApi("a", base_url, chat_id=chat_id).url == expected


@pytest.mark.parametrize("chat_id", [".", "..", ""])
def test_a_chat_id_that_is_a_dot_or_empty_segment_is_refused(chat_id: str) -> None:
    # "ws://h/v1/agent_ws/../" is "ws://h/v1/" to a server that normalises paths;
    # "%2E%2E" would be no better (RFC 3986 decodes unreserved characters first).
    with pytest.raises(ValueError, match="cannot be a path segment"):
        agent_url("ws://h/", chat_id)
    with pytest.raises(ValueError, match="cannot be a path segment"):
        AgentApi("a", "ws://h/", chat_id=chat_id)


def test_v1_1_names_and_attributes() -> None:
    assert lambda_agent_api.AgentApi is AgentApi
    api = AgentApi("agent-1", "ws://localhost:8000/", None, None, 5)
    assert (api.id, api.chat_id, api.url) == ("agent-1", 5, "ws://localhost:8000/v1/agent_ws/5/")
    assert api.callback is None
    assert api.on_disconnect is None
    assert issubclass(AgentBusyException, AgentException)


async def test_connect_waits_for_status_and_close_ends_the_connection() -> None:
    async with MockServer() as server:
        api = AgentApi("a", server.base_url, chat_id=1)
        assert not api.connected
        await api.connect()
        assert api.connected
        assert server.connected_chats() == ["1"]
        await api.connect()  # already connected: nothing happens
        await api.close()
        assert not api.connected
        assert (await server.connections_ended(1))[0][:2] == ("1", 1000)
        await api.close()  # twice is fine


async def test_async_with_connects_and_closes() -> None:
    async with MockServer() as server:
        async with AgentApi("a", server.base_url, chat_id=2) as api:
            assert api.connected
        assert not api.connected


async def test_a_path_prefix_and_a_str_chat_id_reach_the_chat() -> None:
    async with MockServer(path_prefix="/api") as server:
        assert server.base_url.endswith("/api/")
        async with AgentApi("a", server.base_url.rstrip("/"), chat_id="team/x y") as api:
            assert api.connected
            assert server.connected_chats() == ["team/x y"]


async def test_extra_headers_reach_the_server() -> None:
    async with MockServer() as server:
        headers = {"Authorization": "Bearer secret"}
        async with AgentApi("a", server.base_url, additional_headers=headers):
            assert server.requests[0].headers["Authorization"] == "Bearer secret"


async def test_wss_with_an_ssl_context() -> None:
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(TLS / "localhost.crt", TLS / "localhost.key")
    client_context = ssl.create_default_context(cafile=str(TLS / "localhost.crt"))
    async with MockServer(ssl=server_context) as server:
        assert server.base_url.startswith("wss://")
        async with AgentApi("a", server.base_url, ssl=client_context) as api:
            assert (await api.ask("over tls")).text == "You said: over tls"


# Busy chats, in both shapes


async def test_two_clients_on_one_chat_busy_as_http_403() -> None:
    async with MockServer(busy="handshake") as server:
        async with AgentApi("first", server.base_url, chat_id=3):
            second = AgentApi("second", server.base_url, chat_id=3)
            with pytest.raises(AgentBusyException) as caught:
                await second.connect()
            error = caught.value
            assert (error.code, error.http_status, error.http_body) == ("AGENT_BUSY", 403, "")
            assert "Chat 3 is busy, or the server refused the handshake (HTTP 403" in error.details
            assert not second.connected
            # Another chat is free.
            async with AgentApi("third", server.base_url, chat_id=4) as third:
                assert third.connected
        # Once the first client has closed, the chat is free again.
        async with AgentApi("second", server.base_url, chat_id=3) as again:
            assert again.connected
        assert server.refused == [("3", "handshake")]


async def test_busy_403_quotes_the_body_when_there_is_one() -> None:
    async with (
        MockServer(busy_body="chat 3 is in use") as server,
        AgentApi("first", server.base_url, chat_id=3),
    ):
        with pytest.raises(AgentBusyException) as caught:
            await AgentApi("second", server.base_url, chat_id=3).connect()
    assert caught.value.http_body == "chat 3 is in use"
    assert "'chat 3 is in use'" in caught.value.details


async def test_two_clients_on_one_chat_busy_as_a_1008_close_with_the_reason() -> None:
    async with (
        MockServer(busy="close", busy_reason="chat {chat_id} is held by bot-7") as server,
        AgentApi("first", server.base_url, chat_id=3),
    ):
        with pytest.raises(AgentBusyException) as caught:
            await AgentApi("second", server.base_url, chat_id=3).connect()
    error = caught.value
    assert (error.close_code, error.close_reason, error.http_status) == (
        1008,
        "chat 3 is held by bot-7",
        None,
    )
    assert "chat 3 is held by bot-7" in error.details


async def test_a_1008_close_without_a_reason_is_still_busy() -> None:
    async with MockServer(greeting=[Close(1008, "")]) as server:
        with pytest.raises(AgentBusyException) as caught:
            await AgentApi("a", server.base_url, chat_id=9).connect()
    assert caught.value.close_code == 1008
    assert "Chat 9" in caught.value.details


async def test_a_wrong_path_is_indistinguishable_from_a_busy_chat() -> None:
    # What a Starlette server does; the exception says both possibilities.
    async with MockServer(path_prefix="/api") as server:
        api = AgentApi("a", f"ws://127.0.0.1:{server.port}/", chat_id=1)
        with pytest.raises(AgentBusyException) as caught:
            await api.connect()
    assert "or the server refused the handshake" in caught.value.details


# Every other failure


@pytest.mark.parametrize(
    ("greeting", "code"),
    [
        ([MsgEventTextChunk(text="hi")], "INVALID_STATUS"),
        ([Raw('{"type": "HELLO"}')], "INVALID_STATUS"),
        ([Binary(b"\x01")], "UNEXPECTED_MSG_TYPE"),
        ([Raw("{not json")], "PARSE_ERROR"),
        ([Close(1011, "agent crashed")], "CONNECTION_ERROR"),
    ],
)
async def test_a_bad_first_frame_fails_and_leaves_nothing_open(
    greeting: list[object], code: str
) -> None:
    async with MockServer(greeting=greeting) as server:  # type: ignore[arg-type]
        api = AgentApi("a", server.base_url, chat_id=1)
        with pytest.raises(AgentException) as caught:
            await api.connect()
        assert caught.value.code == code
        assert not api.connected
        assert api._link is None
        assert [t for t in asyncio.all_tasks() if t.get_name().startswith("agent-api")] == []
        await server.connections_ended(1)  # the server saw the connection end
        assert server.connected_chats() == []


async def test_a_close_before_status_names_code_and_reason() -> None:
    async with MockServer(greeting=[Close(1011, "agent crashed")]) as server:
        with pytest.raises(AgentException) as caught:
            await AgentApi("a", server.base_url).connect()
    assert (caught.value.close_code, caught.value.close_reason) == (1011, "agent crashed")
    assert "1011" in caught.value.details
    assert "agent crashed" in caught.value.details


async def test_no_status_in_time_is_timeout_and_the_socket_is_closed() -> None:
    async with MockServer(greeting=[]) as server:
        # Long enough for the handshake itself on a loaded machine: what times out is STATUS.
        api = AgentApi("a", server.base_url, connect_timeout=0.5)
        with pytest.raises(AgentException) as caught:
            await api.connect()
        assert caught.value.code == "TIMEOUT"
        assert "Status message within 0.5 seconds" in caught.value.details
        assert (await server.connections_ended(1))[0][1] == 1000


async def test_nothing_listening_is_a_connection_error() -> None:
    async with MockServer() as server:
        port = server.port
    api = AgentApi("a", f"ws://127.0.0.1:{port}/")
    with pytest.raises(AgentException) as caught:
        await api.connect()
    assert caught.value.code == "CONNECTION_ERROR"
    assert str(port) in caught.value.details


async def test_a_bad_url_is_a_connection_error() -> None:
    with pytest.raises(AgentException) as caught:
        await AgentApi("a", "ftp://example.invalid/").connect()
    assert caught.value.code == "CONNECTION_ERROR"
    assert "invalid URL" in caught.value.details


async def test_another_http_status_is_a_connection_error_with_status_and_body() -> None:
    def refuse(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(http.HTTPStatus.UNAUTHORIZED, "bad token\n")

    async def handler(ws: ServerConnection) -> None:
        await ws.send(MsgStatus().model_dump_json())

    async with serve(handler, "127.0.0.1", 0, process_request=refuse) as server:
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(AgentException) as caught:
            await AgentApi("a", f"ws://127.0.0.1:{port}/").connect()
    error = caught.value
    assert not isinstance(error, AgentBusyException)
    assert (error.code, error.http_status) == ("CONNECTION_ERROR", 401)
    assert error.http_body == "bad token"
    assert "HTTP 401" in error.details


async def test_a_first_frame_of_another_type_is_named_as_on_the_wire() -> None:
    async with MockServer(greeting=[Raw('{"type": "ERROR", "code": "X", "details": "y"}')]) as s:
        with pytest.raises(AgentException) as caught:
            await AgentApi("a", s.base_url).connect()
    assert caught.value.code == "INVALID_STATUS"
    assert caught.value.details == "Expected STATUS, got ERROR"  # not EServerMessage.ERROR


async def test_concurrent_connects_open_one_connection() -> None:
    async with MockServer() as server:
        api = AgentApi("a", server.base_url, chat_id=1)
        results = await asyncio.gather(api.connect(), api.connect(), return_exceptions=True)
        assert results == [None, None]  # the second waited for the first, then had nothing to do
        assert api.connected
        assert server.connected_chats() == ["1"]
        assert (await api.ask("one")).text == "You said: one"
        await api.close()


async def test_connect_again_after_close() -> None:
    async with MockServer() as server:
        api = AgentApi("a", server.base_url)
        await api.connect()
        await api.close()
        await api.connect()
        assert (await api.ask("again")).text == "You said: again"
        await api.close()
