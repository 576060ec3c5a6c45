"""A WebSocket client that speaks bytes, for misbehaviours no library client would commit.

It builds handshakes and frames by hand (masked or not, with any length in the
header, fragments never finished), reads what the server answers without trusting
it, and can end a connection with a TCP reset. Used by tests/test_hostile_clients.py
against the package's test server and recording proxy, run as child processes whose
peak memory is read from ``/proc/PID/status`` (:func:`peak_kib`).
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import os
import socket
import struct
import termios
from dataclasses import dataclass
from typing import ClassVar

from support.inbox import WAIT

TEXT, CONT, CLOSE, PING, PONG = 0x1, 0x0, 0x8, 0x9, 0xA


def handshake(path: str = "/v1/agent_ws/1/", port: int = 0) -> bytes:
    """A client's opening handshake for ``path``."""
    key = base64.b64encode(os.urandom(16))
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n".encode()
        + b"Sec-WebSocket-Key: "
        + key
        + b"\r\n\r\n"
    )


def frame(
    payload: bytes,
    opcode: int = TEXT,
    *,
    fin: bool = True,
    mask: bool = True,
    length: int | None = None,
) -> bytes:
    """One client frame; ``length`` puts another length in the header than the payload's."""
    size = len(payload) if length is None else length
    first = (0x80 if fin else 0) | opcode
    bit = 0x80 if mask else 0
    if size < 126:
        head = struct.pack("!BB", first, bit | size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", first, bit | 126, size)
    else:
        head = struct.pack("!BBQ", first, bit | 127, size)
    if not mask:
        return head + payload
    key = os.urandom(4)
    # Masking 4 bytes at a time in Python is slow for MiBs: XOR as one big integer.
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(payload), "big"
    )
    return head + key + masked


@dataclass
class Answer:
    """What the server sent back: its HTTP status, frames' opcodes, close code, and whether
    the connection ended."""

    status: int | None = None
    opcodes: list[int] | None = None
    texts: list[str] | None = None
    close_code: int | None = None
    ended: bool = False


class RawClient:
    """One TCP connection to 127.0.0.1:``port``, driven byte by byte."""

    opened: ClassVar[list[RawClient]] = []
    """Every client connected and not yet closed by :meth:`close_all`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int, receive_buffer: int | None = None) -> RawClient:
        """Connect; ``receive_buffer`` sets a small kernel buffer (no autotuning), so that
        a server writing to a client that does not read is held back soon."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:  # before connecting, or the window is set already
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=1 << 20)
        client = cls(reader, writer)
        cls.opened.append(client)
        return client

    @classmethod
    def close_all(cls) -> None:
        """Cut every connection still open (a case's clients, once it is over)."""
        for client in cls.opened:
            client.writer.transport.abort()
            client.writer.close()
        cls.opened.clear()

    @classmethod
    async def open(
        cls, port: int, path: str = "/v1/agent_ws/1/", receive_buffer: int | None = None
    ) -> RawClient:
        """Connect and complete a correct handshake (status 101 expected)."""
        client = await cls.connect(port, receive_buffer)
        client.writer.write(handshake(path, port))
        status = await client.read_status()
        assert status == 101, status
        return client

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def sent_all(self, guard: float = WAIT) -> None:
        """Wait until the server has taken every byte written (the kernel's send queue is
        empty): what was sent has been read by the server's process."""

        async def empty() -> None:
            await self.writer.drain()
            sock = self.writer.get_extra_info("socket")
            while struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(empty(), guard)

    async def read_status(self) -> int | None:
        """Read an HTTP response's head; return its status (None: the connection ended)."""
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), WAIT)
        except asyncio.IncompleteReadError:
            return None
        return int(head.split(b" ", 2)[1])

    async def read_frame(self) -> tuple[int, bytes] | None:
        """Read one server frame (unmasked); None when the connection ended."""
        try:
            first, second = await self.reader.readexactly(2)
            size = second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
            assert size <= 1 << 24, f"the server announced a frame of {size} bytes"
            return first & 0x0F, await self.reader.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None

    async def until_closed(self, guard: float = WAIT) -> Answer:
        """Read frames until the server's close frame and the end of the connection."""
        opcodes: list[int] = []
        texts: list[str] = []
        answer = Answer(opcodes=opcodes, texts=texts)

        async def read() -> None:
            while (got := await self.read_frame()) is not None:
                opcode, payload = got
                opcodes.append(opcode)
                if opcode == TEXT:
                    texts.append(payload.decode())
                elif opcode == CLOSE and answer.close_code is None:
                    answer.close_code = int.from_bytes(payload[:2], "big") if payload else 1005
                    self.writer.write(frame(payload[:2], CLOSE))  # complete the closing handshake
            answer.ended = True

        await asyncio.wait_for(read(), guard)
        return answer

    async def read_text(self) -> str:
        """Read frames until a text frame; return it (pings, pongs skipped)."""
        while True:
            got = await asyncio.wait_for(self.read_frame(), WAIT)
            assert got is not None, "the connection ended before a text frame"
            if got[0] == TEXT:
                return got[1].decode()
            assert got[0] != CLOSE, f"closed: {got[1]!r}"

    def reset(self) -> None:
        """End the connection with a TCP reset (RST), as a crashed peer's kernel does."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        self.writer.close()


def peak_kib(pid: int) -> int:
    """A process's peak resident memory so far (``VmHWM``, KiB): its own address space."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def reset_peak(pid: int) -> bool:
    """Reset a process's ``VmHWM`` to its current size (Linux: ``clear_refs`` 5); say if done."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True
