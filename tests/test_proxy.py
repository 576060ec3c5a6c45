"""RecordingProxy over real loopback sockets: frames unchanged both ways, closes and refusals
passed through, and a capture that checks clean and replays what the clients saw."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import http
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.captures import findings, frames, received, records
from support.inbox import WAIT
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response

from lambda_agent_api.capture import CaptureWriter
from lambda_agent_api.cli import main
from lambda_agent_api.testing import Close, Drop, MockServer, text_reply
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException, AgentException
from lambda_agent_api.transport.proxy import (
    ProxiedConnection,
    ProxyObserver,
    RecordingProxy,
    upstream_url,
)

Message = str | bytes


class Events(ProxyObserver):
    """Keeps what the proxy reports."""

    def __init__(self) -> None:
        self.opened_: list[str] = []
        self.closed_: list[tuple[str, str, int, str]] = []
        self.refused_: list[tuple[str, int, bytes]] = []
        self.failed_: list[tuple[str, int, str]] = []
        self.lines: list[int | None] = []
        self.changed = asyncio.Event()

    def opened(self, connection: ProxiedConnection) -> None:
        self.opened_.append(connection.conn)

    def frame(self, connection: ProxiedConnection, *args: Any) -> None:
        self.lines.append(args[-1])

    def closed(self, connection: ProxiedConnection, by: str, code: int, reason: str) -> None:
        self.closed_.append((connection.conn, by, code, reason))
        self.changed.set()

    def refused(self, connection: ProxiedConnection, status: int, body: bytes) -> None:
        self.refused_.append((connection.conn, status, body))

    def failed(self, connection: ProxiedConnection, status: int, reason: str) -> None:
        self.failed_.append((connection.conn, status, reason))

    async def wait_closed(self, count: int) -> list[tuple[str, str, int, str]]:
        async def until() -> None:
            while len(self.closed_) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), WAIT)
        return self.closed_


# A raw upstream: sends its frames, keeps every frame and close it gets


@dataclass
class Seen:
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    frames: list[Message] = field(default_factory=list)
    close: tuple[int | None, str | None] | None = None


def payloads(n: int, side: str) -> list[Message]:
    """Frames that a re-encoding or a text/binary mix-up would change."""
    return [
        f"{side} {n}: plain",
        "",  # an empty text frame
        f"{side} {n}: ünïcödé, emoji 🎉, CJK 漢字, RTL مرحبا, NUL \x00, CRLF \r\n",
        '{"type": "STATUS", "extra": [1, 2.50, 1e400]}',  # JSON that a parser would rewrite
        bytes(range(256)) * (n + 1),  # every byte value, as binary
        b"",  # an empty binary frame
        f"{side}{n}" * 50_000,  # about 300 KB of text
    ]


class RawUpstream:
    def __init__(self) -> None:
        self.seen: dict[str, Seen] = {}
        self.done = asyncio.Event()

    async def handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        chat = ws.request.path.split("/")[3]
        seen = self.seen[chat] = Seen(ws.request.path, dict(ws.request.headers.raw_items()))
        for message in payloads(int(chat), "upstream"):
            await ws.send(message)
        try:
            async for message in ws:
                seen.frames.append(message)
        except ConnectionClosed:
            pass
        seen.close = (ws.close_code, ws.close_reason)


async def raw_client(base_url: str, chat: int) -> list[Message]:
    got: list[Message] = []
    async with connect(
        f"{base_url}v1/agent_ws/{chat}/?token=t{chat}&x=%C3%A9",
        additional_headers={"Authorization": f"Bearer {chat}"},
        subprotocols=["agent.v1", "other"],  # type: ignore[list-item]
        max_size=None,
    ) as ws:
        assert ws.subprotocol == "agent.v1"
        for message in payloads(chat, "client"):
            await ws.send(message)
        for _ in payloads(chat, "upstream"):
            got.append(await ws.recv())
        await ws.close(4000, f"client {chat} done")
    return got


async def test_frames_pass_unchanged_both_ways_on_concurrent_connections(tmp_path: Path) -> None:
    upstream = RawUpstream()
    path = tmp_path / "capture.jsonl"
    events = Events()
    chats = range(1, 7)
    async with serve(
        upstream.handler,
        "127.0.0.1",
        0,
        max_size=None,
        select_subprotocol=lambda ws, offered: "agent.v1" if "agent.v1" in offered else None,  # type: ignore[arg-type,return-value]
    ) as server:
        port = server.sockets[0].getsockname()[1]
        with path.open("w", encoding="utf-8") as file:
            async with RecordingProxy(
                f"ws://127.0.0.1:{port}/",
                capture=CaptureWriter(file, flush=True),
                observer=events,
            ) as proxy:
                got = await asyncio.gather(*(raw_client(proxy.base_url, c) for c in chats))
                await events.wait_closed(len(chats))

    for chat, frames_got in zip(chats, got, strict=True):
        seen = upstream.seen[str(chat)]
        assert frames_got == payloads(chat, "upstream")  # type and content, frame for frame
        assert seen.frames == payloads(chat, "client")
        assert seen.close == (4000, f"client {chat} done")  # the client's close, passed on
        assert seen.path == f"/v1/agent_ws/{chat}/?token=t{chat}&x=%C3%A9"
        assert seen.headers["Authorization"] == f"Bearer {chat}"

    # The capture: one conn per connection, each frame in the direction it went.
    by_conn: dict[str, dict[str, list[Message]]] = {}
    for frame in frames(path):
        assert frame.connection.id is not None
        assert frame.direction is not None
        by_conn.setdefault(frame.connection.id, {"send": [], "recv": []})[frame.direction].append(
            frame.data
        )
    assert len(by_conn) == len(chats)
    captured = sorted((c["send"], c["recv"]) for c in by_conn.values())
    expected = sorted((payloads(c, "client"), payloads(c, "upstream")) for c in chats)
    assert captured == expected
    # Every frame's line, once; the other lines are the connections' close records.
    lines = records(path)
    assert sorted(events.lines) == [n for n, r in enumerate(lines, 1) if "dir" in r]
    closes = [r for r in lines if r.get("event") == "close"]
    assert sorted((r["conn"], r["code"]) for r in closes) == sorted(
        (conn, 4000) for conn in by_conn
    )
    assert sorted(c[1:] for c in events.closed_) == sorted(
        ("client", 4000, f"client {c} done") for c in chats
    )


async def test_agent_sessions_through_the_proxy_check_clean_and_replay_the_same_events(
    tmp_path: Path,
) -> None:
    path = tmp_path / "capture.jsonl"
    questions = ["hello", "use a tool", "progress", "file"]

    async def session(base_url: str, chat: int) -> tuple[str, list[Any]]:
        seen: list[Any] = []
        async with AgentApi(f"bot{chat}", base_url, chat_id=chat) as api:
            for question in questions:
                seen += [event async for event in api.send_message(question)]
            with pytest.raises(AgentException, match="DEMO_ERROR"):
                await api.ask("error")
        return str(chat), seen

    events = Events()
    async with MockServer(demo_script) as server:
        with path.open("w", encoding="utf-8") as file:
            async with RecordingProxy(
                server.base_url, capture=CaptureWriter(file, flush=True), observer=events
            ) as proxy:
                sessions = await asyncio.gather(*(session(proxy.base_url, c) for c in (1, 2, 3)))
                await events.wait_closed(3)

    assert findings(path) == []
    assert main(["validate", str(path)]) == 0
    conns = {line["conn"] for line in records(path)}
    assert len(conns) == 3
    replays = sorted(
        [m for m in received(path, conn) if m.type.value.startswith("AGENT_EVENT_")]
        for conn in conns
    )
    assert replays == sorted(seen for _, seen in sessions)  # equal models, in order


@pytest.mark.parametrize("shape", ["handshake", "close"])
async def test_a_busy_chat_is_refused_through_the_proxy_as_the_server_refused_it(
    shape: str,
) -> None:
    events = Events()
    async with (
        MockServer(busy=shape, busy_reason="chat {chat_id} is taken") as server,  # type: ignore[arg-type]
        RecordingProxy(server.base_url, observer=events) as proxy,
        AgentApi("holder", proxy.base_url, chat_id=5),
    ):
        with pytest.raises(AgentBusyException) as busy:
            await AgentApi("second", proxy.base_url, chat_id=5).connect()
        if shape == "handshake":
            assert busy.value.http_status == 403
            assert [r[1] for r in events.refused_] == [403]
        else:
            assert (busy.value.close_code, busy.value.close_reason) == (1008, "chat 5 is taken")
            closed = await events.wait_closed(1)
            assert closed[0][1:] == ("upstream", 1008, "chat 5 is taken")
    assert server.refused == [("5", shape)]


async def test_a_refusal_keeps_its_status_headers_and_body() -> None:
    def refuse(ws: ServerConnection, request: Request) -> Response:
        response = ws.respond(http.HTTPStatus.UNAUTHORIZED, "who are you?\n")
        response.headers["WWW-Authenticate"] = 'Bearer realm="agent"'
        return response

    async def never(ws: ServerConnection) -> None:
        raise AssertionError("the handshake was refused")

    async with serve(never, "127.0.0.1", 0, process_request=refuse) as server:
        port = server.sockets[0].getsockname()[1]
        async with RecordingProxy(f"ws://127.0.0.1:{port}/") as proxy:
            with pytest.raises(InvalidStatus) as refused:
                await connect(f"{proxy.base_url}v1/agent_ws/1/")
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="agent"'
    assert response.body == b"who are you?\n"


async def test_an_upstream_that_drops_is_dropped_on_the_client_too() -> None:
    events = Events()
    async with (
        MockServer([Drop()]) as server,
        RecordingProxy(server.base_url, observer=events) as proxy,
        AgentApi("bot", proxy.base_url, chat_id=1) as api,
    ):
        with pytest.raises(AgentException) as lost:
            await api.ask("hi")
        assert (lost.value.code, lost.value.close_code) == ("CONNECTION_CLOSED", 1006)
        assert (await events.wait_closed(1))[0][1:] == ("upstream", 1006, "")


async def test_an_upstream_close_code_and_reason_reach_the_client() -> None:
    async with (
        MockServer([*text_reply("half"), Close(4001, "agent restarting")]) as server,
        RecordingProxy(server.base_url) as proxy,
        AgentApi("bot", proxy.base_url, chat_id=1) as api,
    ):
        await api.ask("one")
        with pytest.raises(AgentException) as lost:
            await api.ask("two")
    assert (lost.value.close_code, lost.value.close_reason) == (4001, "agent restarting")


async def test_a_client_that_drops_is_dropped_upstream_too() -> None:
    async with MockServer() as server, RecordingProxy(server.base_url) as proxy:
        ws = await connect(f"{proxy.base_url}v1/agent_ws/2/")
        await ws.recv()  # STATUS
        ws.transport.abort()
        ended = await server.connections_ended(1)
    assert ended == [("2", 1006, "")]


async def test_stopping_the_proxy_closes_both_sides_with_1001() -> None:
    events = Events()
    async with MockServer() as server:
        proxy = RecordingProxy(server.base_url, observer=events)
        await proxy.start()
        api = AgentApi("bot", proxy.base_url, chat_id=4)
        await api.connect()
        await proxy.stop()
        with pytest.raises(AgentException) as gone:
            await api.ask("hi")
        assert gone.value.close_code == 1001
        ended = await server.connections_ended(1)
    assert ended[0][:2] == ("4", 1001)
    assert events.closed_[0][1:3] == ("proxy", 1001)


async def test_an_unreachable_upstream_is_a_502_that_says_why() -> None:
    events = Events()
    async with RecordingProxy("ws://127.0.0.1:1/", observer=events) as proxy:
        with pytest.raises(AgentException) as failed:
            await AgentApi("bot", proxy.base_url).connect()
    assert failed.value.http_status == 502
    assert "cannot reach ws://127.0.0.1:1/v1/agent_ws/0/" in (failed.value.http_body or "")
    assert [f[1] for f in events.failed_] == [502]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
async def test_a_capture_that_cannot_be_written_stops_forwarding() -> None:
    full = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115
    try:
        async with (
            MockServer() as server,
            RecordingProxy(server.base_url, capture=CaptureWriter(full, flush=True)) as proxy,
        ):
            with pytest.raises(AgentException) as failed:
                await AgentApi("bot", proxy.base_url).connect()  # STATUS cannot be recorded
            await asyncio.wait_for(proxy.failed.wait(), WAIT)
            assert proxy.failure is not None
            assert proxy.failure.errno == errno.ENOSPC
            assert failed.value.close_code == 1011
    finally:
        with contextlib.suppress(OSError):  # what could not be written cannot be flushed
            full.close()


async def test_a_capture_stream_closed_under_the_proxy_stops_it_promptly() -> None:
    # issue 11: a closed stream raised ValueError, which killed the server-to-client
    # pump; the client then waited for STATUS until its timeout.
    closed = io.StringIO()
    closed.close()
    async with (
        MockServer() as server,
        RecordingProxy(server.base_url, capture=CaptureWriter(closed)) as proxy,
    ):
        api = AgentApi("bot", proxy.base_url, connect_timeout=WAIT)
        with pytest.raises(AgentException) as failed:
            await asyncio.wait_for(api.connect(), WAIT / 2)  # well before connect_timeout
        assert failed.value.code == "CONNECTION_ERROR"
        assert failed.value.close_code == 1011
        assert isinstance(proxy.failure, ValueError)
        assert proxy.failed.is_set()


def test_upstream_url_keeps_the_prefix_and_both_query_strings() -> None:
    assert upstream_url("ws://h:8000/", "/v1/agent_ws/1/") == "ws://h:8000/v1/agent_ws/1/"
    assert upstream_url("https://h/api/", "/v1/agent_ws/1/?a=1") == "wss://h/api/v1/agent_ws/1/?a=1"
    assert upstream_url("ws://h/?key=k", "/x?a=1") == "ws://h/x?key=k&a=1"
    with pytest.raises(ValueError, match="not a ws"):
        upstream_url("ftp://h/", "/")
    with pytest.raises(ValueError, match="with a host"):
        upstream_url("ws:///nohost", "/")
    # A request path is forwarded as one URL: what may not be in a path is percent-encoded,
    # escapes that are there already are kept.
    assert (
        upstream_url("ws://h/", "/v1/agent_ws/\x1b]0;x\x07/") == "ws://h/v1/agent_ws/%1B%5D0;x%07/"
    )
    assert upstream_url("ws://h/", "/v1/agent_ws/a%2Fb/") == "ws://h/v1/agent_ws/a%2Fb/"


def test_the_proxy_refuses_a_bad_upstream_at_once() -> None:
    with pytest.raises(ValueError, match="not a ws"):
        RecordingProxy("localhost:8000")


async def test_a_capture_in_memory_counts_its_lines() -> None:
    out = io.StringIO()
    events = Events()
    async with (
        MockServer() as server,
        RecordingProxy(server.base_url, capture=CaptureWriter(out), observer=events) as proxy,
    ):
        async with AgentApi("bot", proxy.base_url) as api:
            await api.ask("hi")
        await events.wait_closed(1)
    lines = records(out.getvalue())
    assert proxy.lines == len(lines) == len(events.lines) + 1
    assert lines[-1]["event"] == "close"  # the connection's end: readers free it there
    assert (lines[-1]["conn"], lines[-1]["code"]) == ("1", 1000)
