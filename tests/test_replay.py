"""Replaying a capture: the server side of recorded connections, frame for frame.

The round trip: record a session with ``lambda-agent-api record`` against MockServer,
replay it, record the same client through the replay, and the two captures are
the same frame for frame (timestamps aside).
"""

from __future__ import annotations

import asyncio
import io
import json
import signal
import time
from pathlib import Path

import pytest
from support.captures import frames
from support.inbox import WAIT
from support.processes import LineProcess
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from lambda_agent_api.capture import CaptureWriter
from lambda_agent_api.exceptions import ReplayError
from lambda_agent_api.testing import MockServer, ReplayServer, load_recording
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.testing.replay import REDACTED, redact_frame, write_recording
from lambda_agent_api.transport.agent_api import AgentApi, AgentException

ROOT = Path(__file__).resolve().parent.parent


async def session(base_url: str) -> None:
    """The client under test: two chats, text, a tool call, an error, attachments."""
    async with AgentApi("bot", base_url, chat_id=1) as api:
        await api.ask("hello")
        await api.ask("use a tool", attachments=["docs/a.txt"])
        with pytest.raises(AgentException, match="DEMO_ERROR"):
            await api.ask("error please")
    async with AgentApi("bot", base_url, chat_id=2) as api:
        await api.ask("progress")


async def record(upstream: str, path: Path) -> None:
    """Run the session through ``lambda-agent-api record`` in front of ``upstream``."""
    proxy = await LineProcess.start(
        "record", "--listen", "127.0.0.1:0", "--upstream", upstream, "-o", str(path)
    )
    try:
        base_url = (await proxy.expect(r"listening on (\S+)")).group(1)
        await proxy.expect(r"Ctrl-C to stop")
        await session(base_url)
        for _ in range(2):  # both connections are over, so every frame is written
            await proxy.expect(r"closed by the")
        proxy.process.send_signal(signal.SIGINT)
        done = await proxy.finish()
    finally:
        proxy.kill()
    assert done.code == 0, done


def without_time(path: Path) -> list[tuple[str | None, str | None, str | bytes]]:
    return [(f.connection.id, f.direction, f.data) for f in frames(path)]


