"""How ``lambda-agent-api chat`` shows the agent's messages: for people, or as JSON Lines.

:class:`TextView` streams the answer's text as it arrives and puts everything
else on lines of its own, marked: ``[tool NAME]`` and its arguments as they
stream, ``[result NAME]``, ``[update]``, ``[file]``, ``[error CODE]``, and the
tokens used at the end. Text from a sub-agent (a ``source`` other than
``main``) is marked with its source. :class:`JsonView` prints every message
as one line of JSON, as the server sent it.
"""

from __future__ import annotations

import json
from typing import Any, Final, TextIO

from lambda_agent_api.cli.console import BLUE, CYAN, DIM, GREEN, RED, YELLOW, Style, printable
from lambda_agent_api.protocol.client_protocol import UnknownMessage
from lambda_agent_api.protocol.messages import (
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgGracefulDisconnect,
    MsgStatus,
    ServerMessageUnion,
)
from lambda_agent_api.protocol.text import shorten
from lambda_agent_api.protocol.tool_calls import (
    MAIN_SOURCE,
    OpenToolCall,
    ToolCallTracker,
    arguments_error,
)
from lambda_agent_api.protocol.transitions import belongs_to_response, ends_response

__all__ = ["MAX_RESULT_CHARS", "JsonView", "TextView"]

MAX_RESULT_CHARS: Final = 2000
"""A tool result or an update longer than this is cut, saying how much was left out."""

_MAIN: Final = "main"


class TextView:
    """For people: text streams as it comes, everything else is marked on its own line."""

    def __init__(self, out: TextIO, style: Style) -> None:
        self._out = out
        self._style = style
        self._fresh = True  # at the start of a line
        self._mode: tuple[str, str] | None = None  # ("text" | "tool", source) being written
        self._tools = ToolCallTracker()  # how chunks group into calls: as everywhere else

    def message(self, message: ServerMessageUnion | UnknownMessage) -> None:
        """Show one message from the server."""
        style = self._style
        if isinstance(message, MsgEventToolCallChunk):
            self._tool_chunk(message)
            return
        type_ = str(getattr(message.type, "value", message.type))
        if belongs_to_response(type_):  # any other event ends the open call of its source
            ended = [self._tools.other_event(getattr(message, "source", MAIN_SOURCE))]
            if ends_response(type_):
                ended += self._tools.finish()
            for call in ended:
                self._check_arguments(call)
        if isinstance(message, MsgEventTextChunk):
            self._text(message.text, message.source)
        elif isinstance(message, MsgEventToolResult):
            label = _label("result", message.tool_name, message.source)
            self._line(style(label, CYAN), _cut(_json(message.result)))
        elif isinstance(message, MsgEventCustomUpdate):
            label = _label("update", None, message.source)
            self._line(
                style(label, YELLOW),
                _cut(_json(message.payload)),
            )
        elif isinstance(message, MsgEventSendFile):
            self._line(style("[file]", GREEN), message.path)
        elif isinstance(message, MsgEventEnd):
            tokens = message.tokens_used
            self._line(style(f"[done: {tokens} token{'' if tokens == 1 else 's'} used]", DIM))
        elif isinstance(message, MsgError):
            self.error(message.code, message.details)
        elif isinstance(message, MsgGracefulDisconnect):
            self._line(style("[the agent is shutting down: GRACEFUL_DISCONNECT]", YELLOW))
        elif isinstance(message, MsgStatus):
            self._line(style("[status]", DIM))
        else:
            data = _cut(_json(message.data))
            self._line(style(printable(f"[unknown message type {message.type}]"), DIM), data)

    def error(self, code: str, details: str) -> None:
        """Show an error: the server's ``ERROR``, or the client's own."""
        self._line(self._style(printable(f"[error {code}]"), RED), details)

    def note(self, text: str) -> None:
        """Show a note of the chat itself (connected, attachments...), dimmed."""
        self._line(self._style(text, DIM))

    def finish_line(self) -> None:
        """End the line being written, if any."""
        if not self._fresh:
            self._write("\n")
        self._mode = None

    # Inside

    def _text(self, text: str, source: str) -> None:
        if self._mode != ("text", source):
            self.finish_line()
            if source != _MAIN:
                self._write(self._style(f"[{printable(source)}]", BLUE) + " ")
            self._mode = ("text", source)
        self._write(printable(text, multiline=True))  # the agent's text: no escape sequences

    def _tool_chunk(self, chunk: MsgEventToolCallChunk) -> None:
        source = chunk.source
        read = self._tools.chunk(source, chunk.tool_name, chunk.args_chunk)
        self._check_arguments(read.closed)
        if read.started or self._mode != ("tool", source):
            # A new call, or its call goes on after another source's output.
            self.finish_line()
            label = _label("tool", read.call.tool_name or "?", source)
            self._write(self._style(label, CYAN) + " ")
            self._mode = ("tool", source)
        if chunk.args_chunk:
            self._write(printable(chunk.args_chunk, multiline=True))

    def _check_arguments(self, call: OpenToolCall | None) -> None:
        """Say so when an ended call's arguments are not JSON (rule T002)."""
        if call is None:
            return
        error = arguments_error(call.arguments_text)
        if error is not None:
            tool = call.tool_name or "?"
            text = printable(f"[tool {tool}: the arguments are not JSON: {error}]")
            self._line(self._style(text, RED))

    def _line(self, head: str, rest: str = "") -> None:
        """Write a line: ``head`` is ours (styled), ``rest`` came from the server."""
        self.finish_line()
        self._write(f"{head} {printable(rest)}".rstrip(" ") + "\n")

    def _write(self, text: str) -> None:
        if not text:
            return
        self._out.write(text)
        self._out.flush()
        self._fresh = text.endswith("\n")


class JsonView:
    """For programs: every message from the server as one line of JSON."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def message(self, message: ServerMessageUnion | UnknownMessage) -> None:
        """Print the message as one line of JSON."""
        # ASCII JSON: valid UTF-8 in any locale; a lone surrogate in a text chunk
        # (JSON allows the escape) is written as its escape, never lost.
        if isinstance(message, UnknownMessage):
            line = json.dumps(message.data, ensure_ascii=True, separators=_COMPACT)
        else:
            data = message.model_dump(mode="json", by_alias=True)
            line = json.dumps(data, ensure_ascii=True, separators=_COMPACT)
        self._out.write(line + "\n")
        self._out.flush()

    def finish_line(self) -> None:
        """Nothing to do: every line is whole."""


_COMPACT: Final = (",", ":")


def _label(kind: str, name: str | None, source: str) -> str:
    parts = [kind] + ([name] if name else []) + ([f"({source})"] if source != _MAIN else [])
    return printable(f"[{' '.join(parts)}]")


def _json(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _cut(text: str) -> str:
    return shorten(text, MAX_RESULT_CHARS, say_rest=True)
