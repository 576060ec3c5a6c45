"""Write the sample captures in examples/: a recorded session (JSON Lines and HAR) and a broken one.

    python examples/make_examples.py          # rewrite the files
    python examples/make_examples.py --check  # exit 1 if a file differs from what it writes

``session.jsonl`` is a real capture: the package's client (``AgentApi`` with its
``capture`` option) talks over a loopback socket to the package's test server
(``MockServer``) playing a realistic script: text chunks, tool calls whose JSON
arguments stream in chunks, their results, progress updates, a sub-agent, a
file sent, the tokens used, and an error. The only thing that differs from one
recording to the next is the time, so each frame is given a fixed timestamp
(a plausible pace, from the script) after it is recorded; the script checks
that the recording holds exactly the frames it expected. ``session.har`` is the
same frames as Chrome's devtools export them; ``broken.jsonl`` is written by
hand to break many rules.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from lambda_agent_api.capture import RECV, SEND, Direction, capture_record
from lambda_agent_api.protocol.messages import (
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgStatus,
    MsgUserMessage,
)
from lambda_agent_api.testing import Action, MockServer
from lambda_agent_api.transport.agent_api import AgentApi, AgentException

HERE = Path(__file__).resolve().parent
START = 1_760_000_000.0  # 2025-10-09T08:53:20Z
URL = "ws://localhost:8000/v1/agent_ws/0/"
STATUS_AFTER = 0.012  # seconds from the connection to STATUS

Frame = tuple[float, Direction, str]
Timed = tuple[float, BaseModel]  # a server message, and the seconds before it


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def tick(self, seconds: float) -> float:
        self.now = round(self.now + seconds, 3)
        return self.now


def _text(answer: str, source: str = "main", size: int = 3, after: float = 0.04) -> list[Timed]:
    words = answer.split(" ")
    chunks = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    chunks = [c if i == 0 else " " + c for i, c in enumerate(chunks)]
    return [(after, MsgEventTextChunk(text=c, source=source)) for c in chunks]


def _tool_call(name: str, arguments: dict[str, Any], pieces: int = 3) -> list[Timed]:
    text = json.dumps(arguments)
    step = -(-len(text) // pieces)
    parts = [text[i : i + step] for i in range(0, len(text), step)]
    return [
        (0.04, MsgEventToolCallChunk(tool_name=name if i == 0 else None, args_chunk=part))
        for i, part in enumerate(parts)
    ]


@dataclass(frozen=True)
class Turn:
    """One message of the user, the seconds it took to write, and the agent's timed answer."""

    message: MsgUserMessage
    think: float
    reply: Sequence[Timed]


def turns() -> list[Turn]:
    """Return the session's script: three requests, tool calls, a sub-agent, an error."""
    answer = "It is 18 °C in Berlin with light rain and a gentle wind. The report is attached."
    return [
        Turn(
            MsgUserMessage(text="What's the weather in Berlin? Save a short report."),
            1.8,
            [
                *_text("Let me look that up for you.", size=2, after=0.35),
                *_tool_call("web_search", {"query": "weather Berlin today"}),
                (0.6, MsgEventCustomUpdate(payload={"status": "searching", "progress": 0.5})),
                (
                    0.9,
                    MsgEventToolResult(
                        tool_name="web_search",
                        result={"hits": 3, "top": "Berlin: 18 °C, light rain, wind 12 km/h"},
                    ),
                ),
                *_tool_call("write_file", {"path": "reports/berlin.md", "text": "# Berlin"}, 2),
                (0.2, MsgEventToolResult(tool_name="write_file", result="ok")),
                *_text(answer),
                (0.04, MsgEventSendFile(path="reports/berlin.md")),
                (0.04, MsgEventEnd(tokens_used=1184)),
            ],
        ),
        Turn(
            MsgUserMessage(text="Summarise this report", attachments=["reports/q3.pdf"]),
            12.5,
            [
                (0.4, MsgEventCustomUpdate(payload={"status": "reading", "pages": 14})),
                *_text("Revenue grew 12 % while costs stayed flat.", "tools:summarise"),
                *_text("In short: Q3 revenue grew 12 % and costs stayed flat.", size=4),
                (0.04, MsgEventEnd(tokens_used=2310)),
            ],
        ),
        Turn(
            MsgUserMessage(text="Now translate the whole report into German."),
            20.1,
            [
                (0.5, MsgEventTextChunk(text="Translating")),
                (0.3, MsgError(code="RATE_LIMITED", details="Too many requests; retry in 30 s")),
            ],
        ),
    ]


async def record_session(script: Sequence[Turn]) -> str:
    """Run the client against the test server playing ``script``; return the client's capture."""
    replies = {turn.message.text: [message for _, message in turn.reply] for turn in script}

    def answer(message: MsgUserMessage) -> list[Action]:
        return replies[message.text]  # type: ignore[return-value]

    capture = io.StringIO()
    async with (
        MockServer(answer) as server,
        AgentApi("example", server.base_url, chat_id=0, capture=capture) as api,
    ):
        for turn in script:
            try:
                await api.ask(turn.message.text, turn.message.attachments)
            except AgentException as error:
                if error.server_error is None:  # the script's own ERROR is expected
                    raise
    return capture.getvalue()


