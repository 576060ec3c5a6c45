"""Check whole capture files: JSON Lines fast and in several processes, HAR and others item by item.

:class:`FileChecker` is what ``lambda-agent-api validate`` runs. For a
``jsonl`` or ``messages`` file it splits the work in two halves:

- the stateless half (``check.batch.inspect_lines``:
  parse, schema, W002/W003) over ranges of the file, which with ``jobs > 1``
  run in worker processes, the ranges cut at line boundaries, those of the
  next files read ahead while this one is finished;
- the conversations (a :class:`~lambda_agent_api.check.traffic.TrafficChecker`),
  in this process, in input order, so the result is the same whatever
  ``jobs`` is: the same findings, in the same order.

HAR files, and any input that cannot be read twice, are read by
:func:`~lambda_agent_api.capture.read_capture` and checked item by item
through the same checker.
"""

from __future__ import annotations

import os
import pickle
import stat
from collections import deque
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Final

from lambda_agent_api.capture.format import (
    MAX_RECORD_BYTES,
    CaptureFormat,
    CaptureItem,
    Connection,
)
from lambda_agent_api.capture.reader import _BOM, _read_head, detect_format, read_capture
from lambda_agent_api.check.batch import BAD, FRAME, RUN, Event, Settings, inspect_lines
from lambda_agent_api.check.checker import Checker
from lambda_agent_api.check.diagnostics import Diagnostic
from lambda_agent_api.check.frames import Inspection
from lambda_agent_api.check.traffic import Finding
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.protocol.conversation import fields_observed
from lambda_agent_api.protocol.limits import MAX_DEPTH, MAX_KEY_CHARS, MAX_OPEN_CONNECTIONS
from lambda_agent_api.protocol.transitions import Role

__all__ = ["FileChecker", "FileDone", "FileStarted"]

MIN_CHUNK: Final = 1 << 20
"""The smallest range of a file given to a worker process."""
MAX_CHUNK: Final = 32 << 20
"""The largest: what one worker holds of a file at a time, whatever its size."""
_LINE_FORMATS: Final = (CaptureFormat.JSONL, CaptureFormat.MESSAGES)
_ROLES: Final[dict[str | None, Role | None]] = {None: None, **{r.value: r for r in Role}}


@dataclass(frozen=True)
class FileStarted:
    """An input was opened; its diagnostics follow."""

    source: str
    """Its name in reports."""
    size: int | None
    """Its size in bytes, when it is a regular file."""


@dataclass(frozen=True)
class FileDone:
    """An input was read to its end, or given up (``error`` says why)."""

    source: str
    """Its name in reports."""
    error: str | None = None
    """Why (part of) it could not be read; None when it was read whole."""


@dataclass(frozen=True)
class _Plan:
    name: str
    source: str
    format: CaptureFormat | None
    size: int | None = None
    chunks: tuple[tuple[int, int], ...] = ()  # ranges starting at lines; none: read in turn
    error: str | None = None


