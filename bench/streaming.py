"""What the streaming benchmarks share: the server they stream from, and the loops they time.

The server is a minimal ``websockets`` server in a child process (so that its
work does not share the measuring interpreter): it sends ``STATUS``, then
answers every message with N ``AGENT_EVENT_TEXT_CHUNK`` frames and an
``AGENT_EVENT_END``. The frames are encoded once, up front, down to their
WebSocket framing, and written to the socket in 64 KiB slices: the server does
next to no work per frame, so that it is not what limits a client. It measures
its own send rate (first byte to last byte handed to the kernel) and prints it,
one line per response; :func:`drain_round` reads a response with a bare socket
that does no per-frame work, so that the server's rate it reports is its ceiling.
It runs as ``python bench/streaming.py --serve --events N``.

The baseline (:func:`raw_round`) is the least a v1.1 client does with each
frame: ``websockets`` ``recv()`` and pydantic's
``TypeAdapter(ServerMessage).validate_json``. :func:`strict_raw_round` parses
with the package's own strict parser instead (``parse_server_message``: RFC
8259 JSON, exactly what the schema accepts).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import sys
import time
from typing import Any, NamedTuple

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode

from lambda_agent_api.protocol.messages import MsgEventEnd, MsgEventTextChunk, parse_server_message
from lambda_agent_api.server import ServerMessage
from lambda_agent_api.transport.agent_api import AgentApi

__all__ = [
    "Rate",
    "Server",
    "client_round",
    "drain_round",
    "raw_connect",
    "raw_round",
    "start_server",
    "stop",
    "strict_raw_round",
]

USER_MESSAGE = '{"type":"USER_MESSAGE","text":"go","attachments":[]}'
STATUS = '{"type":"STATUS"}'
SLICE = 64 * 1024

# What a v1.1 client does with each frame: its agent_api.py calls
# ServerMessage.validate_json, ServerMessage being a pydantic TypeAdapter of the union.
V1_1_ADAPTER = ServerMessage


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
        return Rate(count / wall, count / max(cpu, 1e-9))


# The loops that are timed


async def raw_round(base: str, chat: str, expected: int) -> Rate:
    """Stream one response through the baseline: ``recv()`` and ``validate_json`` per frame."""
    async with connect(f"{base}v1/agent_ws/{chat}/", max_size=None) as ws:
        V1_1_ADAPTER.validate_json(await ws.recv())
        timer = _Timer(expected)
        await ws.send(USER_MESSAGE)
        count = 0
        while True:
            message = V1_1_ADAPTER.validate_json(await ws.recv())
            count += 1
            if isinstance(message, MsgEventEnd):
                break
        return timer.rate(count)


async def strict_raw_round(base: str, chat: str, expected: int) -> Rate:
    """Stream one response through ``recv()`` and the package's strict ``parse_server_message``."""
    async with connect(f"{base}v1/agent_ws/{chat}/", max_size=None) as ws:
        parse_server_message(await ws.recv())
        timer = _Timer(expected)
        await ws.send(USER_MESSAGE)
        count = 0
        while True:
            message = parse_server_message(await ws.recv())
            count += 1
            if isinstance(message, MsgEventEnd):
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
        V1_1_ADAPTER.validate_json(await ws.recv())
        return time.perf_counter() - start


async def drain_round(server: Server, chat: str) -> float:
    """Read one response with a bare socket, no per-frame work; return the server's send rate.

    The handshake is written by hand; the response is read in large blocks
    and only counted in bytes, so the reader is never what limits the server.
    """
    host, port = server.base.removeprefix("ws://").rstrip("/").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /v1/agent_ws/{chat}/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        await reader.readuntil(b"\r\n\r\n")
        status = Frame(Opcode.TEXT, STATUS.encode()).serialize(mask=False)
        await reader.readexactly(len(status))
        writer.write(Frame(Opcode.TEXT, USER_MESSAGE.encode()).serialize(mask=True))
        remaining = server.response_bytes
        while remaining > 0:
            block = await reader.read(1 << 20)
            if not block:
                raise SystemExit("bench: the server closed before the response ended")
            remaining -= len(block)
        writer.write(Frame(Opcode.CLOSE, b"\x03\xe8").serialize(mask=True))  # 1000: done
        return await server.send_rate(chat)
    finally:
        writer.close()


# The server


class Server:
    """The streaming server in its child process: its URL, and the send rates it reports."""

    def __init__(self, process: asyncio.subprocess.Process, base: str, response_bytes: int) -> None:
        self.process = process
        self.base = base
        self.response_bytes = response_bytes
        self._rates: dict[str, asyncio.Future[float]] = {}
        self._reader = asyncio.create_task(self._read_reports())

    async def send_rate(self, chat: str) -> float:
        """Frames per second at which the server sent its response on chat ``chat``."""
        try:
            return await asyncio.wait_for(self._rate(chat), 60)
        finally:
            del self._rates[chat]

    def _rate(self, chat: str) -> asyncio.Future[float]:
        return self._rates.setdefault(chat, asyncio.get_running_loop().create_future())

    async def _read_reports(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            chat, rate = line.decode().split()
            future = self._rate(chat)
            if not future.done():  # else a chat used twice, whose rate nobody asked for
                future.set_result(float(rate))


def _response_bytes(events: int) -> bytes:
    """One whole response, as WebSocket frames ready for the wire (a server does not mask)."""
    texts = [MsgEventTextChunk(text=f"chunk {i} ").model_dump_json() for i in range(events)]
    texts.append(MsgEventEnd(tokens_used=events).model_dump_json())
    return b"".join(Frame(Opcode.TEXT, text.encode()).serialize(mask=False) for text in texts)


async def start_server(events: int) -> Server:
    """Start the streaming server in a child process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        "--events",
        str(events),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    port, response_bytes = map(int, (await process.stdout.readline()).split())
    return Server(process, f"ws://127.0.0.1:{port}/", response_bytes)


async def stop(server: Server | asyncio.subprocess.Process) -> None:
    """Stop a child that serves until its standard input closes."""
    process = server.process if isinstance(server, Server) else server
    assert process.stdin is not None
    process.stdin.close()
    await process.wait()
    if isinstance(server, Server):
        await server._reader


async def until_stdin_closes() -> None:
    """Wait until the parent closes this process's standard input."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def _serve(events: int) -> None:
    response = _response_bytes(events)
    slices = [response[i : i + SLICE] for i in range(0, len(response), SLICE)]
    frames = events + 1

    async def handler(ws: ServerConnection) -> None:
        chat = ws.request.path.strip("/").rpartition("/")[2] if ws.request else "?"
        with contextlib.suppress(ConnectionClosed):  # a reader may leave at any time
            await ws.send(STATUS)
            async for _ in ws:
                start = time.perf_counter()
                for piece in slices:
                    # Pre-encoded frames, straight to the socket, with websockets'
                    # own flow control: the least work a server can do.
                    ws.transport.write(piece)
                    await ws.drain()
                print(chat, frames / (time.perf_counter() - start), flush=True)

    # No compression: the frames are written as they are, and no reader inflates them.
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], len(response), flush=True)
        await until_stdin_closes()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the streaming server of the benchmarks")
    parser.add_argument("--serve", action="store_true", required=True)
    parser.add_argument("--events", type=int, required=True)
    asyncio.run(_serve(parser.parse_args().events))
