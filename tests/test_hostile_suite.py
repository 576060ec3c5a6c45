"""The hostile-input suite: a byte-level misbehaving server, nasty captures, soak checks.

Every case is bounded in memory (peak RSS measured with ``resource`` in a child
process, so that the number is the case's alone) and in time (a subprocess
timeout guards against a hang; speed itself is measured in bench/bench_hostile.py).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
import struct
import sys
from pathlib import Path

import pytest
from support import nasty

from lambda_agent_api.transport.agent_api import AgentApi, AgentException

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(payload: bytes, opcode: int = 1) -> bytes:
    """One unmasked server frame, built by hand."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


async def _accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer a client's WebSocket handshake by hand, then send STATUS."""
    request = await reader.readuntil(b"\r\n\r\n")
    key = next(
        line.split(b":", 1)[1].strip()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    writer.write(_frame(b'{"type":"STATUS"}'))


class RawServer:
    """A WebSocket server on 127.0.0.1 that speaks bytes: a handshake, then ``frames``."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _accept(reader, writer)
        await reader.read(1 << 16)  # the client's USER_MESSAGE
        for frame in self.frames:
            writer.write(frame)
        await writer.drain()
        await reader.read(1 << 16)  # until the client goes
        writer.close()


async def test_a_million_digit_tokens_used_from_a_raw_server_is_refused_not_converted() -> None:
    # 1 048 000 digits fit the client's 1 MiB frame limit; converting them blocked the
    # event loop for ~30 s. The frame is refused before any conversion.
    end = b'{"type":"AGENT_EVENT_END","tokens_used":' + b"9" * 1_048_000 + b"}"
    chunk = _frame(b'{"type":"AGENT_EVENT_TEXT_CHUNK","text":"kept"}')
    async with RawServer([chunk, _frame(end)]) as server:
        api = AgentApi("hostile", f"ws://127.0.0.1:{server.port}/", response_timeout=60)
        async with api:
            seen: list[object] = []

            async def read() -> None:
                async for event in api.send_message("hi"):
                    seen.append(event)

            with pytest.raises(AgentException):
                await read()
        assert [getattr(e, "text", None) for e in seen][:1] == ["kept"]  # nothing lost


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("name", "make", "limit_mib"),
    [
        ("line.jsonl", nasty.long_number_line, 80),
        ("key.har", lambda path: nasty.har_long_key(path, 50_000_000), 80),
        ("deep.har", lambda path: nasty.har_deep(path, 5_000_000), 80),
    ],
    ids=["million-digit line", "50 MB HAR key", "HAR nested 5 M deep"],
)
def test_nasty_captures_in_bounded_memory(
    tmp_path: Path, name: str, make: object, limit_mib: int
) -> None:
    path = make(tmp_path / name)  # type: ignore[operator]
    cost = nasty.measure("lambda_agent_api", "validate", "--format", "json", str(path))
    assert cost.code in (1, 2), cost.stderr  # a finding, or unusable input: never a crash
    assert "internal error" not in cost.stderr
    summary = json.loads(cost.stdout.splitlines()[-1])
    assert summary["kind"] == "summary"
    assert cost.peak_mib < limit_mib, f"{cost.peak_mib:.0f} MiB"


@pytest.mark.timeout(240)
async def test_a_client_flooded_with_pings_by_a_server_that_never_reads_stays_flat() -> None:
    # websockets answers each ping with a pong whether or not the peer reads: 32 MiB of
    # pings from a server that never reads grew the client by as much, without bound.
    flood = _frame(b"p" * 125, opcode=9) * 8192  # 1 MiB of pings

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _accept(reader, writer)
        for _ in range(32):  # never reading a byte of the pongs
            writer.write(flood)
            await writer.drain()
        writer.write(_frame(b'{"type":"ERROR","code":"DONE","details":"the flood is over"}'))
        await writer.drain()
        await finished.wait()
        writer.close()

    finished = asyncio.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive buffer (inherited by the accepted socket): the client's pongs
    # pile up on its side soon, as they would behind a slow or hostile server.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(handle, sock=listener)
    port = listener.getsockname()[1]
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "support.flooded_client",
        f"ws://127.0.0.1:{port}/",
        cwd=Path(__file__).parent,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), 120)
        _, connected, end = line.decode().split()
        grown = (int(end) - int(connected)) / 1024
        assert grown < 12, f"the client grew {grown:.0f} MiB under 32 MiB of pings"
        # Then it closes: its close frame is stuck behind pongs the server never reads,
        # and close() gives up after 2 * close_timeout (5 s) instead of waiting forever.
        assert await asyncio.wait_for(child.wait(), 60) == 0
    finally:
        finished.set()
        server.close()
        if child.returncode is None:
            child.kill()
            await child.wait()
