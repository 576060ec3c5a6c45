"""Tool calls assembled from a response's events: the one reading of a stream of chunks.

The server streams a tool call as ``AGENT_EVENT_TOOL_CALL_CHUNK`` events. How they
group into calls is decided here, once, for every consumer: the conversation (rules
T001 and T002), :class:`~lambda_agent_api.protocol.replies.ReplyBuilder` and the chat
view all feed a :class:`ToolCallTracker` and so read one stream the same way:

- a chunk that names a tool starts a new call of its ``source``;
- a nameless chunk goes on with the open call of its source, or, when there is
  none, starts a call without a name (T001);
- any other event of the same source ends its open call (so does the end of the
  response): a nameless chunk after it starts a new call;
- the joined ``args_chunk`` pieces of a call are its arguments, read as strict JSON
  (RFC 8259: no ``NaN`` or ``Infinity``, integers of any length); an empty text is
  a call without arguments (T002 otherwise).

Sources are independent: a sub-agent's events (``source`` ``tools:...``) neither end
nor continue a call of ``main``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lambda_agent_api.protocol import strict_json

__all__ = [
    "MAIN_SOURCE",
    "ChunkRead",
    "OpenToolCall",
    "ToolCallTracker",
    "arguments_error",
    "parse_arguments",
]

MAIN_SOURCE = "main"
"""The ``source`` of the agent itself; events without a ``source`` field count as it."""


@dataclass(eq=False)
class OpenToolCall:
    """One tool call as its chunks arrive."""

    tool_name: str | None
    """The tool's name; None when the chunk that started the call named none (T001)."""
    source: str
    """Who called: ``main`` or ``tools:...``."""
    chunks: list[str] = field(default_factory=list)
    """The ``args_chunk`` pieces so far."""

    @property
    def arguments_text(self) -> str:
        """The pieces joined: the raw JSON text of the arguments."""
        return "".join(self.chunks)


class ChunkRead(NamedTuple):
    """What one ``AGENT_EVENT_TOOL_CALL_CHUNK`` did."""

    call: OpenToolCall
    """The call the chunk belongs to."""
    started: bool
    """Whether the chunk started that call."""
    closed: OpenToolCall | None
    """The call of the same source that the chunk ended (by naming another tool), if any."""


def arguments_error(text: str) -> str | None:
    """Say why a call's joined arguments are not JSON (rule T002), or return None.

    An empty (or blank) text is a call without arguments, which is fine. Integers of
    any length are JSON; none is converted, so this takes linear time.
    """
    if not text.strip():
        return None
    try:
        strict_json.check(text)
    except ValueError as error:
        return str(error)
    return None


def parse_arguments(text: str) -> tuple[Any, str | None]:
    """Read a call's joined arguments: ``(value, None)``, or ``(None, why it is not JSON)``.

    The verdict is :func:`arguments_error`'s. An empty (or blank) text is a call
    without arguments: ``(None, None)``. An integer longer than the package's limit
    (:mod:`lambda_agent_api.protocol.limits`) is read as a
    ``strict_json.LongInteger`` stand-in, never converted.
    """
    if not text.strip():
        return None, None
    try:
        return strict_json.loads(text, stand_in=True), None
    except ValueError as error:
        return None, str(error)


class ToolCallTracker:
    """Groups the tool-call chunks of one response into calls, source by source."""

    def __init__(self) -> None:
        self.open: dict[str, OpenToolCall] = {}
        """The open call of each source. Read it; feed the tracker to change it."""
        self.called: set[str] = set()
        """The names of the tools called so far in this response."""

    def chunk(self, source: str, tool_name: str | None, args_chunk: str | None) -> ChunkRead:
        """Read one ``AGENT_EVENT_TOOL_CALL_CHUNK``."""
        call = self.open.get(source)
        closed = None
        started = call is None or tool_name is not None
        if started:
            closed = self.open.pop(source, None)
            call = self.open[source] = OpenToolCall(tool_name, source)
            if tool_name is not None:
                self.called.add(tool_name)
        assert call is not None
        if args_chunk is not None:
            call.chunks.append(args_chunk)
        return ChunkRead(call, started, closed)

    def other_event(self, source: str) -> OpenToolCall | None:
        """Read any other agent event of ``source``; return the call it ended, if any."""
        return self.open.pop(source, None) if self.open else None

    def finish(self) -> list[OpenToolCall]:
        """End the response: return the calls still open, and start afresh."""
        calls = list(self.open.values())
        self.open.clear()
        self.called.clear()
        return calls
