"""Write the sample captures in examples/: a clean session (JSON Lines and HAR) and a broken one.

    python examples/make_examples.py          # rewrite the files
    python examples/make_examples.py --check  # exit 1 if a file differs from what it writes

The frames are built with the package's models and recorded with its
``CaptureWriter``, so they are what a client would capture; the timestamps
are fixed so that the files do not change from run to run. (Until the
client can record itself, this script stands in for a real session.)
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from lambda_agent_api.capture import RECV, SEND, CaptureWriter, Direction
from lambda_agent_api.messages import (
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

HERE = Path(__file__).resolve().parent
START = 1_760_000_000.0  # 2025-10-09T08:53:20Z
URL = "ws://localhost:8000/v1/agent_ws/0/"

Frame = tuple[float, Direction, str]


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def tick(self, seconds: float) -> float:
        self.now = round(self.now + seconds, 3)
        return self.now


def _text(answer: str, source: str = "main", size: int = 3) -> list[BaseModel]:
    words = answer.split(" ")
    chunks = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    chunks = [c if i == 0 else " " + c for i, c in enumerate(chunks)]
    return [MsgEventTextChunk(text=c, source=source) for c in chunks]


def _tool_call(name: str, arguments: dict[str, Any], pieces: int = 3) -> list[BaseModel]:
    text = json.dumps(arguments)
    step = -(-len(text) // pieces)
    parts = [text[i : i + step] for i in range(0, len(text), step)]
    return [
        MsgEventToolCallChunk(tool_name=name if i == 0 else None, args_chunk=part)
        for i, part in enumerate(parts)
    ]


def session() -> list[Frame]:
    """Return a realistic clean session: three requests, tool calls, a sub-agent, an error."""
    clock = _Clock()
    frames: list[Frame] = []

    def add(direction: Direction, message: BaseModel, after: float = 0.04) -> None:
        frames.append((clock.tick(after), direction, message.model_dump_json()))

    add(RECV, MsgStatus(), 0.012)
    add(SEND, MsgUserMessage(text="What's the weather in Berlin? Save a short report."), 1.8)
    for message in _text("Let me look that up for you.", size=2):
        add(RECV, message, 0.35)
    for message in _tool_call("web_search", {"query": "weather Berlin today"}):
        add(RECV, message)
    add(RECV, MsgEventCustomUpdate(payload={"status": "searching", "progress": 0.5}), 0.6)
    add(
        RECV,
        MsgEventToolResult(
            tool_name="web_search",
            result={"hits": 3, "top": "Berlin: 18 °C, light rain, wind 12 km/h"},
        ),
        0.9,
    )
    for message in _tool_call("write_file", {"path": "reports/berlin.md", "text": "# Berlin"}, 2):
        add(RECV, message)
    add(RECV, MsgEventToolResult(tool_name="write_file", result="ok"), 0.2)
    answer = "It is 18 °C in Berlin with light rain and a gentle wind. The report is attached."
    for message in _text(answer):
        add(RECV, message)
    add(RECV, MsgEventSendFile(path="reports/berlin.md"))
    add(RECV, MsgEventEnd(tokens_used=1184))

    add(SEND, MsgUserMessage(text="Summarise this report", attachments=["reports/q3.pdf"]), 12.5)
    add(RECV, MsgEventCustomUpdate(payload={"status": "reading", "pages": 14}), 0.4)
    for message in _text("Revenue grew 12 % while costs stayed flat.", "tools:summarise"):
        add(RECV, message)
    for message in _text("In short: Q3 revenue grew 12 % and costs stayed flat.", size=4):
        add(RECV, message)
    add(RECV, MsgEventEnd(tokens_used=2310))

    add(SEND, MsgUserMessage(text="Now translate the whole report into German."), 20.1)
    add(RECV, MsgEventTextChunk(text="Translating"), 0.5)
    add(RECV, MsgError(code="RATE_LIMITED", details="Too many requests; retry in 30 s"), 0.3)
    return frames


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
    frames = session()
    jsonl = io.StringIO()
    writer = CaptureWriter(jsonl)
    for ts, direction, data in frames:
        writer.write(direction, data, ts=ts)
    return {
        HERE / "session.jsonl": jsonl.getvalue(),
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
