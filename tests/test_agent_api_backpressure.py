"""Backpressure: a client whose reader stops stops reading the socket, in bounded memory.

A server floods a response of tiny chunks at a client, in its own process, that
stops taking events (issue 12: 1 000 000 chunks grew memory by 548 MiB, and a
slow callback queued 293 616 events). The client must stop reading the socket,
so that TCP holds the server back; its peak RSS must not grow by more than a
few MiB; and a reader that goes on taking gets every event, in order.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.inbox import WAIT, Inbox

from lambda_agent_api.protocol.messages import MsgEventEnd, MsgEventTextChunk, MsgUserMessage
from lambda_agent_api.testing import Action, MockServer, Raw
from lambda_agent_api.transport.agent_api import AgentApi

SLOW_CLIENT = Path(__file__).parent / "support" / "slow_client.py"
CHUNK = Raw('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"x"}')
END = Raw('{"type":"AGENT_EVENT_END","tokens_used":1}')
GROWTH_LIMIT_KIB = 24 * 1024
"""Peak RSS growth allowed while the server floods: the bound (256 small messages) plus
what websockets buffers (16 frames, one read of the socket: 256 KiB) is far less."""


class Flood:
    """A script of ``count`` tiny chunks and an END that counts what it has sent so far."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.sent = 0

    async def __call__(self, message: MsgUserMessage) -> AsyncIterator[Action]:
        for _ in range(self.count):
            yield CHUNK
            self.sent += 1
        yield END


async def until_stalled(flood: Flood) -> int:
    """Wait until the server has sent nothing for half a second; return how much it sent."""

    async def stall() -> int:
        last = -1
        while flood.sent != last:
            last = flood.sent
            await asyncio.sleep(0.5)
        return last

    return await asyncio.wait_for(stall(), 6 * WAIT)


async def read_line(stream: asyncio.StreamReader) -> list[str]:
    line = await asyncio.wait_for(stream.readline(), 6 * WAIT)
    assert line, "the client process ended early"
    return line.decode().split()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("mode", ["iterator", "callback"])
async def test_a_reader_that_stops_holds_the_server_back_in_bounded_memory(mode: str) -> None:
    flood = Flood(1_000_000)
    async with MockServer(flood) as server:
        client = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SLOW_CLIENT),
            server.base_url,
            mode,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=os.environ,
        )
        assert client.stdin is not None
        assert client.stdout is not None
        try:
            word, before = await read_line(client.stdout)
            assert word == "stopped"
            sent = await until_stalled(flood)
            client.stdin.write(b"go on\n")
            await client.stdin.drain()
            word, peak, taken = await read_line(client.stdout)
            assert word == "peak"
        finally:
            if client.returncode is None:
                client.kill()
            await client.wait()
    # TCP held the server back: it could not send the whole flood.
    assert sent < flood.count // 2, f"the server sent {sent} of {flood.count} chunks"
    growth = int(peak) - int(before)
    assert growth < GROWTH_LIMIT_KIB, f"peak RSS grew by {growth} KiB while the server flooded"
    if mode == "callback":
        assert 0 < int(taken) < sent  # the callback was still at work when the server stalled


@pytest.mark.parametrize("max_buffered", [1, 3, 256])
async def test_a_slow_reader_gets_every_event_in_order(max_buffered: int) -> None:
    count = 3000
    chunks: list[Action] = [MsgEventTextChunk(text=str(i)) for i in range(count)]
    texts = []
    async with (
        MockServer([*chunks, MsgEventEnd(tokens_used=1)]) as server,
        AgentApi("a", server.base_url, max_buffered=max_buffered) as api,
    ):
        async for event in api.send_message("go"):
            if isinstance(event, MsgEventTextChunk):
                texts.append(event.text)
                if len(texts) % 500 == 0:
                    await asyncio.sleep(0.05)  # the server runs ahead meanwhile
    assert texts == [str(i) for i in range(count)]


async def test_a_slow_callback_gets_every_event_in_order() -> None:
    count = 2000
    chunks: list[Action] = [MsgEventTextChunk(text=str(i)) for i in range(count)]
    inbox = Inbox()

    async def slow(message: object) -> None:
        inbox(message)
        if len(inbox.messages) % 500 == 0:
            await asyncio.sleep(0.05)

    async with (
        MockServer([*chunks, MsgEventEnd(tokens_used=1)]) as server,
        AgentApi("a", server.base_url, slow, max_buffered=4) as api,
    ):
        async for _ in api.send_message("go"):
            break  # the rest of the response goes to the slow callback
        await inbox.wait_for_type("AGENT_EVENT_END")
    texts = [m.text for m in inbox.messages if isinstance(m, MsgEventTextChunk)]
    assert texts == [str(i) for i in range(1, count)]


def test_max_buffered_must_be_positive() -> None:
    for bad in (0, -1):
        with pytest.raises(ValueError, match="max_buffered"):
            AgentApi("a", "ws://localhost:1/", max_buffered=bad)
