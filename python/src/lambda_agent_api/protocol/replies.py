"""Whole replies: the agent events of one response, gathered into one typed object.

A response streams as many small events; :class:`ReplyBuilder` adds them up
into a :class:`Reply`: the text, the tool calls with their arguments joined
and parsed as JSON, each call's result, the custom updates, the files sent
and the tokens used. It works on any sequence of events, from a live
connection (:meth:`lambda_agent_api.transport.agent_api.AgentApi.ask`), a capture, or a
test::

    reply = collect(events)  # models, or the dicts of their JSON
    reply.text, reply.tool_calls[0].arguments, reply.tokens_used
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_agent_api.protocol.messages import (
    AgentEvent,
    AgentEventUnion,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
)
from lambda_agent_api.protocol.tool_calls import (
    MAIN_SOURCE,
    OpenToolCall,
    ToolCallTracker,
    parse_arguments,
)

__all__ = ["Reply", "ReplyBuilder", "ToolCall", "ToolResult", "acollect", "collect"]

_MAIN = MAIN_SOURCE


@dataclass(frozen=True)
class ToolResult:
    """What a tool returned (an ``AGENT_EVENT_TOOL_RESULT``)."""

    tool_name: str
    result: Any
    """Any JSON value, as the server sent it."""
    source: str = _MAIN


@dataclass(frozen=True)
class ToolCall:
    """One tool call, its streamed arguments joined, and its result once it came."""

    tool_name: str | None
    """The tool's name; ``None`` if no chunk of the call named it."""
    arguments_text: str
    """The call's ``args_chunk`` pieces, joined: the raw JSON text of its arguments."""
    arguments: Any
    """The arguments parsed as strict JSON (RFC 8259: no ``NaN``); ``None`` when there were
    none or they do not parse."""
    arguments_error: str | None
    """Why ``arguments_text`` is not JSON; ``None`` when it parsed or was empty."""
    source: str = _MAIN
    result: ToolResult | None = None
    """The result paired with this call: the first later result naming the same tool."""

    @property
    def arguments_parsed(self) -> bool:
        """Whether the arguments were JSON (an empty argument text counts as no arguments)."""
        return self.arguments_error is None


@dataclass(frozen=True)
class Reply:
    """A whole response."""

    text: str
    """The answer: the text chunks of the ``main`` source, joined."""
    texts: Mapping[str, str]
    """The text of every source (``main``, ``tools:...``), each joined in order."""
    tool_calls: tuple[ToolCall, ...]
    """Every tool call, in the order they started."""
    tool_results: tuple[ToolResult, ...]
    """Every tool result, in order, whether or not a call matched it."""
    updates: tuple[MsgEventCustomUpdate, ...]
    """Every custom update (progress reported from inside a tool)."""
    files: tuple[str, ...]
    """The paths of the files the agent sent, relative to ``/workspace``."""
    tokens_used: int | None
    """From ``AGENT_EVENT_END``; ``None`` while the response has not ended."""
    events: tuple[AgentEventUnion, ...]
    """Every event, in order."""

    @property
    def complete(self) -> bool:
        """Whether the response ended with ``AGENT_EVENT_END``."""
        return self.tokens_used is not None


class ReplyBuilder:
    """Adds up the agent events of one response; :meth:`reply` returns what it has so far."""

    def __init__(self) -> None:
        self._events: list[AgentEventUnion] = []
        self._texts: dict[str, list[str]] = {}
        self._tools = ToolCallTracker()
        self._calls: list[OpenToolCall] = []
        self._results_of: dict[int, ToolResult] = {}  # index in _calls -> its result
        self._results: list[ToolResult] = []
        self._updates: list[MsgEventCustomUpdate] = []
        self._files: list[str] = []
        self._tokens: int | None = None

    @property
    def done(self) -> bool:
        """Whether ``AGENT_EVENT_END`` was added."""
        return self._tokens is not None

    def add(self, event: AgentEventUnion | Mapping[str, Any]) -> None:
        """Add the next event: a model, or the dict of its JSON (validated against the schema).

        Raises:
            pydantic.ValidationError: a dict that is not a valid agent event.
        """
        if isinstance(event, Mapping):
            event = AgentEvent.validate_python(event)
        self._events.append(event)
        if isinstance(event, MsgEventToolCallChunk):
            read = self._tools.chunk(event.source, event.tool_name, event.args_chunk)
            if read.started:
                self._calls.append(read.call)
            return
        source = getattr(event, "source", _MAIN)
        self._tools.other_event(source)
        if isinstance(event, MsgEventTextChunk):
            self._texts.setdefault(source, []).append(event.text)
        elif isinstance(event, MsgEventToolResult):
            self._add_result(ToolResult(event.tool_name, event.result, source))
        elif isinstance(event, MsgEventCustomUpdate):
            self._updates.append(event)
        elif isinstance(event, MsgEventSendFile):
            self._files.append(event.path)
        elif isinstance(event, MsgEventEnd):
            self._tokens = int(event.tokens_used)
            self._tools.finish()

    def reply(self) -> Reply:
        """Return the reply as added up so far."""
        texts = {source: "".join(chunks) for source, chunks in self._texts.items()}
        return Reply(
            text=texts.get(_MAIN, ""),
            texts=texts,
            tool_calls=tuple(
                _finish(call, self._results_of.get(i)) for i, call in enumerate(self._calls)
            ),
            tool_results=tuple(self._results),
            updates=tuple(self._updates),
            files=tuple(self._files),
            tokens_used=self._tokens,
            events=tuple(self._events),
        )

    def _add_result(self, result: ToolResult) -> None:
        self._results.append(result)
        waiting = [
            i
            for i, call in enumerate(self._calls)
            if i not in self._results_of and call.tool_name == result.tool_name
        ]
        # Prefer a call of the same source: sub-agents may call tools of the same name.
        same_source = [i for i in waiting if self._calls[i].source == result.source]
        matches = same_source or waiting
        if matches:
            self._results_of[matches[0]] = result


def _finish(call: OpenToolCall, result: ToolResult | None) -> ToolCall:
    text = call.arguments_text
    arguments, error = parse_arguments(text)
    return ToolCall(call.tool_name, text, arguments, error, call.source, result)


def collect(events: Iterable[AgentEventUnion | Mapping[str, Any]]) -> Reply:
    """Add up a sequence of agent events (models or dicts) into a :class:`Reply`."""
    builder = ReplyBuilder()
    for event in events:
        builder.add(event)
    return builder.reply()


async def acollect(events: AsyncIterable[AgentEventUnion | Mapping[str, Any]]) -> Reply:
    """Add up an asynchronous stream of agent events into a :class:`Reply`."""
    builder = ReplyBuilder()
    async for event in events:
        builder.add(event)
    return builder.reply()
