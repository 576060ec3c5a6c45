"""AgentApi(capture=...): the client records its own traffic in the capture format."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from support.captures import findings, frames, received, records

from lambda_agent_api.capture import CaptureWriter
from lambda_agent_api.protocol.messages import MsgEventTextChunk, MsgUserMessage
from lambda_agent_api.testing import Binary, MockServer, text_reply
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException, AgentException

CONN = re.compile(r"\Abot/3/\d+\Z")


async def test_a_session_captured_to_a_path_validates_and_replays_what_the_client_saw(
    tmp_path: Path,
) -> None:
    path = tmp_path / "session.jsonl"
    seen = []
    async with (
        MockServer(demo_script) as server,
        AgentApi("bot", server.base_url, chat_id=3, capture=path) as api,
    ):
        for text in ("use a tool", "progress", "file"):
            seen += [event async for event in api.send_message(text, ["in/a.txt"])]
        with pytest.raises(AgentException, match="DEMO_ERROR"):
            await api.ask("error")
    assert findings(path) == []
    lines = records(path)
    assert {CONN.match(line["conn"]) is not None for line in lines} == {True}
    assert len({line["conn"] for line in lines}) == 1
    directions = [f.direction for f in frames(path)]
    assert directions[:2] == ["recv", "send"]  # STATUS, then the first message
    assert directions.count("send") == 4
    sends = [f.data for f in frames(path) if f.direction == "send"]
    sent = [MsgUserMessage.model_validate_json(data) for data in sends]
    assert [m.text for m in sent] == ["use a tool", "progress", "file", "error"]
    assert sent[0].attachments == ["in/a.txt"]
    replayed = received(path)
    assert replayed[0].type.value == "STATUS"
    assert replayed[-1].type.value == "ERROR"
    assert replayed[1:-1] == seen  # every event, in order, equal to what the client got


async def test_reconnecting_appends_a_new_connection_to_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text("stale content from an earlier run\n", encoding="utf-8")
    async with MockServer() as server:
        api = AgentApi("bot", server.base_url, chat_id=3, capture=path)
        await api.connect()
        assert (await api.ask("one")).text == "You said: one"
        await api.close()
        await api.connect()
        assert (await api.ask("two")).text == "You said: two"
        await api.close()
    conns = [line["conn"] for line in records(path)]
    assert "stale" not in path.read_text(encoding="utf-8")  # the first connect replaced it
    assert len(set(conns)) == 2
    assert conns == sorted(conns, key=conns.index)  # one connection, then the other
    assert findings(path) == []


async def test_a_stream_or_a_shared_writer_gets_one_conn_per_connection() -> None:
    out = io.StringIO()
    writer = CaptureWriter(out)
    stream = io.StringIO()
    async with MockServer() as server:
        for _ in range(2):  # the same name and chat twice: still two connections
            async with AgentApi("bot", server.base_url, chat_id=3, capture=writer) as api:
                await api.ask("hi")
        async with AgentApi("bot", server.base_url, chat_id=4, capture=stream) as api:
            await api.ask("hi")
    assert len({line["conn"] for line in records(out.getvalue())}) == 2
    assert findings(out.getvalue()) == []
    assert {line["conn"].rsplit("/", 1)[0] for line in records(stream.getvalue())} == {"bot/4"}
    assert findings(stream.getvalue()) == []


async def test_a_binary_frame_is_recorded_as_binary() -> None:
    out = io.StringIO()
    script = [MsgEventTextChunk(text="x"), Binary(b"\x00\xff"), *text_reply("y")]
    async with (
        MockServer(script) as server,
        AgentApi("bot", server.base_url, chat_id=3, capture=out) as api,
    ):
        with pytest.raises(AgentException, match="PARSE_ERROR"):
            await api.ask("hi")
    binary = [f for f in frames(out.getvalue()) if f.binary]
    assert [(f.direction, f.data) for f in binary] == [("recv", b"\x00\xff")]


async def test_an_unwritable_capture_path_fails_connect_before_any_connection(
    tmp_path: Path,
) -> None:
    async with MockServer() as server:
        api = AgentApi("bot", server.base_url, capture=tmp_path / "missing" / "x.jsonl")
        with pytest.raises(FileNotFoundError):
            await api.connect()
        assert server.requests == []
        assert not api.connected


async def test_a_failed_connect_leaves_the_file_closed_and_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "busy.jsonl"
    async with MockServer(busy="close") as server, AgentApi("holder", server.base_url, chat_id=3):
        with pytest.raises(AgentBusyException):
            await AgentApi("bot", server.base_url, chat_id=3, capture=path).connect()
    assert path.read_text(encoding="utf-8") == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
async def test_a_capture_that_cannot_be_written_is_logged_once_and_the_client_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with MockServer() as server, AgentApi("bot", server.base_url, capture="/dev/full") as api:
        assert (await api.ask("one")).text == "You said: one"
        assert (await api.ask("two")).text == "You said: two"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "recording stopped" in errors[0].getMessage()


async def test_a_capture_stream_closed_under_the_client_is_logged_once_and_the_client_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = io.StringIO()
    closed.close()  # writing raises ValueError, not OSError
    async with MockServer() as server, AgentApi("bot", server.base_url, capture=closed) as api:
        assert (await api.ask("one")).text == "You said: one"
        assert (await api.ask("two")).text == "You said: two"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "recording stopped" in errors[0].getMessage()
