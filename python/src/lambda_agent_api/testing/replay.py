"""Replay a capture: serve the server side of recorded connections, frame for frame.

:class:`ReplayServer` (also ``MockServer.from_capture(...)``) reads a capture
(the package's JSON Lines, bare messages, or a browser's HAR) and matches
each client connection to a recorded one, in order. For each recorded frame
in turn, it sends the server's frames back as they were recorded (a frame
that breaks the schema is sent as it is: that is the point, to reproduce a
bug), with the recorded timing scaled by ``speed`` (1: as recorded; 0: as
fast as possible), and waits for each frame the client sent, comparing the
client's actual frame with the recorded one. A difference is a warning
(:attr:`ReplayServer.differences`, and the ``on_difference`` callback), or
with ``strict`` ends that connection with close code 1011.

``redact`` names fields (``text``, ``path``, ``attachments``...) whose values
become placeholders wherever they appear in a message, in both directions,
so that a capture can be shared (:func:`write_recording` writes it).
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import os
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Final

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from lambda_agent_api.capture import (
    RECV,
    SEND,
    BadRecord,
    CaptureWriter,
    Direction,
    Frame,
    read_capture,
)
from lambda_agent_api.exceptions import CaptureError, ReplayError
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.strict_json import show
from lambda_agent_api.protocol.transitions import Role, role_of
from lambda_agent_api.testing.server import MockServer, _printable

__all__ = [
    "REDACTED",
    "Difference",
    "RecordedConnection",
    "RecordedFrame",
    "ReplayServer",
    "load_recording",
    "redact_frame",
    "write_recording",
]

logger = logging.getLogger(__name__)

REDACTED: Final = "[redacted]"
"""What a redacted string becomes."""

STRICT_CLOSE_CODE: Final = 1011
"""How a strict replay ends a connection whose client strayed from the capture."""


@dataclass(frozen=True)
class RecordedFrame:
    """One frame of a recorded connection."""

    direction: Direction
    """``send``: the client sent it; ``recv``: the server did."""
    data: str | bytes
    """A text frame's text (bytes when it was captured as bytes, e.g. not UTF-8), or a
    binary frame's bytes."""
    binary: bool
    ts: float | None
    """When it went, in seconds since the epoch, if the capture says."""


@dataclass(frozen=True)
class RecordedConnection:
    """One recorded connection: its frames in order."""

    label: str
    """Where it is in the capture (the file, and its ``conn`` or HAR entry)."""
    frames: tuple[RecordedFrame, ...]


@dataclass(frozen=True)
class Difference:
    """Where a client's frame was not the recorded one."""

    connection: int
    """The recorded connection's index, from 0."""
    frame: int
    """The recorded frame's index in its connection, from 0."""
    expected: str | None
    """The recorded frame (shortened), or None beyond the end of the capture."""
    actual: str | None
    """The client's frame (shortened), or None when the client closed instead."""

    def describe(self) -> str:
        """Say what differed, in one line, safe to print."""
        where = f"connection {self.connection + 1}, frame {self.frame + 1}"
        if self.expected is None:
            return f"{where}: the client sent {self.actual} beyond the end of the capture"
        if self.actual is None:
            return f"{where}: the client closed instead of sending {self.expected}"
        return f"{where}: the client sent {self.actual}, the capture has {self.expected}"


def redact_frame(data: str | bytes, fields: Collection[str]) -> str | bytes:
    """Return a frame with the values of ``fields`` replaced, wherever they are in it.

    A string becomes :data:`REDACTED`, a list has each item redacted, an object
    becomes ``{}``; numbers, booleans and null stay. A frame that is not a
    JSON object is returned as it is.
    """
    if not fields or isinstance(data, bytes):
        return data
    try:
        value = strict_json.loads(data)
    except ValueError:
        return data
    if not isinstance(value, dict):
        return data
    return json.dumps(_redact(value, frozenset(fields)), ensure_ascii=False)


