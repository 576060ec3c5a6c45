"""`lambda-agent-api chat` at a terminal: a real process in a pseudo-terminal, typed at."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from support.terminal import Terminal

from lambda_agent_api.protocol.messages import MsgEventEnd, MsgEventTextChunk, MsgUserMessage
from lambda_agent_api.testing import Action, MockServer
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.transport.agent_api import AgentApi

PROMPT = ">>> "


@pytest.fixture
async def demo() -> AsyncIterator[MockServer]:
    async with MockServer(demo_script) as server:
        yield server


@pytest.fixture
async def chat(demo: MockServer) -> AsyncIterator[Terminal]:
    terminal = await Terminal.start("chat", demo.base_url, "--chat-id", "7")
    try:
        yield terminal
    finally:
        await terminal.close()


async def test_a_session_streams_replies_survives_errors_and_ends_on_ctrl_d(
    demo: MockServer, chat: Terminal
) -> None:
    assert "connected to " in await chat.expect(PROMPT)
    chat.type("use a tool\n")
    shown = await chat.expect("[done: 3 tokens used]")
    assert '[tool web_search] {"query": "use a tool"}' in shown
    assert '[result web_search] {"hits": 3, "top": "example.org"}' in shown
    assert "I searched the web: 3 hits." in shown
    await chat.expect(PROMPT)

    chat.type("/attach in/a.txt\n")
    await chat.expect("attached to your next message: in/a.txt")
    await chat.expect(PROMPT)
    chat.type("hello\n")
    await chat.expect("You said: hello (attachments: in/a.txt)")
    await chat.expect(PROMPT)

    chat.type("error\n")
    await chat.expect("[error DEMO_ERROR] You asked for an error.")
    await chat.expect(PROMPT)  # still there
    chat.type("bye now\n")  # not the demo's "bye": an echo
    await chat.expect("You said: bye now")
    await chat.expect(PROMPT)

    chat.type("\x04")  # Ctrl-D
    await chat.expect("4 messages, 6 tokens used")
    assert await chat.wait() == 0
    assert [m.attachments for _, m in demo.received] == [[], ["in/a.txt"], [], []]
    assert chat.transcript.count("[error DEMO_ERROR]") == 1


async def test_ctrl_c_stops_showing_a_response_and_the_session_goes_on() -> None:
    gate = asyncio.Event()

    async def script(message: MsgUserMessage) -> AsyncIterator[Action]:
        yield MsgEventTextChunk(text=f"answer to {message.text}")
        if message.text == "slow":
            await gate.wait()
            yield MsgEventTextChunk(text=" and the hidden rest")
        yield MsgEventEnd(tokens_used=1)

    async with MockServer(script) as server:
        chat = await Terminal.start("chat", server.base_url)
        try:
            await chat.expect(PROMPT)
            chat.type("slow\n")
            await chat.expect("answer to slow")
            chat.type("\x03")  # Ctrl-C while the response streams
            await chat.expect("[interrupted: the rest of this response is not shown]")
            await chat.expect(PROMPT)
            gate.set()  # the rest arrives, and is not shown
            chat.type("next\n")
            await chat.expect("answer to next")
            await chat.expect(PROMPT)
            chat.type("\x03")  # Ctrl-C at the prompt: a fresh prompt, nothing else
            await chat.expect(PROMPT)
            chat.type("/quit\n")
            assert await chat.wait() == 0
        finally:
            await chat.close()
    assert "hidden rest" not in chat.transcript
    assert [m.text for _, m in server.received] == ["slow", "next"]


async def test_messages_outside_a_response_and_a_graceful_disconnect(
    demo: MockServer, chat: Terminal
) -> None:
    await chat.expect(PROMPT)
    await demo.send(7, MsgEventTextChunk(text="pushed by the agent"))
    await chat.expect("pushed by the agent")
    await chat.expect(PROMPT)  # the prompt is shown again
    await demo.graceful_disconnect(7)
    await chat.expect("[the agent is shutting down: GRACEFUL_DISCONNECT]")
    await chat.expect("disconnected from the agent; your next message reconnects")
    await chat.expect(PROMPT)
    chat.type("again\n")
    await chat.expect("reconnecting...")
    await chat.expect("You said: again")
    await chat.expect(PROMPT)
    assert len(await demo.connections_ended(1)) == 1


async def test_a_chat_taken_while_disconnected_is_survived() -> None:
    async with MockServer(busy="close") as server:
        chat = await Terminal.start("chat", server.base_url, "--chat-id", "1")
        try:
            await chat.expect(PROMPT)
            await server.graceful_disconnect(1)
            await chat.expect("your next message reconnects")
            async with AgentApi("holder", server.base_url, chat_id=1):
                chat.type("mine again?\n")
                await chat.expect("Chat 1 is busy: chat 1 is busy")
                await chat.expect("not sent; your next message tries again")
                await chat.expect(PROMPT)
            chat.type("now?\n")
            await chat.expect("You said: now?")
            chat.type("\x04")
            assert await chat.wait() == 0
        finally:
            await chat.close()
    assert [m.text for _, m in server.received] == ["now?"]


async def test_help_and_unknown_commands(chat: Terminal) -> None:
    await chat.expect(PROMPT)
    chat.type("/help\n")
    await chat.expect("/attach PATH...")
    chat.type("/nope\n")
    await chat.expect("unknown command /nope")
    await chat.expect(PROMPT)


async def test_colour_on_a_terminal(demo: MockServer) -> None:
    chat = await Terminal.start("chat", demo.base_url, color=True)
    try:
        await chat.expect(PROMPT)
        chat.type("use a tool\n")
        await chat.expect("\x1b[36m[tool web_search]\x1b[0m", raw=True)
        await chat.expect("\x1b[2m[done: 3 tokens used]\x1b[0m", raw=True)
    finally:
        await chat.close()


async def test_a_busy_chat_at_the_start_says_so_and_exits_3() -> None:
    async with (
        MockServer(busy="close") as server,
        AgentApi("holder", server.base_url, chat_id=1),
    ):
        chat = await Terminal.start("chat", server.base_url, "--chat-id", "1")
        try:
            await chat.expect("lambda-agent-api chat: Chat 1 is busy: chat 1 is busy")
            assert await chat.wait() == 3
        finally:
            await chat.close()
