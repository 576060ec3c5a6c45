"""Callbacks and on_disconnect: sync or async, in order, once, and never fatal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest
from support.inbox import WAIT, Inbox

from lambda_agent_api.protocol.messages import MsgEventTextChunk, MsgGracefulDisconnect, MsgStatus
from lambda_agent_api.testing import Close, Drop, MockServer
from lambda_agent_api.transport.agent_api import AgentApi, AgentException


def chunk(text: str) -> MsgEventTextChunk:
    return MsgEventTextChunk(text=text)


class Disconnects:
    """An on_disconnect that counts its calls, and lets a test wait for the first."""

    def __init__(self) -> None:
        self.calls: list[AgentApi] = []
        self.event = asyncio.Event()

    def __call__(self, api: AgentApi) -> None:
        self.calls.append(api)
        self.event.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self.event.wait(), WAIT)


async def test_a_sync_callback_gets_unasked_messages_in_order() -> None:
    inbox = Inbox()
    async with MockServer() as server, AgentApi("a", server.base_url, inbox, chat_id=1):
        await server.send(1, chunk("1"), MsgStatus(), chunk("2"))
        await inbox.wait_for(lambda messages: len(messages) == 3)
    assert inbox.messages == [chunk("1"), MsgStatus(), chunk("2")]


async def test_an_async_callback_is_awaited_in_order() -> None:
    seen: list[str] = []
    done = asyncio.Event()

    async def callback(message: object) -> None:
        assert isinstance(message, MsgEventTextChunk)
        seen.append(message.text)
        if len(seen) == 3:
            done.set()

    async with MockServer() as server, AgentApi("a", server.base_url, callback, chat_id=1):
        await server.send(1, chunk("1"), chunk("2"), chunk("3"))
        await asyncio.wait_for(done.wait(), WAIT)
    assert seen == ["1", "2", "3"]


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_exception_in_a_callback_is_logged_and_the_client_goes_on(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()

    def failing(message: object) -> None:
        inbox(message)
        if message == chunk("boom"):
            raise RuntimeError("callback broke")

    async def failing_async(message: object) -> None:
        failing(message)

    callback = failing if kind == "sync" else failing_async
    async with MockServer() as server, AgentApi("a", server.base_url, callback, chat_id=1) as api:
        with caplog.at_level(logging.ERROR, logger="lambda_agent_api"):
            await server.send(1, chunk("boom"), chunk("after"))
            await inbox.wait_for(lambda messages: len(messages) == 2)
        assert inbox.messages == [chunk("boom"), chunk("after")]
        assert (await api.ask("still there?")).text == "You said: still there?"
    assert "error in callback" in caplog.text
    assert "callback broke" in caplog.text


async def test_a_callback_may_send_a_message_itself() -> None:
    replies: list[str] = []
    done = asyncio.Event()

    async def callback(message: object) -> None:
        if message == chunk("ping me"):
            replies.append((await api.ask("pong")).text)
            done.set()

    async with MockServer() as server:
        api = AgentApi("a", server.base_url, callback, chat_id=1)
        async with api:
            await server.send(1, chunk("ping me"))
            await asyncio.wait_for(done.wait(), WAIT)
    assert replies == ["You said: pong"]


EndingWay = Callable[[MockServer, AgentApi], Awaitable[None]]


async def by_close(server: MockServer, api: AgentApi) -> None:
    await api.close()


async def by_graceful_disconnect(server: MockServer, api: AgentApi) -> None:
    await server.graceful_disconnect(1)


async def by_drop(server: MockServer, api: AgentApi) -> None:
    await server.drop(1)


async def by_server_close(server: MockServer, api: AgentApi) -> None:
    await server.send(1, Close(1011, "bye"))


async def by_server_stop(server: MockServer, api: AgentApi) -> None:
    await server.stop()


async def by_a_request_cut_short(server: MockServer, api: AgentApi) -> None:
    server.script = [chunk("a"), Drop()]
    with pytest.raises(AgentException):
        await api.ask("hi")


@pytest.mark.parametrize(
    "end",
    [
        by_close,
        by_graceful_disconnect,
        by_drop,
        by_server_close,
        by_server_stop,
        by_a_request_cut_short,
    ],
)
@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_on_disconnect_runs_exactly_once_however_the_connection_ends(
    end: EndingWay, kind: str
) -> None:
    disconnects = Disconnects()

    async def on_disconnect_async(api: AgentApi) -> None:
        disconnects(api)

    on_disconnect = disconnects if kind == "sync" else on_disconnect_async
    async with MockServer() as server:
        api = AgentApi("a", server.base_url, on_disconnect=on_disconnect, chat_id=1)
        await api.connect()
        await end(server, api)
        await disconnects.wait()
        assert not api.connected
        await api.close()
        await api.close()
    assert disconnects.calls == [api]


async def test_graceful_disconnect_reaches_the_callback_before_on_disconnect() -> None:
    order: list[str] = []
    disconnects = Disconnects()

    def on_disconnect(api: AgentApi) -> None:
        order.append("on_disconnect")
        disconnects(api)

    async with MockServer() as server:
        api = AgentApi(
            "a", server.base_url, lambda m: order.append(m.type.value), on_disconnect, chat_id=1
        )
        await api.connect()
        await server.graceful_disconnect(1)
        await disconnects.wait()
    assert order == ["GRACEFUL_DISCONNECT", "on_disconnect"]


async def test_an_exception_in_on_disconnect_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def on_disconnect(api: AgentApi) -> None:
        raise ValueError("on_disconnect broke")

    async with MockServer() as server:
        api = AgentApi("a", server.base_url, on_disconnect=on_disconnect)
        await api.connect()
        with caplog.at_level(logging.ERROR, logger="lambda_agent_api"):
            await api.close()
    assert "error in on_disconnect" in caplog.text
    assert "on_disconnect broke" in caplog.text


async def test_on_disconnect_may_reconnect() -> None:
    reconnected = asyncio.Event()
    calls: list[int] = []

    async def on_disconnect(api: AgentApi) -> None:
        calls.append(1)
        if len(calls) == 1:
            await api.connect()
            reconnected.set()

    async with MockServer() as server:
        api = AgentApi("a", server.base_url, on_disconnect=on_disconnect, chat_id=1)
        await api.connect()
        await server.drop(1)
        await asyncio.wait_for(reconnected.wait(), WAIT)
        assert api.connected
        assert (await api.ask("back")).text == "You said: back"
        await api.close()
    assert calls == [1, 1]  # once for each connection


async def test_close_from_inside_a_callback() -> None:
    disconnects = Disconnects()

    async def callback(message: object) -> None:
        await api.close()

    async with MockServer() as server:
        api = AgentApi("a", server.base_url, callback, disconnects, chat_id=1)
        await api.connect()
        await server.send(1, chunk("close yourself"))
        await disconnects.wait()
        assert not api.connected
        await api.close()
    assert disconnects.calls == [api]


async def test_a_failed_connect_calls_no_on_disconnect() -> None:
    disconnects = Disconnects()
    async with MockServer(greeting=[Close(1011, "no")]) as server:
        api = AgentApi("a", server.base_url, on_disconnect=disconnects)
        with pytest.raises(AgentException):
            await api.connect()
        await api.close()
    assert disconnects.calls == []


async def test_a_callback_that_never_returns_does_not_block_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stuck = asyncio.Event()
    disconnects = Disconnects()

    async def callback(message: object) -> None:
        stuck.set()
        await asyncio.Event().wait()  # never set

    async with MockServer() as server:
        api = AgentApi("a", server.base_url, callback, disconnects, chat_id=1, close_timeout=0.05)
        await api.connect()
        await server.send(1, MsgGracefulDisconnect())
        await asyncio.wait_for(stuck.wait(), WAIT)
        with caplog.at_level(logging.ERROR, logger="lambda_agent_api"):
            await api.close()
    assert disconnects.calls == [api]
    assert "callbacks still running after close; cancelled" in caplog.text
