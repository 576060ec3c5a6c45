"""Whole replies: the accumulator on plain event lists, dicts, and a live connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import ValidationError

from lambda_agent_api.protocol.messages import (
    AgentEventUnion,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
)
from lambda_agent_api.protocol.replies import ReplyBuilder, ToolResult, acollect, collect
from lambda_agent_api.protocol.strict_json import LongInteger
from lambda_agent_api.testing import MockServer, text_reply, tool_call
from lambda_agent_api.transport.agent_api import AgentApi


def test_text_joins_per_source_and_main_is_the_answer() -> None:
    reply = collect(
        [
            MsgEventTextChunk(text="Hel"),
            MsgEventTextChunk(text="sub ", source="tools:web"),
            MsgEventTextChunk(text="lo"),
            MsgEventTextChunk(text="agent", source="tools:web"),
            MsgEventEnd(tokens_used=12),
        ]
    )
    assert reply.text == "Hello"
    assert reply.texts == {"main": "Hello", "tools:web": "sub agent"}
    assert reply.tokens_used == 12
    assert reply.complete
    assert len(reply.events) == 5


def test_tool_calls_are_assembled_parsed_and_paired_with_results() -> None:
    reply = collect(
        [
            MsgEventToolCallChunk(tool_name="search", args_chunk='{"q": '),
            MsgEventToolCallChunk(args_chunk='"cats"}'),
            MsgEventToolCallChunk(tool_name="fetch", args_chunk="not json"),
            MsgEventToolResult(tool_name="search", result={"hits": 3}),
            MsgEventToolCallChunk(tool_name="clock"),
            MsgEventToolResult(tool_name="fetch", result="page"),
            MsgEventToolResult(tool_name="unknown", result=None),
            MsgEventEnd(tokens_used=1),
        ]
    )
    search, fetch, clock = reply.tool_calls
    assert (search.tool_name, search.arguments_text, search.arguments) == (
        "search",
        '{"q": "cats"}',
        {"q": "cats"},
    )
    assert search.arguments_parsed
    assert search.result == ToolResult("search", {"hits": 3})
    # Arguments that are not JSON keep their raw text and say why.
    assert (fetch.arguments_text, fetch.arguments, fetch.arguments_parsed) == (
        "not json",
        None,
        False,
    )
    assert fetch.arguments_error is not None
    assert fetch.result == ToolResult("fetch", "page")
    # A call without arguments, and without a result.
    assert (clock.arguments_text, clock.arguments, clock.arguments_parsed) == ("", None, True)
    assert clock.result is None
    # Every result is kept, matched or not.
    assert [r.tool_name for r in reply.tool_results] == ["search", "fetch", "unknown"]


def test_a_result_prefers_the_call_of_its_own_source() -> None:
    reply = collect(
        [
            MsgEventToolCallChunk(tool_name="search", args_chunk="{}"),
            MsgEventToolCallChunk(tool_name="search", args_chunk="[]", source="tools:sub"),
            MsgEventToolResult(tool_name="search", result="sub's", source="tools:sub"),
            MsgEventToolResult(tool_name="search", result="main's"),
        ]
    )
    main_call, sub_call = reply.tool_calls
    assert sub_call.result is not None
    assert sub_call.result.result == "sub's"
    assert main_call.result is not None
    assert main_call.result.result == "main's"


def test_chunks_of_two_sources_interleave_into_two_calls() -> None:
    reply = collect(
        [
            MsgEventToolCallChunk(tool_name="a", args_chunk="[1,"),
            MsgEventToolCallChunk(tool_name="b", args_chunk="[2,", source="tools:x"),
            MsgEventToolCallChunk(args_chunk="1]"),
            MsgEventToolCallChunk(args_chunk="2]", source="tools:x"),
        ]
    )
    assert [(c.tool_name, c.arguments) for c in reply.tool_calls] == [("a", [1, 1]), ("b", [2, 2])]


def test_updates_files_and_an_unfinished_reply() -> None:
    builder = ReplyBuilder()
    builder.add(MsgEventCustomUpdate(payload={"progress": 0.5}))
    builder.add(MsgEventSendFile(path="out/a.pdf"))
    assert not builder.done
    reply = builder.reply()
    assert reply.updates == (MsgEventCustomUpdate(payload={"progress": 0.5}),)
    assert reply.files == ("out/a.pdf",)
    assert (reply.tokens_used, reply.complete, reply.text) == (None, False, "")


def test_dicts_from_a_capture_are_validated() -> None:
    events: list[dict[str, Any]] = [
        {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "hi"},
        {"type": "AGENT_EVENT_END", "tokens_used": 2},
    ]
    assert collect(events).text == "hi"
    with pytest.raises(ValidationError):
        collect([{"type": "AGENT_EVENT_TEXT_CHUNK"}])


async def test_acollect_takes_an_async_stream() -> None:
    async def stream() -> AsyncIterator[AgentEventUnion]:
        yield MsgEventTextChunk(text="a")
        yield MsgEventEnd(tokens_used=0)

    assert (await acollect(stream())).text == "a"


async def test_ask_returns_the_whole_reply_over_a_live_connection() -> None:
    script = [
        *text_reply("Looking it up. ", chunk_size=4)[:-1],
        *tool_call("search", {"query": "weather in Paris"}, {"temp": 21}, chunk_size=5),
        MsgEventCustomUpdate(payload={"status": "done"}),
        MsgEventSendFile(path="report.md"),
        *text_reply("Sunny.", tokens_used=42),
    ]
    async with MockServer(script) as server, AgentApi("a", server.base_url) as api:
        reply = await api.ask("weather?", ["notes.txt"])
    assert reply.text == "Looking it up. Sunny."
    (call,) = reply.tool_calls
    assert call.tool_name == "search"
    assert call.arguments == {"query": "weather in Paris"}
    assert call.result == ToolResult("search", {"temp": 21})
    assert reply.updates == (MsgEventCustomUpdate(payload={"status": "done"}),)
    assert reply.files == ("report.md",)
    assert reply.tokens_used == 42
    assert server.received[0][1].attachments == ["notes.txt"]


def test_nan_in_tool_arguments_is_not_json() -> None:
    # json.loads took NaN, so the reply said arguments_parsed while the validator said T002.
    reply = collect(
        [
            {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "t", "args_chunk": '{"x": NaN}'},
            {"type": "AGENT_EVENT_END", "tokens_used": 1},
        ]
    )
    [call] = reply.tool_calls
    assert (call.arguments, call.arguments_parsed) == (None, False)
    assert call.arguments_error == "NaN is not a JSON value"


def test_arguments_are_read_as_rfc_8259_json() -> None:
    reply = collect(
        [
            {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "t", "args_chunk": '{"n": '},
            {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": "1" + "0" * 4100 + "}"},
            {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "u", "args_chunk": "1" * 9000},
        ]
    )
    first, second = reply.tool_calls
    assert first.arguments == {"n": 10**4100}
    # JSON allows any length (the validator finds no T002); beyond the package's limit the
    # value stands in, never converted.
    assert second.arguments_parsed
    assert isinstance(second.arguments, LongInteger)
    assert second.arguments.digits == 9000
