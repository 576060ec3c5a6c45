"""How the chat shows messages: TextView's lines and marks, JsonView's lines."""

from __future__ import annotations

import io
import json

from lambda_agent_api.cli.chat_view import MAX_RESULT_CHARS, JsonView, TextView
from lambda_agent_api.cli.console import Style
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


def shown(*messages: ServerMessageUnion | UnknownMessage, color: bool = False) -> str:
    out = io.StringIO()
    view = TextView(out, Style(color))
    for message in messages:
        view.message(message)
    view.finish_line()
    return out.getvalue()


def test_text_streams_on_one_line_and_other_sources_are_marked() -> None:
    assert shown(
        MsgEventTextChunk(text="Hello, "),
        MsgEventTextChunk(text="world."),
        MsgEventTextChunk(text="sub says", source="tools:summarise"),
        MsgEventTextChunk(text=" hi", source="tools:summarise"),
        MsgEventTextChunk(text="Back."),
        MsgEventEnd(tokens_used=12),
    ).splitlines() == [
        "Hello, world.",
        "[tools:summarise] sub says hi",
        "Back.",
        "[done: 12 tokens used]",
    ]


def test_tool_arguments_stream_on_the_line_of_their_call() -> None:
    assert shown(
        MsgEventToolCallChunk(tool_name="search", args_chunk='{"q": '),
        MsgEventToolCallChunk(args_chunk='"x"}'),
        MsgEventCustomUpdate(payload={"progress": 0.5}),
        MsgEventToolCallChunk(tool_name="search", args_chunk="{"),
        MsgEventTextChunk(text="sub", source="tools:x"),  # another source's output
        MsgEventToolCallChunk(args_chunk="}"),  # goes on with the call of its source
        MsgEventToolResult(tool_name="search", result=["a", 1]),
        MsgEventToolCallChunk(tool_name="sub_tool", args_chunk="{}", source="tools:x"),
        MsgEventToolResult(tool_name="sub_tool", result="plain text", source="tools:x"),
        MsgEventSendFile(path="out/r.md"),
    ).splitlines() == [
        '[tool search] {"q": "x"}',
        '[update] {"progress": 0.5}',
        "[tool search] {",
        "[tools:x] sub",
        "[tool search] }",
        '[result search] ["a", 1]',
        "[tool sub_tool (tools:x)] {}",
        "[result sub_tool (tools:x)] plain text",
        "[file] out/r.md",
    ]


def test_a_nameless_chunk_after_other_output_of_its_source_is_a_new_unnamed_call() -> None:
    # The chat view used to print "[tool search] 1}": the call had ended at the text
    # chunk, as the validator (T002, T001) and ReplyBuilder (two calls) read it.
    assert shown(
        MsgEventToolCallChunk(tool_name="search", args_chunk='{"q":'),
        MsgEventTextChunk(text="hm"),
        MsgEventToolCallChunk(args_chunk="1}"),
        MsgEventEnd(tokens_used=1),
    ).splitlines() == [
        '[tool search] {"q":',
        "[tool search: the arguments are not JSON: Expecting value: line 1 column 6 (char 5)]",
        "hm",
        "[tool ?] 1}",
        "[tool ?: the arguments are not JSON: Extra data: line 1 column 2 (char 1)]",
        "[done: 1 token used]",
    ]


def test_nan_in_tool_arguments_is_not_json() -> None:
    assert shown(
        MsgEventToolCallChunk(tool_name="t", args_chunk='{"x": NaN}'),
        MsgEventEnd(tokens_used=1),
    ).splitlines() == [
        '[tool t] {"x": NaN}',
        "[tool t: the arguments are not JSON: NaN is not a JSON value]",
        "[done: 1 token used]",
    ]


def test_errors_status_disconnects_and_unknown_types() -> None:
    assert shown(
        MsgEventTextChunk(text="half"),
        MsgError(code="E", details="broke"),
        MsgStatus(),
        MsgGracefulDisconnect(),
        UnknownMessage("AGENT_EVENT_TYPING", {"type": "AGENT_EVENT_TYPING", "who": "agent"}),
        MsgEventEnd(tokens_used=1),
    ).splitlines() == [
        "half",
        "[error E] broke",
        "[status]",
        "[the agent is shutting down: GRACEFUL_DISCONNECT]",
        '[unknown message type AGENT_EVENT_TYPING] {"type": "AGENT_EVENT_TYPING", "who": "agent"}',
        "[done: 1 token used]",
    ]


def test_a_long_result_is_cut_saying_how_much_is_left() -> None:
    text = shown(MsgEventToolResult(tool_name="t", result="x" * (MAX_RESULT_CHARS + 10)))
    assert text.endswith("x… (10 more characters)\n")


def test_colour_marks_the_kinds() -> None:
    text = shown(
        MsgEventToolResult(tool_name="t", result=1), MsgError(code="E", details="d"), color=True
    )
    assert text == "\x1b[36m[result t]\x1b[0m 1\n\x1b[31m[error E]\x1b[0m d\n"


def test_json_view_prints_messages_as_sent() -> None:
    out = io.StringIO()
    view = JsonView(out)
    view.message(MsgEventTextChunk(text="é"))
    view.message(UnknownMessage("X", {"type": "X", "n": 1}))
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "é", "source": "main"},
        {"type": "X", "n": 1},
    ]
