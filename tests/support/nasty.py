"""A nasty-capture generator: hostile inputs written to disk in flat memory, and a runner
that measures what a command costs on them (wall time, peak RSS) in a child process.

Shared by ``tests/test_hostile_suite.py`` and ``bench/bench_hostile.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20
STATUS = json.dumps({"ts": 1.5, "dir": "recv", "data": '{"type":"STATUS"}'})


def _repeat(file: object, piece: bytes, count: int) -> None:
    block = piece * max(1, _CHUNK // len(piece))
    per_block = len(block) // len(piece)
    while count >= per_block:
        file.write(block)  # type: ignore[attr-defined]
        count -= per_block
    file.write(piece * count)  # type: ignore[attr-defined]


def long_number_line(path: Path, digits: int = 1_000_000) -> Path:
    """A capture whose AGENT_EVENT_END has a ``tokens_used`` of ``digits`` digits."""
    with path.open("wb") as file:
        file.write((STATUS + "\n").encode())
        file.write(b'{"ts": 1.5, "dir": "recv", "data": "{\\"type\\":\\"AGENT_EVENT_END\\",')
        file.write(b'\\"tokens_used\\":')
        _repeat(file, b"9", digits)
        file.write(b'}"}\n')
    return path


def har_long_key(path: Path, size: int = 200_000_000) -> Path:
    """A HAR whose first object key is ``size`` characters long."""
    with path.open("wb") as file:
        file.write(b'{"')
        _repeat(file, b"k", size)
        file.write(b'": 1, "log": {"entries": []}}')
    return path


def har_deep(path: Path, depth: int = 30_000_000) -> Path:
    """A HAR with a skipped value nested ``depth`` levels deep."""
    with path.open("wb") as file:
        file.write(b'{"skipped": ')
        _repeat(file, b"[", depth)
        _repeat(file, b"]", depth)
        file.write(b', "log": {"entries": []}}')
    return path


def many_connections(path: Path, count: int = 1_000_000, close: bool = False) -> Path:
    """A capture of ``count`` one-frame connections, with or without close records."""
    frame = '{"ts": 1.5, "dir": "recv", "conn": "%d", "data": "{\\"type\\":\\"STATUS\\"}"}\n'
    closed = '{"ts": 1.6, "conn": "%d", "event": "close", "code": 1000, "reason": ""}\n'
    with path.open("w", encoding="utf-8") as file:
        for n in range(count):
            file.write(frame % n)
            if close:
                file.write(closed % n)
    return path


GENERATORS: dict[str, Callable[[Path], Path]] = {
    "long_number_line.jsonl": long_number_line,
    "har_long_key.har": har_long_key,
    "har_deep.har": har_deep,
    "many_connections.jsonl": many_connections,
    "many_connections_closed.jsonl": lambda path: many_connections(path, close=True),
}
"""Every hostile capture, by file name."""


@dataclass(frozen=True)
class Cost:
    """What a child process cost: its exit code, wall time and peak RSS (MiB)."""

    code: int
    seconds: float
    peak_mib: float
    stdout: str
    stderr: str


_MEASURE = """
import resource, runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_module(sys.argv[0], run_name="__main__")
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else 1
else:
    code = 0
sys.stdout.flush()
# VmHWM belongs to this program's own address space. ru_maxrss does not: Linux carries
# it over from the forking parent, so under a big pytest process it read the parent's size.
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak, file=sys.stderr)
sys.exit(code)
"""


def measure(module: str, *args: str, timeout: float = 600, cwd: Path | None = None) -> Cost:
    """Run ``python -m module args`` in a child; its peak RSS is its own (last stderr line)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, module, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        cwd=cwd,
    )
    seconds = time.perf_counter() - started
    *err, peak = done.stderr.rstrip("\n").split("\n")
    return Cost(done.returncode, seconds, int(peak) / 1024, done.stdout, "\n".join(err))
