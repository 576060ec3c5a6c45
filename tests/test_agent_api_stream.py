"""AgentApi.send_message() over real loopback sockets: responses and every way they go wrong."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from support.inbox import WAIT, Inbox

from lambda_agent_api.protocol.client_protocol import UnknownMessage
from lambda_agent_api.protocol.messages import (
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgGracefulDisconnect,
    MsgUserMessage,
)
from lambda_agent_api.server import AgentEventUnion
from lambda_agent_api.testing import (
    Action,
    Binary,
    Close,
    Drop,
    Freeze,
    MockServer,
    Raw,
    text_reply,
    tool_call,
)
from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException, AgentException

END = MsgEventEnd(tokens_used=7)


def chunks(*texts: str) -> list[Action]:
    return [MsgEventTextChunk(text=t) for t in texts]


async def consume(stream: AsyncIterator[AgentEventUnion], seen: list[str]) -> None:
    """Iterate to the end, noting each event's type (so that a raise shows what came first)."""
    async for event in stream:
        seen.append(event.type.value)


async def texts_of(stream: AsyncIterator[AgentEventUnion]) -> list[str]:
    return [e.text if isinstance(e, MsgEventTextChunk) else e.type.value async for e in stream]


async def test_the_seed_repl_runs_unchanged() -> None:
    # tests/manual.py of the v1.1 SDK, with input() replaced by canned answers.
    from lambda_agent_api.server import (
        MsgEventSendFile,
        MsgEventTextChunk,
        MsgEventToolCallChunk,
        MsgEventToolResult,
    )
    from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException

    script = [
        *chunks("Hel", "lo"),
        *tool_call("search", {"q": "x"}, ["result"], chunk_size=4),
        MsgEventSendFile(path="out/report.pdf"),
        END,
    ]
    answers = iter(["5", "hi", "a.txt, b.txt"])
    printed: list[str] = []

    def input_(prompt: str = "") -> str:
        return next(answers)

    def print_(*args: object, end: str = "\n", flush: bool = False) -> None:
        printed.append(" ".join(map(str, args)) + end)

    async with MockServer(script) as server:
        chat_id = input_("Chat id: ") or 0
        api = AgentApi("agent-1", server.base_url, chat_id=chat_id)
        try:
            await api.connect()
        except AgentBusyException:
            print_(f"Чат {chat_id} занят другим клиентом")
            return
        prompt = await asyncio.get_event_loop().run_in_executor(None, input_, ">>> ")
        attachments_input = await asyncio.get_event_loop().run_in_executor(
            None, input_, "Attachments (comma-separated, empty for none): "
        )
        attachments = (
            [a.strip() for a in attachments_input.split(",") if a.strip()]
            if attachments_input.strip()
            else None
        )
        print_("Agent: ", end="")
        is_tool = False
        async for chunk in api.send_message(prompt, attachments):
            match chunk:
                case MsgEventTextChunk():
                    is_tool = False
                    print_(chunk.text, end="", flush=True)
                case MsgEventToolCallChunk():
                    if not is_tool:
                        print_(f"\n\n### TOOL CALL: ({chunk.tool_name}) ", end="", flush=True)
                    is_tool = True
                    print_(chunk.args_chunk, end="", flush=True)
                case MsgEventToolResult():
                    is_tool = False
                    print_(f"\nResult: {chunk.result}\n\n", end="", flush=True)
                case MsgEventSendFile():
                    print_(f"\n[SEND FILE] {chunk.path}\n", end="", flush=True)
        await api.close()
    assert "".join(printed) == (
        'Agent: Hello\n\n### TOOL CALL: (search) {"q": "x"}\nResult: [\'result\']\n\n'
        "\n[SEND FILE] out/report.pdf\n"
    )
    assert server.received == [("5", MsgUserMessage(text="hi", attachments=["a.txt", "b.txt"]))]