class FileChecker:
    """Check capture files through one :class:`~lambda_agent_api.check.Checker`.

    ``jobs`` worker processes do the stateless half of JSON Lines files (1:
    all in this process). Use it as a context manager, so that the workers stop.
    """

    def __init__(
        self,
        checker: Checker,
        *,
        format: CaptureFormat | None = None,
        jobs: int = 1,
        max_record_bytes: int = MAX_RECORD_BYTES,
        max_key_chars: int = MAX_KEY_CHARS,
        max_depth: int = MAX_DEPTH,
        max_open_connections: int = MAX_OPEN_CONNECTIONS,
        stdin: BinaryIO | None = None,
    ) -> None:
        self.checker = checker
        """The checker all files go through; its ``summary`` counts them all."""
        self._format = format
        self._jobs = max(1, jobs)
        # The checker's version and limits, and the readers' own.
        self._settings = Settings(
            checker.traffic.version,
            max_record_bytes,
            checker.max_frame_bytes,
            checker.max_number_digits,
        )
        self._har_limits = {"max_key_chars": max_key_chars, "max_depth": max_depth}
        self._max_open = max_open_connections
        self._stdin = stdin
        self._pool: Any = None
        self.done_bytes = 0
        """Bytes of the current input checked so far (for a progress bar)."""
        self.on_progress: Callable[[], None] | None = None
        """Called when :attr:`done_bytes` has grown."""
        self._skipping = False

    def __enter__(self) -> FileChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def check(self, names: Iterable[str]) -> Iterator[FileStarted | Diagnostic | FileDone]:
        """Check each input in turn (``-`` is standard input); yield what happens, in order.

        For each input: a :class:`FileStarted` (unless it cannot be opened),
        its diagnostics, then a :class:`FileDone`.
        """
        plans = [self._plan(name) for name in names]
        results = self._inspect_ahead(plans)
        for number, plan in enumerate(plans, 1):
            if plan.error is not None:
                yield FileDone(plan.source, plan.error)
                continue
            yield FileStarted(plan.source, plan.size)
            self.done_bytes = 0
            self._skipping = False
            taken = [0]  # the ranges of the input whose results were taken
            inner = (
                self._apply_chunks(plan, results, taken)
                if plan.chunks and self._pool is not None
                else self._check_stream(plan)
            )
            try:
                with closing(inner):
                    for item in inner:
                        yield item
                        if self._skipping:
                            break
            except CaptureError as error:
                yield FileDone(plan.source, str(error).removeprefix(f"{plan.source}: "))
                continue
            if self._skipping and plan.chunks and self._pool is not None and number < len(plans):
                # The workers' results come in input order: the next input's come after
                # the rest of this one's, which are dropped.
                for _ in range(len(plan.chunks) - taken[0]):
                    next(results)
            yield FileDone(plan.source)

    def skip_rest(self) -> None:
        """Stop checking the current input: :meth:`check` reads no more of it.

        Its :class:`FileDone` comes next. Call it between two of ``check``'s events.
        """
        self._skipping = True

    def position(self) -> int:
        """Bytes of the current input checked so far (:attr:`done_bytes`)."""
        return self.done_bytes

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress()

    # Planning: which inputs are split, where

    def _plan(self, name: str) -> _Plan:
        source = "<stdin>" if name == "-" else name
        if name == "-":
            return _Plan(name, source, self._format)
        try:
            with open(name, "rb") as file:
                status = os.fstat(file.fileno())
                if not stat.S_ISREG(status.st_mode):
                    return _Plan(name, source, self._format)
                head = _strip_bom(b"".join(_read_head(file)))
                format = self._format or detect_format(head, source)
                if format not in _LINE_FORMATS:
                    return _Plan(name, source, format, status.st_size)
                chunks = tuple(_chunks(file, status.st_size, self._jobs))
                return _Plan(name, source, format, status.st_size, chunks)
        except OSError as error:
            return _Plan(name, source, None, error=error.strerror or str(error))

    def _inspect_ahead(self, plans: list[_Plan]) -> Iterator[tuple[list[Event], int]]:
        """Start the workers on the ranges of the files; return their results, in order.

        A few ranges per worker are in flight at a time (the next files' too), so
        that memory stays flat however large the files are.
        """
        tasks = [
            (plan.name, plan.source, plan.format, start, end, self._settings)
            for plan in plans
            if plan.error is None and plan.chunks and plan.format is not None
            for start, end in plan.chunks
        ]
        if self._jobs == 1 or len(tasks) < 2:
            return iter(())
        import multiprocessing

        # fork where there is one: the workers inherit what this process has imported.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._pool = context.Pool(self._jobs)
        return self._results(tasks)

    def _results(self, tasks: list[Any]) -> Iterator[tuple[list[Event], int]]:
        pending: deque[Any] = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(self._pool.apply_async(_inspect_chunk, (task,)))
            if len(pending) >= 2 * self._jobs:
                break
        while pending:
            # Unpickled here, not in the pool's result thread: an error then surfaces
            # (and never leaves this process waiting for a result that will not come).
            result: tuple[list[Event], int] = pickle.loads(pending.popleft().get())
            for task in queue:
                pending.append(self._pool.apply_async(_inspect_chunk, (task,)))
                break
            yield result

    # The stateful half: the conversations, in input order

    def _apply_chunks(
        self, plan: _Plan, results: Iterator[tuple[list[Event], int]], taken: list[int]
    ) -> Generator[Diagnostic, None, None]:
        assert plan.format is not None
        state = _FileState(self.checker, plan.source, plan.format, self._max_open)
        offset = 0
        for start, end in plan.chunks:
            events, lines = next(results)
            taken[0] += 1
            yield from state.apply(events, offset)
            offset += lines
            self.done_bytes += end - start
            self._progress()
        yield from state.finish()

    def _check_stream(self, plan: _Plan) -> Generator[Diagnostic, None, None]:
        stream: BinaryIO
        if plan.name == "-":
            import sys

            stream = self._stdin or sys.stdin.buffer
        else:
            try:
                stream = open(plan.name, "rb")  # noqa: SIM115 - closed below
            except OSError as error:
                raise CaptureError(f"{plan.source}: {error.strerror or error}") from error
        try:
            if plan.format in _LINE_FORMATS or plan.format is None:
                yield from self._check_lines(stream, plan)
            else:
                yield from self._check_items(stream, plan.source, plan.format)
        finally:
            if plan.name != "-":
                stream.close()

    def _check_lines(self, stream: BinaryIO, plan: _Plan) -> Iterator[Diagnostic]:
        try:
            head = _strip_bom(b"".join(_read_head(stream)))
        except OSError as error:
            raise CaptureError(f"{plan.source}: cannot read: {error.strerror or error}") from error
        format = plan.format or detect_format(head, plan.source)
        if format not in _LINE_FORMATS:
            yield from self._check_items(stream, plan.source, format, head)
            return
        state = _FileState(self.checker, plan.source, format, self._max_open)
        for events, _ in inspect_lines(stream, plan.source, format, self._settings, head):
            yield from state.apply(events, 0)
            self.done_bytes = _tell(stream)
            self._progress()
        yield from state.finish()

    def _check_items(
        self, stream: BinaryIO, source: str, format: CaptureFormat, head: bytes | None = None
    ) -> Iterator[Diagnostic]:
        if head is not None:
            stream = _Prefixed(head, stream)  # type: ignore[assignment]  # read and readline
        settings = self._settings
        items = read_capture(
            stream,
            source,
            format,
            max_record_bytes=settings.max_record_bytes,
            max_number_digits=settings.max_number_digits,
            max_open_connections=self._max_open,
            **self._har_limits,
        )
        yield from self.checker.check_all(self._tracked(items, stream))

    def _tracked(self, items: Iterator[CaptureItem], stream: IO[bytes]) -> Iterator[CaptureItem]:
        for count, item in enumerate(items):
            yield item
            if count % 1024 == 0:
                self.done_bytes = _tell(stream)
                self._progress()


