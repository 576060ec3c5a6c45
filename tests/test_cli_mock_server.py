"""`lambda-agent-api mock-server`: the demo server, run as a real process."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import pytest
from support.inbox import WAIT

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
        ("bye", ["GRACEFUL_DISCONNECT"]),
    ],
)
def test_the_demo_script_answers_by_keyword(text: str, types: list[str]) -> None:
    answer = [a.type.value for a in demo_script(MsgUserMessage(text=text))]  # type: ignore[union-attr]
    assert answer[: len(types)] == types