async def test_a_response_streams_every_event_and_stops_after_end() -> None:
    async with (
        MockServer([*chunks("a", "b"), MsgEventCustomUpdate(payload={"p": 1}), END]) as s,
        AgentApi("a", s.base_url) as api,
    ):
        events = [event async for event in api.send_message("hi")]
        assert [e.type.value for e in events] == [
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_TEXT_CHUNK",
            "AGENT_EVENT_CUSTOM_UPDATE",
            "AGENT_EVENT_END",
        ]
        assert events[-1] == END
        # The connection serves the next message, too.
        again = await texts_of(api.send_message("again"))
        assert again == ["a", "b", "AGENT_EVENT_CUSTOM_UPDATE", "AGENT_EVENT_END"]


async def test_awaiting_send_message_sends_at_once() -> None:
    async with MockServer(text_reply("ok")) as server, AgentApi("a", server.base_url) as api:
        stream = await api.send_message("hi")
        assert await texts_of(stream) == ["ok", "AGENT_EVENT_END"]


async def test_not_connected() -> None:
    api = AgentApi("a", "ws://127.0.0.1:9/")
    with pytest.raises(AgentException) as caught:
        async for _ in api.send_message("hi"):
            pass
    assert caught.value.code == "NOT_CONNECTED"
    async with MockServer() as server:
        api = AgentApi("a", server.base_url)
        await api.connect()
        await api.close()
        with pytest.raises(AgentException) as caught:
            await api.ask("hi")
        assert caught.value.code == "NOT_CONNECTED"


async def test_error_raises_with_code_and_details_and_reaches_the_callback() -> None:
    inbox = Inbox()
    script = [*chunks("partial"), MsgError(code="RATE_LIMIT", details="slow down")]
    async with MockServer(script) as server, AgentApi("a", server.base_url, inbox) as api:
        seen: list[str] = []
        with pytest.raises(AgentException) as caught:
            await consume(api.send_message("hi"), seen)
        assert (caught.value.code, caught.value.details) == ("RATE_LIMIT", "slow down")
        assert seen == ["AGENT_EVENT_TEXT_CHUNK"]
        await inbox.wait_for_type("ERROR")
        assert inbox.messages == [MsgError(code="RATE_LIMIT", details="slow down")]
        # The very message the callback got: a caller can tell it from the client's own codes.
        assert caught.value.server_error is inbox.messages[0]
        assert api.connected  # an ERROR ends the response, not the connection


async def test_an_error_can_go_to_the_caller_alone() -> None:
    inbox = Inbox()
    script = [*chunks("partial"), MsgError(code="RATE_LIMIT", details="slow down")]
    async with (
        MockServer(script) as server,
        AgentApi("a", server.base_url, inbox, response_errors_to_callback=False) as api,
    ):
        with pytest.raises(AgentException) as caught:
            await consume(api.send_message("hi"), [])
        assert caught.value.server_error == MsgError(code="RATE_LIMIT", details="slow down")
        # An ERROR outside a response still reaches the callback, and nothing else came.
        await server.send(0, MsgError(code="AGENT_DOWN", details="later"))
        await inbox.wait_for_type("ERROR")
        assert inbox.messages == [MsgError(code="AGENT_DOWN", details="later")]


async def test_an_error_of_a_left_response_reaches_the_callback_once() -> None:
    inbox = Inbox()
    script = [*chunks("1", "2"), MsgError(code="RATE_LIMIT", details="slow down")]
    async with (
        MockServer(script) as server,
        AgentApi("a", server.base_url, inbox, response_errors_to_callback=False) as api,
    ):
        stream = api.send_message("hi")
        assert await stream.__anext__() == MsgEventTextChunk(text="1")
        await asyncio.sleep(0.05)  # the rest, ERROR included, may or may not have come yet
        await stream.aclose()  # no caller takes the ERROR now: the callback does, once
        await inbox.wait_for_type("ERROR")
    assert inbox.messages == [*chunks("2"), MsgError(code="RATE_LIMIT", details="slow down")]


