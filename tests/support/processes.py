"""Run the command line as a real process, from async tests, without sleeping.

Every wait reads output until what is expected has appeared, bounded by
:data:`~support.inbox.WAIT` (a guard against hangs, not a timing).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from support.inbox import WAIT

COMMAND = [sys.executable, "-m", "lambda_agent_api"]
# No colour unless a test asks for it; a pseudo-terminal would otherwise turn it on.
ENV = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str


async def run_cli(
    *args: str, stdin: bytes | Path = b"", env: dict[str, str] | None = None
) -> Completed:
    """Run ``lambda-agent-api ARGS`` to its end; standard input is a pipe fed ``stdin``,
    or the file ``stdin`` names."""
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(stdin.open("rb")) if isinstance(stdin, Path) else None
        process = await asyncio.create_subprocess_exec(
            *COMMAND,
            *args,
            stdin=source or asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env or ENV,
        )
    try:
        data = None if isinstance(stdin, Path) else stdin
        out, err = await asyncio.wait_for(process.communicate(data), WAIT)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Completed(process.returncode, out.decode(), err.decode())


class LineProcess:
    """A long-running command whose standard output is read line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    @classmethod
    async def start(cls, *args: str) -> LineProcess:
        process = await asyncio.create_subprocess_exec(
            *COMMAND,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=ENV,
        )
        return cls(process)

    async def expect(self, pattern: str) -> re.Match[str]:
        """Read lines until one matches ``pattern``; return the match."""
        regex = re.compile(pattern)

        async def until() -> re.Match[str]:
            assert self.process.stdout is not None
            while True:
                raw = await self.process.stdout.readline()
                if not raw:
                    err = await self.process.stderr.read() if self.process.stderr else b""
                    raise AssertionError(
                        f"output ended before {pattern!r}: {self.lines} {err.decode()!r}"
                    )
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                match = regex.search(line)
                if match:
                    return match

        return await asyncio.wait_for(until(), WAIT)

    async def finish(self) -> Completed:
        """Wait for the process to end; return its code and the rest of its output."""
        try:
            out, err = await asyncio.wait_for(self.process.communicate(), WAIT)
        except BaseException:
            self.process.kill()
            await self.process.wait()
            raise
        assert self.process.returncode is not None
        self.lines += out.decode().splitlines()
        return Completed(self.process.returncode, "\n".join(self.lines), err.decode())

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
