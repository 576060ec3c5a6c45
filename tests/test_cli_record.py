"""`lambda-agent-api record`: the recording proxy as a real process, in front of the test server."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.captures import findings, records
from support.inbox import Inbox
from support.processes import LineProcess, run_cli

from lambda_agent_api.cli import main
from lambda_agent_api.cli.record_command import parse_listen
from lambda_agent_api.protocol.messages import MsgEventTextChunk
from lambda_agent_api.testing import MockServer, Raw, text_reply
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException, AgentException


async def start_record(*args: str) -> tuple[LineProcess, str]:
    process = await LineProcess.start("record", "--listen", "127.0.0.1:0", *args)
    match = await process.expect(r"listening on (\S+)")
    await process.expect(r"Ctrl-C to stop")
    return process, match.group(1)


@pytest.fixture
async def demo() -> AsyncIterator[MockServer]:
    async with MockServer(demo_script, busy="close") as server:
        yield server


async def test_record_validate_and_stop_on_ctrl_c(demo: MockServer, tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    proxy, base_url = await start_record(
        "--upstream", demo.base_url, "-o", str(capture), "--validate"
    )
    try:

        async def session(chat: int) -> str:
            async with AgentApi("bot", base_url, chat_id=chat) as api:
                text = (await api.ask("use a tool")).text
                with pytest.raises(AgentException, match="DEMO_ERROR"):
                    await api.ask("error")
                with pytest.raises(AgentBusyException) as busy:
                    await AgentApi("other", base_url, chat_id=chat).connect()
                assert busy.value.close_reason == f"chat {chat} is busy"
                return text

        assert await asyncio.gather(session(1), session(2)) == ["I searched the web: 3 hits."] * 2
        for _ in range(4):  # two sessions, two refusals
            await proxy.expect(r"closed by the")
        proxy.process.send_signal(signal.SIGINT)
        done = await proxy.finish()
    finally:
        proxy.kill()
    assert done.code == 0, done
    assert done.stderr == ""
    assert "stopped: 4 connections, " in done.stdout  # the busy ones were opened, then closed
    assert "No problems found." in done.stdout
    assert "closed by the upstream: code 1008, reason 'chat 1 is busy'" in done.stdout
    assert findings(capture) == []
    assert main(["validate", str(capture)]) == 0
    assert len({r["conn"] for r in records(capture)}) == 2  # the refused ones sent no frame


async def test_findings_are_printed_as_they_happen(tmp_path: Path) -> None:
    broken = [MsgEventTextChunk(text="ok"), Raw('{"type": "AGENT_EVENT_TEXT_CHUNK"}')]
    async with MockServer([*broken, *text_reply("end")]) as server:
        proxy, base_url = await start_record("--upstream", server.base_url, "--validate")
        try:
            inbox = Inbox()  # the rest of the response, after the broken frame, goes here
            async with AgentApi("bot", base_url, inbox, chat_id=1) as api:
                with pytest.raises(AgentException, match="PARSE_ERROR"):
                    await api.ask("hi")
                # Printed while the connection is still open: live.
                finding = await proxy.expect(r"conn 1 frame (\d+): S001 error: (.*)")
                assert finding.group(1) == "3"
                assert 'has no "text"' in finding.group(2)
                await inbox.wait_for_type("AGENT_EVENT_END")  # the response is over
            proxy.process.send_signal(signal.SIGTERM)
            done = await proxy.finish()
        finally:
            proxy.kill()
    assert done.code == 1  # an error was found
    assert "Found 1 error and 0 warnings:" in done.stdout
    assert "S001" in done.stdout.splitlines()[-1]


async def test_a_refused_handshake_is_reported_and_counted(tmp_path: Path) -> None:
    async with MockServer(busy="handshake", busy_body="taken") as server:
        proxy, base_url = await start_record(
            "--upstream", server.base_url, "-o", str(tmp_path / "c.jsonl")
        )
        try:
            async with AgentApi("holder", base_url, chat_id=9):
                with pytest.raises(AgentBusyException) as busy:
                    await AgentApi("second", base_url, chat_id=9).connect()
                assert (busy.value.http_status, busy.value.http_body) == (403, "taken")
                await proxy.expect(
                    r"conn 2 /v1/agent_ws/9/ refused by the upstream: HTTP 403 'taken'"
                )
            await proxy.expect(r"conn 1 closed by the client: code 1000")
            proxy.process.send_signal(signal.SIGINT)
            done = await proxy.finish()
        finally:
            proxy.kill()
    assert done.code == 0
    assert "stopped: 1 connection (1 more refused), 1 frame recorded in " in done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["--upstream", "ws://127.0.0.1:{closed}/", "-o", "{tmp}/x.jsonl"],
            "cannot reach the upstream",
        ),
        (["--upstream", "ftp://h/", "-o", "{tmp}/x.jsonl"], "--upstream: not a ws://"),
        (
            ["--upstream", "{up}", "--listen", "nonsense", "-o", "{tmp}/x"],
            "--listen: expected HOST:PORT",
        ),
        (["--upstream", "{up}", "--listen", "127.0.0.1:70000", "-o", "{tmp}/x"], "--listen"),
        (["--upstream", "{up}", "--listen", "127.0.0.1:{busy}", "-o", "{tmp}/x"], "cannot listen"),
        (["--upstream", "{up}", "--listen", "127.0.0.1:0", "-o", "{tmp}/no/x"], "cannot write"),
        (["--upstream", "{up}", "--listen", "127.0.0.1:0", "-o", "{tmp}"], "cannot write"),
        (["--upstream", "{up}", "--listen", "127.0.0.1:0"], "nothing to do"),
    ],
)
async def test_bad_input_is_one_line_and_exit_2(
    demo: MockServer, tmp_path: Path, args: list[str], reason: str
) -> None:
    values = {"closed": free_port(), "tmp": tmp_path, "up": demo.base_url, "busy": demo.port}
    done = await run_cli("record", *(a.format(**values) for a in args))
    assert done.code == 2, done
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("lambda-agent-api record: ")
    assert reason in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
async def test_a_capture_that_fills_up_stops_the_proxy_with_exit_2(demo: MockServer) -> None:
    proxy, base_url = await start_record("--upstream", demo.base_url, "-o", "/dev/full")
    try:
        with pytest.raises(AgentException):
            await AgentApi("bot", base_url, chat_id=1).connect()
        done = await proxy.finish()  # no signal: it stops by itself
    finally:
        proxy.kill()
    assert done.code == 2
    assert done.stderr.strip() == (
        "lambda-agent-api record: cannot write /dev/full: No space left on device"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8001", ("127.0.0.1", 8001)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        ("[::1]:9000", ("::1", 9000)),
        (":8001", ("127.0.0.1", 8001)),
        ("8001", ("127.0.0.1", 8001)),
        ("localhost:80", ("localhost", 80)),
    ],
)
def test_listen_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["", "host", "host:", "host:port", "1.2.3.4:65536", "[::1:80"])
def test_bad_listen_addresses(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen(text)
