"""Run the command line in a pseudo-terminal, as a person at a terminal would, from async tests.

The child opens the terminal itself in a new session, which makes it its
controlling terminal: Ctrl-C typed there (``\\x03``) is a real SIGINT, Ctrl-D
(``\\x04``) a real end of input. Output is read as it comes, with the event
loop watching the terminal; every wait ends as soon as the text expected is
there, bounded by :data:`~support.inbox.WAIT`.
"""

from __future__ import annotations

import asyncio
import os
import pty
import re
import sys

from support.inbox import WAIT
from support.processes import COMMAND, ENV

# Runs in the child: open the terminal by name (in the new session, that makes it the
# controlling terminal), make it stdin, stdout and stderr, then become the command.
_OPEN_TERMINAL = (
    "import os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
    "[os.dup2(fd, n) for n in (0, 1, 2)]; os.close(fd); os.execv(sys.argv[2], sys.argv[2:])"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Terminal:
    """A command running in a pseudo-terminal; :meth:`expect` reads what it shows."""

    def __init__(self, process: asyncio.subprocess.Process, master: int, slave: int) -> None:
        self.process = process
        self._master = master
        self._slave = slave
        self._buffer = ""
        self.transcript = ""
        """Everything shown so far."""
        self._changed = asyncio.Event()
        self._eof = False
        asyncio.get_running_loop().add_reader(master, self._on_output)

    @classmethod
    async def start(cls, *args: str, color: bool = False) -> Terminal:
        master, slave = pty.openpty()
        env = dict(ENV)
        if color:
            env.pop("NO_COLOR", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _OPEN_TERMINAL,
            os.ttyname(slave),
            *COMMAND,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
        # The parent keeps its end of the slave open until the child is done, so
        # that the terminal exists however fast or slow the child opens it.
        return cls(process, master, slave)

    def _on_output(self) -> None:
        try:
            data = os.read(self._master, 65536)
        except OSError:  # EIO: every slave end is closed
            data = b""
        if not data:
            self._eof = True
            asyncio.get_running_loop().remove_reader(self._master)
        text = data.decode("utf-8", "replace").replace("\r\n", "\n")
        self._buffer += text
        self.transcript += text
        self._changed.set()

    async def expect(self, text: str, *, raw: bool = False) -> str:
        """Wait until ``text`` is shown; return what was shown up to its end (without colour).

        With ``raw``, colour codes are kept, and looked for.
        """

        async def until() -> str:
            while True:
                shown = self._buffer if raw else _ANSI.sub("", self._buffer)
                at = shown.find(text)
                if at >= 0:
                    self._buffer = shown[at + len(text) :]
                    return shown[: at + len(text)]
                if self._eof:
                    raise AssertionError(f"the terminal closed before {text!r}: {shown!r}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(until(), WAIT)
        except asyncio.TimeoutError:
            raise AssertionError(f"not shown: {text!r}; shown: {self.transcript!r}") from None

    def type(self, keys: str) -> None:
        """Type on the keyboard: ``"hello\\n"``, or ``"\\x03"`` for Ctrl-C."""
        os.write(self._master, keys.encode())

    async def wait(self) -> int:
        """Wait for the command to exit; return its exit code."""
        return await asyncio.wait_for(self.process.wait(), WAIT)

    async def close(self) -> None:
        """Kill the command if it still runs, and close the terminal."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._slave >= 0:
            asyncio.get_running_loop().remove_reader(self._master)
            os.close(self._slave)
            os.close(self._master)
            self._slave = -1
