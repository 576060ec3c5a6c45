"""What a test server's script can do: send messages, and misbehave on demand.

A script is a list of actions. A server message model (``MsgEventTextChunk(text="hi")``)
is sent as its JSON; the classes here do what a well-behaved server would not.
The helpers at the end build common replies.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from lambda_agent_api.protocol.messages import (
    MsgEventEnd,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    ServerMessageUnion,
)

__all__ = [
    "Action",
    "Binary",
    "Close",
    "Drop",
    "Freeze",
    "Raw",
    "text_reply",
    "tool_call",
]


@dataclass(frozen=True)
class Raw:
    """Send ``text`` as one text frame, as it is: malformed JSON, an unknown type, anything."""

    text: str


@dataclass(frozen=True)
class Binary:
    """Send ``data`` as one binary frame (the protocol only uses text frames)."""

    data: bytes


@dataclass(frozen=True)
class Drop:
    """Cut the TCP connection with no close frame, as a crashed server would (code 1006)."""


@dataclass(frozen=True)
class Freeze:
    """Stop reading from the client, as a hung server would: no more pongs, nothing received."""


@dataclass(frozen=True)
class Close:
    """Close the connection with this WebSocket close code and reason."""

    code: int = 1000
    reason: str = ""


Action: TypeAlias = ServerMessageUnion | Raw | Binary | Drop | Freeze | Close
"""One step of a script."""


def text_reply(text: str, *, tokens_used: int = 0, chunk_size: int = 8) -> list[Action]:
    """Return a whole response: ``text`` in chunks of ``chunk_size`` characters, then the end."""
    chunks: list[Action] = [
        MsgEventTextChunk(text=text[i : i + chunk_size]) for i in range(0, len(text), chunk_size)
    ]
    return [*chunks, MsgEventEnd(tokens_used=tokens_used)]


def tool_call(
    tool_name: str,
    arguments: Any,
    result: Any,
    *,
    chunk_size: int = 8,
    source: str = "main",
) -> list[Action]:
    """Return a tool call whose JSON arguments stream in chunks, followed by its result."""
    text = json.dumps(arguments)
    pieces: Sequence[str] = [text[i : i + chunk_size] for i in range(0, len(text), chunk_size)]
    chunks: list[Action] = [
        MsgEventToolCallChunk(
            tool_name=tool_name if i == 0 else None, args_chunk=piece, source=source
        )
        for i, piece in enumerate(pieces or [""])
    ]
    return [*chunks, MsgEventToolResult(tool_name=tool_name, result=result, source=source)]
