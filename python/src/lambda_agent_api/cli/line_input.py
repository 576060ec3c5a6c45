"""Lines from standard input, read without blocking the event loop: a terminal, a pipe or a file.

On a terminal the line discipline edits the line (backspace, Ctrl-U, Ctrl-W)
and hands over whole lines; the loop is told when one is ready, so that a
response keeps streaming and Ctrl-C is handled by the loop. Pipes are read
the same way. A regular file (``< questions.txt``), which the loop cannot
watch, is read directly: reading it never waits. Where the loop cannot watch
a file descriptor at all (Windows), a daemon thread reads.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import BinaryIO, Final

__all__ = ["LineReader"]

_CHUNK: Final = 65536


class LineReader:
    """Read lines (without their line end) from a binary stream; None at end of input."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._eof = False
        self._mode: str | None = None  # "watch", "direct" or "thread", once started
        self._ready = asyncio.Event()
        self._watching = False
        self._fd: int | None = None
        self._thread_lines: asyncio.Queue[bytes | None] | None = None

    async def readline(self) -> str | None:
        """Return the next line, decoded as UTF-8 (bad bytes replaced), or None at the end."""
        while True:
            line = self._take_line()
            if line is not None:
                return line.decode("utf-8", "replace").rstrip("\r")
            if self._eof:
                if self._buffer:  # a last line without a newline
                    rest = bytes(self._buffer)
                    self._buffer.clear()
                    return rest.decode("utf-8", "replace").rstrip("\r")
                return None
            await self._fill()

    def close(self) -> None:
        """Stop watching standard input."""
        if self._watching and self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._watching = False

    # Inside

    def _take_line(self) -> bytes | None:
        end = self._buffer.find(b"\n")
        if end < 0:
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line

    async def _fill(self) -> None:
        if self._mode is None:
            self._mode = self._start()
        if self._mode == "thread":
            await self._from_thread()
        elif self._mode == "direct":
            self._append(self._stream.readline(_CHUNK))
        else:
            self._ready.clear()
            await self._ready.wait()

    def _start(self) -> str:
        loop = asyncio.get_running_loop()
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            return "direct"  # not a file descriptor (an in-memory stream)
        try:
            loop.add_reader(fd, self._on_readable)
        except PermissionError:  # a regular file: epoll refuses it, and reading it never waits
            return "direct"
        except NotImplementedError:  # this loop cannot watch file descriptors
            self._start_thread(loop)
            return "thread"
        self._fd = fd
        self._watching = True
        return "watch"

    def _on_readable(self) -> None:
        assert self._fd is not None
        try:
            data = os.read(self._fd, _CHUNK)
        except BlockingIOError:
            return
        except OSError:  # a terminal that went away reads as the end of input
            data = b""
        self._append(data)
        self._ready.set()

    def _append(self, data: bytes) -> None:
        if not data:
            self._eof = True
            self.close()
        else:
            self._buffer += data

    def _start_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._thread_lines = queue
        stream = self._stream

        def read() -> None:
            while True:
                line = stream.readline()
                loop.call_soon_threadsafe(queue.put_nowait, line or None)
                if not line:
                    return

        # A daemon: a thread stuck in a read must not keep the process alive.
        threading.Thread(target=read, name="stdin-lines", daemon=True).start()

    async def _from_thread(self) -> None:
        assert self._thread_lines is not None
        self._append(await self._thread_lines.get() or b"")