async def test_a_step_cancelled_by_wait_for_releases_the_request_at_once() -> None:
    # issue 12: the TimeoutError's traceback kept the stream alive, and with it the
    # request, so a retry in the except block got AgentBusyException.
    gate = asyncio.Event()

    async def script(message: MsgUserMessage) -> AsyncIterator[Action]:
        if message.text == "slow":
            await gate.wait()
            yield MsgEventTextChunk(text="late")
        yield END

    inbox = Inbox()
    async with MockServer(script) as server, AgentApi("a", server.base_url, inbox) as api:
        try:
            await asyncio.wait_for(consume(api.send_message("slow"), []), 0.05)
        except (TimeoutError, asyncio.TimeoutError):
            retry = api.send_message("fast")  # the traceback is alive here
            gate.set()
            assert await texts_of(retry) == ["AGENT_EVENT_END"]
        else:
            pytest.fail("the slow response came in time")
        # The rest of the response left went to the callback; nothing overlapped.
        assert inbox.messages == [*chunks("late"), END]
        assert server.findings == []


async def test_a_second_concurrent_request_is_busy() -> None:
    gate = asyncio.Event()

    async def script(message: MsgUserMessage) -> AsyncIterator[Action]:
        yield MsgEventTextChunk(text=message.text)
        await gate.wait()
        yield END

    async with MockServer(script) as server, AgentApi("a", server.base_url) as api:
        first = api.send_message("first")
        assert (await first.__anext__()) == MsgEventTextChunk(text="first")
        with pytest.raises(AgentBusyException) as caught:
            async for _ in api.send_message("second"):
                pass
        assert caught.value.code == "AGENT_BUSY"
        gate.set()
        assert [e async for e in first] == [END]
        # Released: the next request runs.
        assert await texts_of(api.send_message("third")) == ["third", "AGENT_EVENT_END"]
        assert [m.text for _, m in server.received] == ["first", "third"]


async def test_early_break_releases_the_request_and_the_rest_goes_to_the_callback() -> None:
    inbox = Inbox()
    script = [*chunks("1", "2", "3", "4", "5"), END]
    async with MockServer(script) as server, AgentApi("a", server.base_url, inbox) as api:
        async for event in api.send_message("hi"):
            assert event == MsgEventTextChunk(text="1")
            break
        # At once, the next request is accepted: it waits for the rest of the first.
        reply = await api.ask("again")
        assert reply.text == "12345"
        assert reply.tokens_used == 7
        # Nothing of the first response was dropped or duplicated.
        assert inbox.messages == [*chunks("2", "3", "4", "5"), END]
        assert server.findings == []  # the second message did not cut into the first response


async def test_aclose_releases_the_request() -> None:
    inbox = Inbox()
    async with (
        MockServer([*chunks("1", "2"), END]) as server,
        AgentApi("a", server.base_url, inbox) as api,
    ):
        stream = api.send_message("hi")
        assert await stream.__anext__() == MsgEventTextChunk(text="1")
        await stream.aclose()
        await inbox.wait_for_type("AGENT_EVENT_END")
        assert inbox.messages == [*chunks("2"), END]
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()


async def test_events_outside_a_response_go_to_the_callback() -> None:
    inbox = Inbox()
    async with MockServer() as server, AgentApi("a", server.base_url, inbox, chat_id=1) as api:
        await server.send(1, *chunks("unasked"), MsgEventSendFile(path="f.txt"))
        await inbox.wait_for(lambda messages: len(messages) == 2)
        assert inbox.messages == [*chunks("unasked"), MsgEventSendFile(path="f.txt")]
        assert (await api.ask("hi")).text == "You said: hi"


async def test_unknown_types_are_logged_handed_to_the_callback_and_the_stream_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox = Inbox()
    thinking = '{"type": "AGENT_EVENT_THINKING", "text": "hmm"}'
    script = [*chunks("a"), Raw(thinking), *chunks("b"), END]
    async with MockServer(script) as server, AgentApi("a", server.base_url, inbox) as api:
        with caplog.at_level(logging.WARNING, logger="lambda_agent_api"):
            assert await texts_of(api.send_message("hi")) == ["a", "b", "AGENT_EVENT_END"]
        await inbox.wait_for(bool)
    assert inbox.messages == [
        UnknownMessage("AGENT_EVENT_THINKING", {"type": "AGENT_EVENT_THINKING", "text": "hmm"})
    ]
    assert "unknown message type 'AGENT_EVENT_THINKING'" in caplog.text


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (Raw("<html>502 Bad Gateway</html>"), "not JSON"),
        (Raw('["a", "list"]'), "not an object"),
        (Raw('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": 5}'), "AGENT_EVENT_TEXT_CHUNK: text"),
        (Binary(b"\x00\xff"), "binary frame"),
    ],
)
async def test_a_malformed_frame_is_a_parse_error_and_the_connection_goes_on(
    bad: Action, said: str
) -> None:
    def script(message: MsgUserMessage) -> list[Action]:
        if message.text == "hi":
            return [*chunks("a"), bad, *chunks("b"), END]
        return text_reply("fine")

    inbox = Inbox()
    async with MockServer(script) as server, AgentApi("a", server.base_url, inbox) as api:
        seen: list[str] = []
        with pytest.raises(AgentException) as caught:
            await consume(api.send_message("hi"), seen)
        assert caught.value.code == "PARSE_ERROR"
        assert said in caught.value.details
        assert seen == ["AGENT_EVENT_TEXT_CHUNK"]
        # The rest of that response goes to the callback; the next one works.
        assert (await api.ask("again")).text == "fine"
        assert inbox.messages == [*chunks("b"), END]


