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

import json
from collections.abc import AsyncIterable, Iterable, Mapping
from dataclasses import dataclass, field
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

__all__ = ["Reply", "ReplyBuilder", "ToolCall", "ToolResult", "acollect", "collect"]

_MAIN = "main"


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
    """The arguments parsed as JSON; ``None`` when there were none or they do not parse."""
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


@dataclass
class _OpenCall:
    tool_name: str | None
    source: str
    chunks: list[str] = field(default_factory=list)
    result: ToolResult | None = None


class ReplyBuilder:
    """Adds up the agent events of one response; :meth:`reply` returns what it has so far."""

    def __init__(self) -> None:
        self._events: list[AgentEventUnion] = []
        self._texts: dict[str, list[str]] = {}
        self._calls: list[_OpenCall] = []
        self._open: dict[str, _OpenCall] = {}
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
            self._add_call_chunk(event)
            return
        source = getattr(event, "source", _MAIN)
        self._open.pop(source, None)  # any other event of a source ends its call
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
            self._open.clear()

    def reply(self) -> Reply:
        """Return the reply as added up so far."""
        texts = {source: "".join(chunks) for source, chunks in self._texts.items()}
        return Reply(
            text=texts.get(_MAIN, ""),
            texts=texts,
            tool_calls=tuple(_finish(call) for call in self._calls),
            tool_results=tuple(self._results),
            updates=tuple(self._updates),
            files=tuple(self._files),
            tokens_used=self._tokens,
            events=tuple(self._events),
        )

    def _add_call_chunk(self, event: MsgEventToolCallChunk) -> None:
        call = self._open.get(event.source)
        if call is None or event.tool_name is not None:
            # A chunk that names a tool starts a new call, as does a first nameless one.
            call = _OpenCall(event.tool_name, event.source)
            self._calls.append(call)
            self._open[event.source] = call
        if event.args_chunk is not None:
            call.chunks.append(event.args_chunk)

    def _add_result(self, result: ToolResult) -> None:
        self._results.append(result)
        waiting = [c for c in self._calls if c.result is None and c.tool_name == result.tool_name]
        # Prefer a call of the same source: sub-agents may call tools of the same name.
        same_source = [c for c in waiting if c.source == result.source]
        matches = same_source or waiting
        if matches:
            matches[0].result = result


def _finish(call: _OpenCall) -> ToolCall:
    text = "".join(call.chunks)
    arguments: Any = None
    error: str | None = None
    if text.strip():
        try:
            arguments = json.loads(text)
        except (ValueError, RecursionError) as exc:
            error = str(exc)
    return ToolCall(call.tool_name, text, arguments, error, call.source, call.result)


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
