"""The capture format's vocabulary: directions, formats, connections, frames and bad records.

Every reader (:mod:`~lambda_agent_api.capture.jsonl`, :mod:`~lambda_agent_api.capture.har`)
yields these items, and :mod:`~lambda_agent_api.capture.writer` writes frames in the
``jsonl`` format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple, TypeAlias

from lambda_agent_api.protocol.limits import MAX_RECORD_BYTES as _MAX_RECORD_BYTES

__all__ = [
    "MAX_RECORD_BYTES",
    "RECV",
    "SEND",
    "BadRecord",
    "CaptureFormat",
    "CaptureItem",
    "Connection",
    "ConnectionEnd",
    "Direction",
    "Frame",
]

Direction: TypeAlias = Literal["send", "recv"]
"""Which way a frame went, from the client's point of view."""
SEND: Final[Direction] = "send"
"""The client sent the frame (to the server)."""
RECV: Final[Direction] = "recv"
"""The client received the frame (from the server)."""

MAX_RECORD_BYTES: Final = _MAX_RECORD_BYTES
"""The longest line or HAR value read whole; a longer record is reported and skipped
(:data:`lambda_agent_api.protocol.limits.MAX_RECORD_BYTES`)."""


class CaptureFormat(str, enum.Enum):
    """The formats :func:`read_capture` reads."""

    JSONL = "jsonl"
    """The package's capture format: ``{"ts", "dir", "data"[, "conn"][, "binary"]}`` per line."""
    MESSAGES = "messages"
    """Bare messages, one per line; the direction is inferred from ``type``."""
    HAR = "har"
    """A HAR file from browser devtools (``log.entries[]._webSocketMessages[]``)."""


@dataclass(frozen=True, eq=False, slots=True)
class Connection:
    """One WebSocket connection in a capture.

    Compared by identity: a reader makes one object per connection.
    """

    source: str
    """The file it was read from (``<stdin>`` for standard input)."""
    format: CaptureFormat
    """The capture's format, which says what a frame's ``position`` counts."""
    id: str | None = None
    """The ``conn`` (JSON Lines) or ``entries[N]`` (HAR); None for a file's only connection."""
    entry: int | None = None
    """The index of the HAR entry holding the connection."""
    url: str | None = None
    """The connection's URL, when the capture says it."""

    @property
    def label(self) -> str:
        """A short human name: the source, and the connection id and URL if any."""
        parts = [self.source]
        if self.id is not None:
            parts.append(self.id if self.entry is not None else f"conn {self.id}")
        if self.url:
            parts.append(self.url)
        return " ".join(parts)

    def where(self, position: int) -> str:
        """Say where the record at ``position`` is: ``line 7``, or a HAR message's path."""
        if self.format is CaptureFormat.HAR:
            return f"entries[{self.entry}]._webSocketMessages[{position}]"
        return f"line {position}"


class Frame(NamedTuple):
    """One WebSocket frame read from a capture."""

    connection: Connection
    """The connection it went over."""
    seq: int
    """Its position among the frames of its connection, from 0."""
    direction: Direction | None
    """Which way it went; None when the capture does not say (``messages`` format)."""
    data: str | bytes
    """A text frame's text (as ``str``, or as the raw UTF-8 bytes it was captured in),
    or a binary frame's bytes."""
    binary: bool
    """Whether it is a binary frame (the protocol sends none)."""
    ts: float | None
    """When it was sent or received, in seconds since the epoch, if the capture says."""
    position: int
    """Where it is in the source: its line (from 1), or its index in a HAR entry's messages."""

    @property
    def where(self) -> str:
        """Say where the frame is in its source."""
        return self.connection.where(self.position)


class BadRecord(NamedTuple):
    """A record of the capture that is not in its format; it is skipped."""

    connection: Connection
    """The connection it belongs to, as far as the reader can tell."""
    position: int
    """Its line (from 1), or its index in a HAR entry's messages."""
    reason: str
    """What is wrong with it, as a sentence."""
    error_event: bool = False
    """Whether it is a HAR ``error`` message: a WebSocket error the browser recorded."""


class ConnectionEnd(NamedTuple):
    """A connection's last frame has been read."""

    connection: Connection


CaptureItem: TypeAlias = Frame | BadRecord | ConnectionEnd
"""What :func:`read_capture` yields."""