def _redact(value: Any, fields: frozenset[str], inside: bool = False) -> Any:
    if isinstance(value, dict):
        if inside:
            return {}
        return {k: _redact(v, fields, k in fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(item, fields, inside) for item in value]
    if inside and isinstance(value, str):
        return REDACTED
    return value


def load_recording(
    capture: str | os.PathLike[str] | BinaryIO,
    *,
    redact: Collection[str] = (),
    skipped: list[str] | None = None,
) -> list[RecordedConnection]:
    """Read a capture into its connections, in the order each first appears.

    Records that are not frames (and a HAR's WebSocket errors) are skipped;
    a sentence for each goes to ``skipped`` when given. A bare-messages file
    has no directions: each frame's is inferred from its ``type``.

    Raises:
        ReplayError: the capture cannot be read, or has no frame at all.
    """
    if isinstance(capture, (str, os.PathLike)):
        path = os.fspath(capture)
        try:
            with open(path, "rb") as stream:
                named: Any = _Named(stream, path)
                return load_recording(named, redact=redact, skipped=skipped)
        except OSError as error:
            raise ReplayError(f"{path}: cannot read: {error.strerror or error}") from error
    source = str(getattr(capture, "replay_name", None) or getattr(capture, "name", "<capture>"))
    order: dict[object, tuple[str, list[RecordedFrame]]] = {}
    try:
        for item in read_capture(capture, source):
            if isinstance(item, BadRecord):
                if skipped is not None:
                    skipped.append(f"{item.connection.where(item.position)}: {item.reason}")
            elif isinstance(item, Frame):
                direction = item.direction or _direction_of(item.data)
                if direction is None:
                    if skipped is not None:
                        skipped.append(f"{item.where}: no direction, and no known type")
                    continue
                data = item.data
                if not item.binary:
                    data = redact_frame(data, redact)
                _, frames = order.setdefault(item.connection, (item.connection.label, []))
                frames.append(RecordedFrame(direction, data, item.binary, item.ts))
    except CaptureError as error:
        raise ReplayError(str(error)) from error
    connections = [RecordedConnection(label, tuple(frames)) for label, frames in order.values()]
    if not connections:
        raise ReplayError(f"{source}: the capture has no frame to replay")
    return connections


class _Named:
    """A binary stream with the name to report it by."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self.replay_name = name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _direction_of(data: str | bytes) -> Direction | None:
    try:
        value = strict_json.loads(data)
    except ValueError:
        return None
    type_ = value.get("type") if isinstance(value, dict) else None
    role = role_of(type_) if isinstance(type_, str) else None
    if role is None:
        return None
    return SEND if role is Role.CLIENT else RECV


def write_recording(connections: Iterable[RecordedConnection], stream: IO[str]) -> None:
    """Write recorded connections in the capture format (JSON Lines), one ``conn`` each."""
    writer = CaptureWriter(stream)
    for number, connection in enumerate(connections, 1):
        for frame in connection.frames:
            writer.write(frame.direction, _as_written(frame), ts=frame.ts or 0.0, conn=number)


def _as_written(frame: RecordedFrame) -> str | bytes:
    if frame.binary or isinstance(frame.data, str):
        return frame.data
    return frame.data.decode("utf-8", "replace")


@dataclass
class _Playback:
    index: int
    recording: RecordedConnection
    ended: bool = False
    extra: list[str] = field(default_factory=list)


class ReplayServer(MockServer):
    """A server that plays the server side of a capture back to clients, on 127.0.0.1.

    Use it as ``async with ReplayServer(load_recording("session.jsonl")) as server:``,
    or ``MockServer.from_capture("session.jsonl")``, and point the client at
    :attr:`base_url`. The n-th connection that opens plays the n-th recorded
    connection; one more is refused with HTTP 503.

    Args:
        connections: the recorded connections (:func:`load_recording`).
        strict: end a connection with close code 1011 when its client strays from the capture.
        speed: 1 replays the recorded timing, 2 twice as fast, 0 as fast as possible.
        redact: fields redacted in the client's frames before they are compared
            (give the same as to :func:`load_recording`).
        on_difference: called with every :class:`Difference` as it is found.
        host: the address to listen on.
        port: the port to listen on; 0 picks a free one.
        path_prefix: a path before ``/v1/agent_ws/``.
        close_timeout: after the capture's last frame was ``GRACEFUL_DISCONNECT``,
            how long to wait for the client to close before closing (1000).
    """

    def __init__(
        self,
        connections: Sequence[RecordedConnection],
        *,
        strict: bool = False,
        speed: float = 1.0,
        redact: Collection[str] = (),
        on_difference: Callable[[Difference], None] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        path_prefix: str = "",
        close_timeout: float = 5.0,
    ) -> None:
        if not speed >= 0 or speed == float("inf"):
            raise ValueError(f"speed must be a finite number >= 0, not {speed!r}")
        super().__init__(host=host, port=port, path_prefix=path_prefix, close_timeout=close_timeout)
        self.recording = list(connections)
        """The recorded connections, in the order they are played."""
        self.strict = strict
        self.speed = speed
        self.redact = frozenset(redact)
        self.on_difference = on_difference
        self.differences: list[Difference] = []
        """Every place a client strayed from the capture, in order."""
        self._next = 0
        self._assigned: dict[ServerConnection, _Playback] = {}
        self._played = 0
        self._all_played = asyncio.Event()

    async def finished(self) -> None:
        """Wait until every recorded connection has been played and has ended."""
        await self._all_played.wait()

    @property
    def played(self) -> int:
        """How many recorded connections have been played to their end."""
        return self._played

    # Handshake and playback

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(request)
        if self._chat_of(request.path) is None:
            return connection.respond(http.HTTPStatus.FORBIDDEN, "")
        if self._next >= len(self.recording):
            body = f"the capture has {len(self.recording)} connections, all replayed\n"
            return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, body)
        self._assigned[connection] = _Playback(self._next, self.recording[self._next])
        self._next += 1
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        playback = self._assigned.pop(ws)
        chat_id = self._chat_of(ws.request.path if ws.request else "") or ""
        try:
            await self._play(ws, playback)
        except ConnectionClosed:
            pass
        finally:
            await ws.close()
            self.close_codes.append((chat_id, ws.close_code, ws.close_reason))
            self._played += 1
            if self._played >= len(self.recording):
                self._all_played.set()
            async with self._ended:
                self._ended.notify_all()

    async def _play(self, ws: ServerConnection, playback: _Playback) -> None:
        loop = asyncio.get_running_loop()
        frames = playback.recording.frames
        start_wall = loop.time()
        start_ts = next((f.ts for f in frames if f.ts is not None), None)
        for number, frame in enumerate(frames):
            if frame.direction == RECV:
                if self.speed and frame.ts is not None and start_ts is not None:
                    due = start_wall + (frame.ts - start_ts) / self.speed
                    if due > loop.time():
                        await asyncio.sleep(due - loop.time())
                await _send(ws, frame)
                continue
            try:
                actual = await ws.recv()
            except ConnectionClosed:
                self._differ(Difference(playback.index, number, _short(frame.data), None))
                return
            # Later frames are timed from the moment the client's frame came.
            if frame.ts is not None:
                start_wall, start_ts = loop.time(), frame.ts
            if not self._same(frame, actual):
                self._differ(Difference(playback.index, number, _short(frame.data), _short(actual)))
                if self.strict:
                    await ws.close(STRICT_CLOSE_CODE, "replay: the client strayed from the capture")
                    return
        await self._after_the_capture(ws, playback, frames)

    async def _after_the_capture(
        self, ws: ServerConnection, playback: _Playback, frames: Sequence[RecordedFrame]
    ) -> None:
        async def beyond() -> None:
            async for extra in ws:
                self._differ(Difference(playback.index, len(frames), None, _short(extra)))
                if self.strict:
                    await ws.close(STRICT_CLOSE_CODE, "replay: beyond the end of the capture")
                    return

        last = frames[-1] if frames else None
        if last is not None and last.direction == RECV and _type_of(last.data) == _GOODBYE:
            # As the recorded server: wait for the client to close, then close.
            try:
                await asyncio.wait_for(beyond(), self.close_timeout)
            except (TimeoutError, asyncio.TimeoutError):
                await ws.close(1000, "")
        else:
            await beyond()

    def _same(self, frame: RecordedFrame, actual: str | bytes) -> bool:
        if frame.binary != isinstance(actual, bytes):
            return False
        if frame.binary:
            return frame.data == actual
        recorded = _json_object(frame.data)
        received = _json_object(redact_frame(actual, self.redact))
        if recorded is not None and received is not None:
            return recorded == received
        return _as_bytes(frame.data) == _as_bytes(actual)

    def _differ(self, difference: Difference) -> None:
        self.differences.append(difference)
        logger.warning("replay: %s", difference.describe())
        if self.on_difference is not None:
            self.on_difference(difference)


async def _send(ws: ServerConnection, frame: RecordedFrame) -> None:
    if frame.binary:
        await ws.send(frame.data if isinstance(frame.data, bytes) else frame.data.encode())
    elif isinstance(frame.data, bytes):  # a text frame captured as bytes: sent as they are
        await ws.send(frame.data, text=True)
    else:
        await ws.send(frame.data)


_GOODBYE: Final = "GRACEFUL_DISCONNECT"


def _type_of(data: str | bytes) -> str | None:
    value = _json_object(data)
    type_ = value.get("type") if value else None
    return type_ if isinstance(type_, str) else None


def _json_object(data: str | bytes) -> dict[str, Any] | None:
    try:
        value = strict_json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _as_bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")


def _short(data: str | bytes) -> str:
    if isinstance(data, bytes):
        return f"a binary frame of {len(data)} bytes"
    return _printable(show(data, 80), 100)  # what a client sent may hold terminal controls