def timed(captured: str, script: Sequence[Turn]) -> list[tuple[Frame, Any]]:
    """Give the recorded frames the script's pace; return each frame and its ``conn``.

    Raises:
        AssertionError: the recording is not, frame for frame, what the script says.
    """
    expected: list[tuple[float, Direction, BaseModel]] = [(STATUS_AFTER, RECV, MsgStatus())]
    for turn in script:
        expected.append((turn.think, SEND, turn.message))
        expected += [(after, RECV, message) for after, message in turn.reply]
    records = [json.loads(line) for line in captured.splitlines()]
    records = [r for r in records if "dir" in r]  # frames; not the close record
    got = [(r["dir"], r["data"]) for r in records]
    want = [(direction, message.model_dump_json()) for _, direction, message in expected]
    assert got == want, f"the recording differs from the script: {got} != {want}"
    clock = _Clock()
    return [
        ((clock.tick(after), direction, record["data"]), record.get("conn"))
        for (after, direction, _), record in zip(expected, records, strict=True)
    ]


def session() -> list[tuple[Frame, Any]]:
    """Record the session and return its frames, timed, each with its ``conn``."""
    script = turns()
    return timed(asyncio.run(record_session(script)), script)


def broken() -> list[str]:
    """Return the lines of a capture that breaks many rules (see the comments)."""
    lines = []
    clock = _Clock()

    def add(direction: str, data: str, after: float = 0.05) -> None:
        lines.append(json.dumps({"ts": clock.tick(after), "dir": direction, "data": data}))

    def message(direction: str, value: dict[str, Any]) -> None:
        add(direction, json.dumps(value, ensure_ascii=False))

    message(RECV, {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "too early"})  # P001: no STATUS
    message(SEND, {"type": "USER_MESSAGE", "text": "Hi", "attachments": ["/etc/passwd"]})  # W003
    message(RECV, {"type": "AGENT_EVENT_TEXT_CHUNK", "source": "main"})  # S001: no text
    message(SEND, {"type": "USER_MESSAGE", "text": "Hello?"})  # P004
    message(RECV, {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": '{"q": '})  # T001
    message(RECV, {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": "oops"})  # T002
    message(RECV, {"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "search", "result": 1})  # T003
    message(RECV, {"type": "AGENT_EVENT_END", "tokens_used": "12"})  # S001: a string
    message(RECV, {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "late", "colour": "red"})  # P003 W002
    lines.append("this line is not a capture record")  # C001
    add(RECV, '{"type": "STATUS"')  # F002
    message(RECV, {"type": "AGENT_EVENT_TYPING"})  # W001
    message(SEND, {"type": "USER_MESSAGE", "text": "Are you there?"})  # P007 at the end
    return lines


def har(frames: list[Frame]) -> dict[str, Any]:
    """Return the session as Chrome's devtools export it: a page load, then the WebSocket entry."""
    started = "2025-10-09T08:53:19.950Z"
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [],
            "entries": [
                {
                    "_resourceType": "document",
                    "request": {"method": "GET", "url": "http://localhost:8000/", "headers": []},
                    "response": {
                        "status": 200,
                        "content": {
                            "size": 27,
                            "mimeType": "text/html",
                            "text": "<!doctype html><p>chat</p>",
                        },
                    },
                    "startedDateTime": started,
                    "time": 3.2,
                },
                {
                    "_resourceType": "websocket",
                    "request": {
                        "method": "GET",
                        "url": URL,
                        "httpVersion": "HTTP/1.1",
                        "headers": [{"name": "Upgrade", "value": "websocket"}],
                    },
                    "response": {"status": 101, "statusText": "Switching Protocols"},
                    "startedDateTime": started,
                    "time": 0.8,
                    "_webSocketMessages": [
                        {
                            "type": "send" if direction == SEND else "receive",
                            "time": ts,
                            "opcode": 1,
                            "data": data,
                        }
                        for ts, direction, data in frames
                    ],
                },
            ],
        }
    }


def outputs() -> dict[Path, str]:
    """Every file this script writes, and its content."""
    recorded = session()
    jsonl = "".join(
        capture_record(direction, data, ts=ts, conn=conn) + "\n"
        for (ts, direction, data), conn in recorded
    )
    frames = [frame for frame, _ in recorded]
    return {
        HERE / "session.jsonl": jsonl,
        HERE / "session.har": json.dumps(har(frames), indent=2, ensure_ascii=False) + "\n",
        HERE / "broken.jsonl": "\n".join(broken()) + "\n",
    }


def main() -> int:
    """Write the files, or with --check compare them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args()
    stale = []
    for path, content in outputs().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(path.name)
        else:
            path.write_text(content, encoding="utf-8")
    if stale:
        print(
            f"out of date: {', '.join(stale)}; run python examples/make_examples.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