class _FileState:
    """The connections of one file, as the conversations see them (as the readers end them)."""

    def __init__(self, checker: Checker, source: str, format: CaptureFormat, max_open: int) -> None:
        self._checker = checker
        self._traffic = checker.traffic
        self._default = Connection(source, format)
        self._source = source
        self._format = format
        self._max_open = max_open
        # Each open connection, and the line of its last frame (to end the idlest).
        self._connections: dict[Hashable, Connection] = {}
        self._last: dict[Hashable, int] = {}

    def _connection(self, key: Hashable) -> tuple[Connection, list[Diagnostic]]:
        connection = self._connections.get(key)
        ended: list[Diagnostic] = []
        if connection is None:
            if len(self._connections) >= self._max_open:
                ended = self._end_idlest()
            connection = self._default
            if key is not None:
                connection = Connection(self._source, self._format, str(key))
            self._connections[key] = connection
        return connection, ended

    def _end_idlest(self) -> list[Diagnostic]:
        # As the JSON Lines reader does: the half of the connections idle longest.
        last = self._last
        idlest = sorted(self._connections, key=lambda key: last.get(key, 0))
        ended = []
        for key in idlest[: max(1, len(idlest) // 2)]:
            ended += self._checker.end(self._connections.pop(key))
            last.pop(key, None)
        return ended

    def apply(self, events: list[Event], offset: int) -> Iterator[Diagnostic]:
        traffic = self._traffic
        connections = self._connections
        last = self._last
        for event in events:
            kind = event[0]
            if kind == RUN:
                _, key, type_, source, count, line = event
                connection = connections.get(key)
                if connection is None:
                    connection, ended = self._connection(key)
                    yield from ended
                last[key] = line + offset + count - 1
                if traffic.take_quiet(connection, type_, count):
                    continue
                # Not quiet here (outside a response, a tool call open): frame by frame.
                fields = {} if source is None else {"source": source}
                for index in range(count):
                    found = traffic.take(connection, Inspection([], Role.SERVER, type_, fields))
                    if found:
                        yield from _located(found, connection, line + offset + index)
            elif kind == FRAME:
                _, key, line, found_alone, sender, type_, fields = event
                connection = connections.get(key)
                if connection is None:
                    connection, ended = self._connection(key)
                    yield from ended
                last[key] = line + offset
                inspection = Inspection(found_alone, _ROLES[sender], type_, fields)
                found = traffic.take(connection, inspection)
                if found:
                    yield from _located(found, connection, line + offset)
            elif kind == BAD:
                yield from self._checker.bad_record(self._default, event[1] + offset, event[2])
            else:  # CLOSE: the connection ended; a later frame of its key starts a new one
                closed = connections.pop(event[1], None)
                last.pop(event[1], None)
                if closed is not None:
                    yield from self._checker.end(closed)

    def finish(self) -> Iterator[Diagnostic]:
        for connection in self._connections.values():
            yield from self._checker.end(connection)


def _located(found: list[Finding], connection: Connection, position: int) -> Iterator[Diagnostic]:
    for f in found:
        yield Diagnostic(
            f.rule, f.message, connection, f.frame, position, f.type, f.pointer, f.keyword
        )


# The workers' half


def _inspect_chunk(task: tuple[str, str, CaptureFormat, int, int, Settings]) -> bytes:
    """In a worker: inspect one range of a file; return its events and how many lines it has.

    They are returned pickled (see :meth:`FileChecker._results`).
    """
    name, source, format, start, end, settings = task
    events: list[Event] = []
    lines = 0
    with open(name, "rb") as file:
        file.seek(start)
        stream = _Range(file, end - start)
        head = b""
        if start == 0:
            head = _strip_bom(stream.read(len(_BOM)))
        for part, count in inspect_lines(stream, source, format, settings, head):  # type: ignore[arg-type]
            events += map(_slim, part)
            lines += count
    return pickle.dumps((events, lines), pickle.HIGHEST_PROTOCOL)


def _slim(event: Event) -> Event:
    """Keep of a frame's fields only what the conversation reads: less to pickle and unpickle."""
    if event[0] != FRAME or event[6] is None:
        return event
    kind, key, line, found, sender, type_, fields = event
    return (kind, key, line, found, sender, type_, fields_observed(type_, fields))


def _chunks(file: BinaryIO, size: int, jobs: int) -> list[tuple[int, int]]:
    """Cut ``file`` into ranges that start at line starts, a few per worker."""
    if jobs == 1 or size < 2 * MIN_CHUNK:
        return [(0, size)]
    step = min(MAX_CHUNK, max(MIN_CHUNK, size // (jobs * 4)))
    starts = [0]
    for guess in range(step, size, step):
        if guess <= starts[-1]:
            continue
        file.seek(guess - 1)
        while True:  # to the start of the next line, however long this one is
            piece = file.readline(MIN_CHUNK)
            if not piece or piece.endswith(b"\n"):
                break
        position = file.tell()
        if position < size and position > starts[-1]:
            starts.append(position)
    return list(zip(starts, [*starts[1:], size], strict=True))


def _strip_bom(head: bytes) -> bytes:
    return head[len(_BOM) :] if head.startswith(_BOM) else head


def _tell(stream: IO[bytes]) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


class _Range:
    """``read`` of a file, up to a number of bytes."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file = file
        self._left = size

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            size = self._left
        data = self._file.read(size)
        self._left -= len(data)
        return data


class _Prefixed:
    """A stream that yields ``head`` first (already read), then the rest."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = (
                (self._head, b"") if size < 0 else (self._head[:size], self._head[size:])
            )
            return data
        return self._stream.read(size)

    def readline(self, size: int = -1) -> bytes:
        if self._head:
            end = self._head.find(b"\n") + 1 or len(self._head)
            if 0 <= size < end:
                end = size
            data, self._head = self._head[:end], self._head[end:]
            return data
        return self._stream.readline(size)

    def tell(self) -> int:
        return self._stream.tell()
