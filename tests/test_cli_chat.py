"""`lambda-agent-api chat` driven by a script: --message, --json, lines on standard input."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.captures import findings, records
from support.inbox import WAIT
from support.processes import LineProcess, run_cli

from lambda_agent_api.protocol.messages import (
    MsgError,
    MsgEventTextChunk,
    MsgUserMessage,
    parse_server_message,
)
from lambda_agent_api.testing import Action, Drop, MockServer, text_reply
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.transport.agent_api import AgentApi


@pytest.fixture
async def demo() -> AsyncIterator[MockServer]:
    async with MockServer(demo_script) as server:
        yield server


async def test_one_message_prints_the_reply_with_tools_marked(demo: MockServer) -> None:
    done = await run_cli("chat", demo.base_url, "--chat-id", "4", "--message", "use a tool")
    assert done.code == 0, done
    assert done.stdout.splitlines() == [
        '[tool web_search] {"query": "use a tool"}',
        '[result web_search] {"hits": 3, "top": "example.org"}',
        "I searched the web: 3 hits.",
        "[done: 3 tokens used]",
    ]
    assert done.stderr == ""
    assert [(chat, m.text) for chat, m in demo.received] == [("4", "use a tool")]


async def test_updates_files_and_tokens_are_shown_distinctly(demo: MockServer) -> None:
    progress = await run_cli("chat", demo.base_url, "-m", "progress")
    assert progress.stdout.splitlines()[:2] == [
        '[update] {"status": "working", "progress": 0.25}',
        '[update] {"status": "working", "progress": 0.5}',
    ]
    sent = await run_cli("chat", demo.base_url, "-m", "file")
    assert sent.stdout.splitlines() == [
        "[file] demo/report.txt",
        "Here is your file.",
        "[done: 0 tokens used]",
    ]


async def test_json_prints_every_message_as_a_line(demo: MockServer) -> None:
    done = await run_cli("chat", demo.base_url, "-m", "use a tool", "--json")
    assert done.code == 0
    messages = [parse_server_message(line) for line in done.stdout.splitlines()]
    types = [m.type.value for m in messages]
    assert types[0] == "AGENT_EVENT_TOOL_CALL_CHUNK"
    assert "AGENT_EVENT_TOOL_RESULT" in types
    assert types[-1] == "AGENT_EVENT_END"
    joined = "".join(getattr(m, "args_chunk", None) or "" for m in messages)
    assert json.loads(joined) == {"query": "use a tool"}


async def test_the_agents_error_is_shown_once_and_exits_1(demo: MockServer) -> None:
    done = await run_cli("chat", demo.base_url, "-m", "error")
    assert done.code == 1
    assert done.stdout == "[error DEMO_ERROR] You asked for an error.\n"
    as_json = await run_cli("chat", demo.base_url, "-m", "error", "--json")
    assert as_json.code == 1
    error = parse_server_message(as_json.stdout)  # exactly one line: one message
    assert isinstance(error, MsgError)
    assert error.code == "DEMO_ERROR"


async def test_attachments_and_headers_reach_the_server(demo: MockServer) -> None:
    done = await run_cli(
        "chat",
        demo.base_url,
        "-m",
        "look",
        "--attach",
        "in/a.pdf",
        "-a",
        "b.csv",
        "-H",
        "Authorization: Bearer secret",
    )
    assert done.code == 0
    assert done.stdout.startswith("You said: look (attachments: in/a.pdf, b.csv)")
    assert demo.received[0][1].attachments == ["in/a.pdf", "b.csv"]
    assert demo.requests[0].headers["Authorization"] == "Bearer secret"


async def test_lines_on_standard_input_are_messages_with_commands(
    demo: MockServer, tmp_path: Path
) -> None:
    capture = tmp_path / "session.jsonl"
    stdin = b"hello\n\n/attach x.txt /abs/y.txt\nwith two\n//slash\nerror\nlast, no newline"
    done = await run_cli("chat", demo.base_url, "--capture", str(capture), stdin=stdin)
    assert done.code == 1  # one response failed; the others went on
    assert [m.text for _, m in demo.received] == [
        "hello",
        "with two",
        "/slash",
        "error",
        "last, no newline",
    ]
    assert [m.attachments for _, m in demo.received][1:3] == [["x.txt", "/abs/y.txt"], []]
    assert "You said: last, no newline" in done.stdout
    assert "[error DEMO_ERROR]" in done.stdout
    assert "'/abs/y.txt' is absolute" in done.stderr  # warned, still sent
    # The capture checks clean, but for the warning the chat gave too.
    assert findings(capture) == [
        'W003: attachments "/abs/y.txt" is absolute; paths are relative to /workspace'
    ]
    assert {r["conn"] for r in records(capture)} == {"chat/0/1"}


async def test_standard_input_from_a_file_or_dev_null(demo: MockServer, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("one\r\ntwo\n", encoding="utf-8")
    done = await run_cli("chat", demo.base_url, stdin=questions)
    assert done.code == 0, done
    assert done.stdout.splitlines()[::2] == ["You said: one", "You said: two"]
    nothing = await run_cli("chat", demo.base_url, stdin=Path(os.devnull))
    assert (nothing.code, nothing.stdout, nothing.stderr) == (0, "", "")


@pytest.mark.parametrize("shape", ["handshake", "close"])
async def test_a_busy_chat_exits_3_with_one_line(shape: str) -> None:
    async with (
        MockServer(busy=shape) as server,  # type: ignore[arg-type]
        AgentApi("holder", server.base_url, chat_id=2),
    ):
        done = await run_cli("chat", server.base_url, "--chat-id", "2", "-m", "hi")
    assert done.code == 3
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("lambda-agent-api chat: Chat 2 is busy")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["ws://127.0.0.1:1/", "-m", "hi"],
            "cannot connect to ws://127.0.0.1:1/v1/agent_ws/0/: CONNECTION_ERROR",
        ),
        (["not a url", "-m", "hi"], "CONNECTION_ERROR"),
        (["{up}v1/agent_ws/3/", "--chat-id", "4", "-m", "hi"], "but --chat-id says '4'"),
        (["{up}", "-m", "hi", "--capture", "{tmp}/no/such/dir/x.jsonl"], "cannot write"),
        (["{up}", "-m", "hi", "-H", "no colon"], "--header: expected 'NAME: VALUE'"),
    ],
)
async def test_bad_input_is_one_line_and_exit_2(
    demo: MockServer, tmp_path: Path, args: list[str], reason: str
) -> None:
    done = await run_cli("chat", *(a.format(up=demo.base_url, tmp=tmp_path) for a in args))
    assert done.code == 2, done
    assert done.stderr.count("\n") == 1, done.stderr
    assert reason in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("chat_args", [[], ["--chat-id", "5"]])
async def test_a_chats_full_url_names_the_chat(demo: MockServer, chat_args: list[str]) -> None:
    # What `mock-server` prints as a chat's URL is accepted as it is.
    done = await run_cli("chat", demo.url(5), *chat_args, "-m", "hello", "-v")
    assert done.code == 0, done
    assert done.stdout.splitlines() == ["You said: hello", "[done: 1 token used]"]
    assert [(chat, m.text) for chat, m in demo.received] == [("5", "hello")]
    # -v says which URL it tried: the chat's, not the path doubled.
    assert f"connecting to {demo.url(5)}" in done.stderr


@pytest.mark.parametrize("option", ["--connect-timeout", "--response-timeout"])
@pytest.mark.parametrize("value", ["-1", "0", "nan", "soon"])
async def test_timeouts_must_be_positive_numbers(option: str, value: str) -> None:
    done = await run_cli("chat", "ws://127.0.0.1:1/", option, value, "-m", "hi")
    assert done.code == 2
    assert f"argument {option}: expected a number of seconds above 0, got '{value}'" in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_lost_connection_fails_that_response_and_the_next_line_reconnects() -> None:
    answers: list[list[Action]] = [[MsgEventTextChunk(text="cut "), Drop()], text_reply("again")]

    def script(message: MsgUserMessage) -> list[Action]:
        return answers.pop(0)

    async with MockServer(script) as server:
        done = await run_cli("chat", server.base_url, stdin=b"first\nsecond\n")
        ended = await server.connections_ended(2)
    assert done.code == 1
    assert "[error CONNECTION_CLOSED]" in done.stderr
    assert "code 1006" in done.stderr
    assert done.stdout.splitlines()[-2:] == ["again", "[done: 0 tokens used]"]
    assert len(ended) == 2  # it reconnected for the second line


async def test_ctrl_c_in_a_script_stops_with_130_and_closes_the_connection() -> None:
    asked, gate = asyncio.Event(), asyncio.Event()

    async def script(message: MsgUserMessage) -> AsyncIterator[Action]:
        yield MsgEventTextChunk(text="thinking")
        asked.set()
        await gate.wait()  # never set: the response hangs until the client leaves
        yield MsgEventTextChunk(text="never")

    async with MockServer(script) as server:
        process = await LineProcess.start("chat", server.base_url, "-m", "hi")
        try:
            await asyncio.wait_for(asked.wait(), WAIT)
            process.process.send_signal(signal.SIGINT)
            done = await process.finish()
            ended = await server.connections_ended(1)
        finally:
            process.kill()
    assert done.code == 130
    assert done.stdout == "thinking"  # and a line end
    assert ended[0][1] == 1000  # closed cleanly on the way out
