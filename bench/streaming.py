"""What the streaming benchmarks share: the server they stream from, and the loops they time.

The server is a MockServer in a child process (so that its work does not share
the measuring interpreter) that answers every message with N text chunks and an
``AGENT_EVENT_END``; it runs as ``python bench/streaming.py --serve --events N``.
The baseline is a raw ``websockets`` receive-and-parse loop
(``parse_server_message`` on every frame: the least a correct client must do).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any, NamedTuple

from websockets.asyncio.client import connect

from lambda_agent_api.protocol.messages import MsgEventEnd, MsgEventTextChunk, parse_server_message
from lambda_agent_api.testing import MockServer, Raw
from lambda_agent_api.transport.agent_api import AgentApi

__all__ = ["Rate", "client_round", "raw_connect", "raw_round", "start_server", "stop"]

USER_MESSAGE = '{"type":"USER_MESSAGE","text":"go","attachments":[]}'


class Rate(NamedTuple):
    """Events per second of one response, by the wall clock and per CPU second of this process."""

    per_s: float
    per_cpu_s: float


class _Timer:
    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def rate(self, count: int) -> Rate:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        if count != self.expected:  # a loop that missed events must not look fast
            raise SystemExit(f"bench: got {count} events, expected {self.expected}")
        return Rate(count / wall, count / cpu)


async def raw_round(base: str, chat: str, expected: int) -> Rate:
    """Stream one response through the raw websockets loop."""
    async with connect(f"{base}v1/agent_ws/{chat}/", max_size=None) as ws:
        parse_server_message(await ws.recv())
        timer = _Timer(expected)
        await ws.send(USER_MESSAGE)
        count = 0
        async for frame in ws:
            count += 1
            if isinstance(parse_server_message(frame), MsgEventEnd):
                break
        return timer.rate(count)


async def client_round(base: str, chat: str, expected: int, **options: Any) -> Rate:
    """Stream one response through ``AgentApi.send_message`` (``options`` go to AgentApi)."""
    async with AgentApi("bench", base, chat_id=chat, **options) as api:
        timer = _Timer(expected)
        count = 0
        async for _ in api.send_message("go"):
            count += 1
        return timer.rate(count)


async def raw_connect(base: str, chat: str) -> float:
    """Seconds from opening a raw connection to its STATUS, parsed."""
    start = time.perf_counter()
    async with connect(f"{base}v1/agent_ws/{chat}/") as ws:
        parse_server_message(await ws.recv())
        return time.perf_counter() - start


async def start_server(events: int) -> tuple[asyncio.subprocess.Process, str]:
    """Start the streaming server in a child process; return it and its base URL."""
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        "--events",
        str(events),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdout is not None
    port = int((await server.stdout.readline()).decode())
    return server, f"ws://127.0.0.1:{port}/"


async def stop(process: asyncio.subprocess.Process) -> None:
    """Stop a child that serves until its standard input closes."""
    assert process.stdin is not None
    process.stdin.close()
    await process.wait()


async def until_stdin_closes() -> None:
    """Wait until the parent closes this process's standard input."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def _serve(events: int) -> None:
    # Frames are serialised once, up front: the server's cost is not what is measured.
    chunks = [Raw(MsgEventTextChunk(text=f"chunk {i} ").model_dump_json()) for i in range(events)]
    script = [*chunks, Raw(MsgEventEnd(tokens_used=events).model_dump_json())]
    async with MockServer(script) as server:
        print(server.port, flush=True)
        await until_stdin_closes()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the streaming server of the benchmarks")
    parser.add_argument("--serve", action="store_true", required=True)
    parser.add_argument("--events", type=int, required=True)
    asyncio.run(_serve(parser.parse_args().events))
