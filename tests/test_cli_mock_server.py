"""`lambda-agent-api mock-server`: the demo server, run as a real process."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import pytest
from support.captures import findings
from support.inbox import WAIT
from support.processes import run_cli

from lambda_agent_api.cli import main
from lambda_agent_api.protocol.messages import MsgUserMessage
from lambda_agent_api.testing import MockServer
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException, AgentException


async def start(*args: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lambda_agent_api",
        "mock-server",
        "--port",
        "0",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), WAIT)).decode()
    match = re.search(r"listening on (\S+)", line)
    assert match, line
    return process, match.group(1)


async def test_the_demo_server_answers_and_stops_cleanly_on_sigterm() -> None:
    process, base_url = await start("--busy", "close")
    try:
        async with AgentApi("demo", base_url, chat_id=1) as api:
            assert (await api.ask("hello")).text == "You said: hello"
            reply = await api.ask("use a tool")
            assert reply.tool_calls[0].tool_name == "web_search"
            assert reply.tool_calls[0].arguments == {"query": "use a tool"}
            with pytest.raises(AgentException) as caught:
                await api.ask("error please")
            assert caught.value.code == "DEMO_ERROR"
            with pytest.raises(AgentBusyException) as busy:
                await AgentApi("second", base_url, chat_id=1).connect()
            assert busy.value.close_reason == "chat 1 is busy"
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0


async def test_a_port_in_use_is_exit_2_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    async with MockServer() as server:
        code = await asyncio.to_thread(main, ["mock-server", "--port", str(server.port)])
    assert code == 2
    assert "cannot listen" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "types"),
    [
        ("progress", ["AGENT_EVENT_CUSTOM_UPDATE"] * 4 + ["AGENT_EVENT_TEXT_CHUNK"]),
        ("file", ["AGENT_EVENT_SEND_FILE", "AGENT_EVENT_TEXT_CHUNK"]),
        # The response ends first: GRACEFUL_DISCONNECT in the middle of one breaks P006.
        ("bye", ["AGENT_EVENT_TEXT_CHUNK", "AGENT_EVENT_END", "GRACEFUL_DISCONNECT"]),
    ],
)
def test_the_demo_script_answers_by_keyword(text: str, types: list[str]) -> None:
    answer = [a.type.value for a in demo_script(MsgUserMessage(text=text))]  # type: ignore[union-attr]
    assert answer[: len(types)] == types


async def test_the_banner_says_where_chats_are_in_a_form_chat_accepts() -> None:
    process, base_url = await start()
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        lines = [(await process.stdout.readline()).decode().strip() for _ in range(3)]
        chat_url = f"{base_url}v1/agent_ws/1/"
        assert lines[0] == f"each chat has its own URL, such as {chat_url} (any chat id works)"
        assert lines[1] == f"try it:  lambda-agent-api chat {base_url} --chat-id 1"
        # Both forms work as printed: the suggested command, and the chat's URL.
        for args in (lines[1].split()[3:], ["chat", chat_url]):
            done = await run_cli(*args, "-m", "hello")
            assert done.code == 0, done
            assert done.stdout.startswith("You said: hello\n")
        async with AgentApi("holder", base_url, chat_id=1):
            with pytest.raises(AgentBusyException):
                await AgentApi("second", base_url, chat_id=1).connect()
            with pytest.raises(AgentBusyException):  # a path it does not serve: 403 too
                await AgentApi("doubled", chat_url, chat_id=1).connect()
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    prefix = "lambda-agent-api mock-server: "
    log = [
        line.removeprefix(prefix) for line in (await process.stderr.read()).decode().splitlines()
    ]
    assert all(line.startswith(("chat 1: ", "refused ")) for line in log), log
    assert log[0].startswith("chat 1: connected from 127.0.0.1:")
    assert log[1] == "chat 1: closed (code 1000)"
    assert "chat 1: refused, another client holds it (HTTP 403)" in log
    assert (
        "refused /v1/agent_ws/1/v1/agent_ws/1/: no chat at this path (HTTP 403); "
        f"chats are at {base_url}v1/agent_ws/{{chat_id}}/"
    ) in log
    assert len(log) == 8  # two chats connected and closed, the holder too, two refusals


async def test_quiet_logs_nothing() -> None:
    process, base_url = await start("--quiet")
    assert process.stderr is not None
    try:
        async with AgentApi("demo", base_url, chat_id=1) as api:
            assert (await api.ask("hi")).text == "You said: hi"
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert await process.stderr.read() == b""


@pytest.mark.parametrize("value", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["mock-server", "--port", value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert (
        f"argument --port: expected a port from 0 to 65535 (0 picks a free one), got '{value}'"
        in err
    )


async def test_bye_ends_the_response_before_disconnecting_and_validates_clean(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "bye.jsonl"
    disconnected = asyncio.Event()
    async with MockServer(demo_script) as server:
        api = AgentApi(
            "demo", server.base_url, capture=capture, on_disconnect=lambda _: disconnected.set()
        )
        async with api:
            assert (await api.ask("bye")).text == "Goodbye."
            await asyncio.wait_for(disconnected.wait(), WAIT)
    assert findings(capture) == []