async def test_server_crash_mid_stream_raises_connection_closed_1006() -> None:
    disconnects: list[AgentApi] = []
    async with MockServer([*chunks("a"), Drop()]) as server:
        api = AgentApi("a", server.base_url, on_disconnect=disconnects.append)
        await api.connect()
        seen: list[str] = []
        with pytest.raises(AgentException) as caught:
            await consume(api.send_message("hi"), seen)
        assert seen == ["AGENT_EVENT_TEXT_CHUNK"]
        error = caught.value
        assert (error.code, error.close_code) == ("CONNECTION_CLOSED", 1006)
        assert not api.connected
        await api.close()
        assert disconnects == [api]
        with pytest.raises(AgentException) as after:
            await api.ask("hi")
        assert after.value.code == "NOT_CONNECTED"


async def test_server_close_mid_stream_carries_code_and_reason() -> None:
    async with (
        MockServer([*chunks("a"), Close(1011, "agent crashed")]) as server,
        AgentApi("a", server.base_url) as api,
    ):
        with pytest.raises(AgentException) as caught:
            await api.ask("hi")
    error = caught.value
    assert (error.code, error.close_code, error.close_reason) == (
        "CONNECTION_CLOSED",
        1011,
        "agent crashed",
    )
    assert "agent crashed" in str(error)


async def test_a_close_between_responses_makes_the_next_request_fail_with_the_code() -> None:
    disconnected = asyncio.Event()
    async with MockServer() as server:
        api = AgentApi("a", server.base_url, on_disconnect=lambda _: disconnected.set(), chat_id=1)
        await api.connect()
        await server.send(1, Close(4000, "maintenance"))
        await asyncio.wait_for(disconnected.wait(), WAIT)
        with pytest.raises(AgentException) as caught:
            await api.ask("hi")
        assert (caught.value.code, caught.value.close_code) == ("NOT_CONNECTED", 4000)
        assert "maintenance" in caught.value.details
        await api.close()


async def test_graceful_disconnect_goes_to_the_callback_and_the_client_closes_cleanly() -> None:
    inbox = Inbox()
    disconnects: list[AgentApi] = []
    async with MockServer() as server:
        api = AgentApi("a", server.base_url, inbox, disconnects.append, chat_id=1)
        await api.connect()
        await server.graceful_disconnect(1)  # returns once the client has closed
        await inbox.wait_for(bool)
        assert inbox.messages == [MsgGracefulDisconnect()]
        assert not api.connected
        closes = await server.connections_ended(1)
        assert closes == [("1", 1000, "")]  # closed by the client: the server waits for it
        await api.close()
        assert disconnects == [api]


async def test_graceful_disconnect_mid_response_ends_the_request() -> None:
    async with (
        MockServer([*chunks("a"), MsgGracefulDisconnect()]) as server,
        AgentApi("a", server.base_url) as api,
    ):
        with pytest.raises(AgentException) as caught:
            await api.ask("hi")
    assert caught.value.code == "CONNECTION_CLOSED"
    assert "GRACEFUL_DISCONNECT" in caught.value.details