async def test_a_replayed_session_records_the_same_frames(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    async with MockServer(demo_script) as server:
        await record(server.base_url, first)
    async with MockServer.from_capture(first, speed=0, strict=True) as replay:
        await record(replay.base_url, second)
        await asyncio.wait_for(replay.finished(), WAIT)
    assert replay.differences == []
    assert len(without_time(first)) > 20
    assert without_time(second) == without_time(first)


def capture_text(*lines: tuple[float, str, str | dict[str, object]]) -> str:
    out = io.StringIO()
    writer = CaptureWriter(out)
    for ts, direction, data in lines:
        text = data if isinstance(data, str) else json.dumps(data)
        writer.write(direction, text, ts=ts)  # type: ignore[arg-type]
    return out.getvalue()


BROKEN = capture_text(
    (100.0, "recv", {"type": "STATUS"}),
    (101.0, "send", {"type": "USER_MESSAGE", "text": "hi", "attachments": []}),
    (101.1, "recv", "this is not JSON"),
    (101.2, "recv", {"type": "AGENT_EVENT_END"}),  # no tokens_used
)


async def test_frames_that_break_the_schema_are_replayed_as_recorded(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    binary = io.StringIO()
    CaptureWriter(binary).write("recv", b"\x00\xffbinary", ts=101.3)
    path.write_text(BROKEN + binary.getvalue())
    async with MockServer.from_capture(path, speed=0) as replay:
        async with connect(replay.url(0)) as ws:
            assert json.loads(await ws.recv()) == {"type": "STATUS"}
            await ws.send(json.dumps({"type": "USER_MESSAGE", "text": "hi", "attachments": []}))
            assert await ws.recv() == "this is not JSON"
            assert json.loads(await ws.recv()) == {"type": "AGENT_EVENT_END"}
            assert await ws.recv() == b"\x00\xffbinary"
        await asyncio.wait_for(replay.finished(), WAIT)
    assert replay.differences == []


async def test_recorded_timing_is_kept_at_speed_1_and_scaled(tmp_path: Path) -> None:
    path = tmp_path / "slow.jsonl"
    path.write_text(
        capture_text(
            (100.0, "recv", {"type": "STATUS"}),
            (100.4, "recv", {"type": "ERROR", "code": "X", "details": "late"}),
        )
    )
    for speed, at_least in ((1.0, 0.4), (2.0, 0.2)):
        replay = MockServer.from_capture(path, speed=speed)
        async with replay:
            # Timed from before the handshake: the server's clock for the gap starts when it
            # sends STATUS, which is after this, so the bound holds however late recv() runs.
            started = time.monotonic()
            async with connect(replay.url(0)) as ws:
                await ws.recv()
                await ws.recv()
                # A lower bound only: a sleep never ends early, a slow machine only adds.
                assert time.monotonic() - started >= at_least


async def test_a_different_message_warns_and_strict_closes_with_1011(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(BROKEN)
    wrong = json.dumps({"type": "USER_MESSAGE", "text": "something else", "attachments": []})
    seen: list[str] = []
    async with MockServer.from_capture(path, speed=0) as lenient:
        lenient.on_difference = lambda d: seen.append(d.describe())
        async with connect(lenient.url(0)) as ws:
            await ws.recv()
            await ws.send(wrong)
            assert await ws.recv() == "this is not JSON"  # goes on with the capture
    assert len(lenient.differences) == 1
    assert lenient.differences[0].frame == 1
    assert "something else" in seen[0]
    strict = MockServer.from_capture(path, speed=0, strict=True)
    async with strict, connect(strict.url(0)) as ws:
        await ws.recv()
        await ws.send(wrong)
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1011
    assert len(strict.differences) == 1


async def test_connections_are_matched_in_order_and_one_more_is_refused() -> None:
    har = ROOT / "tests" / "fixtures" / "conversations" / "valid" / "two_connections.har"
    recording = load_recording(har)
    assert len(recording) == 2
    first_frames = [f.data for f in recording[0].frames if f.direction == "recv"]
    async with ReplayServer(recording, speed=0) as replay:
        async with connect(replay.url(5)) as ws:
            assert await ws.recv() == first_frames[0]
        for _ in recording[1:]:
            async with connect(replay.url(6)) as ws:
                await ws.recv()
        with pytest.raises(InvalidStatus) as refused:
            await connect(replay.url(7))
    assert refused.value.response.status_code == 503


def test_redaction_rewrites_named_fields_everywhere() -> None:
    frame = json.dumps(
        {
            "type": "USER_MESSAGE",
            "text": "my secret",
            "attachments": ["a.txt", "b.txt"],
            "meta": {"text": "nested", "n": 1},
        }
    )
    redacted = json.loads(redact_frame(frame, {"text", "attachments"}))  # type: ignore[arg-type]
    assert redacted == {
        "type": "USER_MESSAGE",
        "text": REDACTED,
        "attachments": [REDACTED, REDACTED],
        "meta": {"text": REDACTED, "n": 1},
    }
    assert redact_frame("not JSON", {"text"}) == "not JSON"


async def test_a_redacted_replay_still_matches_the_client(tmp_path: Path) -> None:
    first, shared = tmp_path / "first.jsonl", tmp_path / "shared.jsonl"
    async with MockServer(demo_script) as server:
        await record(server.base_url, first)
    recording = load_recording(first, redact=["text", "attachments"])
    with shared.open("w", encoding="utf-8") as file:
        write_recording(recording, file)
    text = shared.read_text()
    assert "hello" not in text
    assert "docs/a.txt" not in text
    async with ReplayServer(recording, speed=0, strict=True, redact=["text", "attachments"]) as r:
        await session(r.base_url)
        await asyncio.wait_for(r.finished(), WAIT)
    assert r.differences == []


def test_an_unreadable_or_empty_capture_is_a_replay_error(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="cannot read"):
        load_recording(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ReplayError, match="no frame"):
        load_recording(empty)
    with pytest.raises(ValueError, match="speed"):
        ReplayServer(load_recording(ROOT / "examples" / "session.jsonl"), speed=-1)


async def test_the_command_line_replays_and_exits_when_done(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(BROKEN)
    for strict, code in ((False, 0), (True, 1)):
        args = ["mock-server", "--replay", str(path), "--port", "0", "--speed", "0"]
        process = await LineProcess.start(*args, *(["--strict"] if strict else []))
        try:
            url = (await process.expect(r"on (ws://\S+)")).group(1)
            async with connect(f"{url}v1/agent_ws/0/") as ws:
                await ws.recv()
                await ws.send(json.dumps({"type": "USER_MESSAGE", "text": "other"}))
                if strict:
                    with pytest.raises(ConnectionClosed):
                        await ws.recv()
                else:  # the capture goes on; the client's close then ends the replay
                    assert await ws.recv() == "this is not JSON"
                    await ws.recv()
            done = await process.finish()
        finally:
            process.kill()
        assert done.code == code, done
        assert "the client sent" in done.stderr
        assert "replayed 1 of 1; 1 difference" in done.stdout