async def test_response_timeout_raises_and_the_late_response_goes_to_the_callback() -> None:
    gate = asyncio.Event()

    async def script(message: MsgUserMessage) -> AsyncIterator[Action]:
        await gate.wait()  # nothing comes until the client has given up
        yield MsgEventTextChunk(text="late")
        yield END

    inbox = Inbox()
    async with (
        MockServer(script) as server,
        AgentApi("a", server.base_url, inbox, response_timeout=0.05) as api,
    ):
        seen: list[str] = []
        with pytest.raises(AgentException) as caught:
            await consume(api.send_message("hi"), seen)
        assert caught.value.code == "TIMEOUT"
        assert caught.value.server_error is None  # the client's own, not the server's
        assert seen == []
        gate.set()
        await inbox.wait_for_type("AGENT_EVENT_END")
        assert inbox.messages == [*chunks("late"), END]
        # The connection is still good.
        server.script = text_reply("on time")
        api.response_timeout = None
        assert (await api.ask("again")).text == "on time"


async def test_a_frame_over_max_size_closes_with_1009() -> None:
    big = MsgEventTextChunk(text="x" * (2 * 2**20))
    async with MockServer([big, END]) as server:
        async with AgentApi("a", server.base_url) as api:
            with pytest.raises(AgentException) as caught:
                await api.ask("hi")
        assert (caught.value.code, caught.value.close_code) == ("CONNECTION_CLOSED", 1009)
        async with AgentApi("a", server.base_url, max_size=None) as unlimited:
            assert len((await unlimited.ask("hi")).text) == 2 * 2**20


async def test_keepalive_notices_a_hung_server() -> None:
    async with MockServer([*chunks("a"), Freeze()]) as server:
        api = AgentApi(
            "a", server.base_url, ping_interval=0.05, ping_timeout=0.05, close_timeout=0.05
        )
        await api.connect()
        with pytest.raises(AgentException) as caught:
            await api.ask("hi")
        # NOT_CONNECTED only if a loaded machine let a ping time out before the request.
        assert caught.value.code in ("CONNECTION_CLOSED", "NOT_CONNECTED")
        assert caught.value.close_code == 1011  # websockets: keepalive ping timeout
        await api.close()


async def test_without_a_callback_unasked_events_are_logged_as_dropped() -> None:
    logged = asyncio.Event()
    records: list[logging.LogRecord] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)
            logged.set()

    handler = Handler(logging.WARNING)
    logging.getLogger("lambda_agent_api").addHandler(handler)
    try:
        async with MockServer() as server, AgentApi("a", server.base_url, chat_id=1) as api:
            await server.send(1, *chunks("lost"))
            await asyncio.wait_for(logged.wait(), WAIT)
            assert (await api.ask("hi")).text == "You said: hi"
    finally:
        logging.getLogger("lambda_agent_api").removeHandler(handler)
    assert [r.getMessage() for r in records] == [
        "[a] AGENT_EVENT_TEXT_CHUNK with no callback to take it; dropped"
    ]


async def test_an_integer_of_a_million_digits_is_a_parse_error_at_once() -> None:
    # issue 12: one AGENT_EVENT_END whose tokens_used has ~1 048 000 digits fits the
    # default max_size and blocked the client's event loop for 29 s (int() is quadratic).
    digits = "9" * 1_048_000
    huge = Raw(f'{{"type":"AGENT_EVENT_END","tokens_used":{digits}}}')
    inbox = Inbox()
    async with (
        MockServer([*chunks("a"), huge]) as server,
        AgentApi("a", server.base_url, inbox) as api,
    ):
        seen: list[str] = []
        with pytest.raises(AgentException) as caught:
            # WAIT guards against a hang only; the stall was 29 s.
            await asyncio.wait_for(consume(api.send_message("hi"), seen), WAIT)
        assert caught.value.code == "PARSE_ERROR"
        assert "AGENT_EVENT_END" in caught.value.details  # routed by its type: it ends the response
        assert "an integer of 1048000 digits" in caught.value.details
        assert seen == ["AGENT_EVENT_TEXT_CHUNK"]
        # Outside a response, the same frame is logged, and the connection goes on.
        await server.send(0, huge, MsgEventTextChunk(text="after"))
        await inbox.wait_for_type("AGENT_EVENT_TEXT_CHUNK")
        assert api.connected
