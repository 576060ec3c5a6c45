"""Read back a capture in the tests: its frames, its verdict, the events it replays."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from lambda_agent_api.capture import Frame, read_capture
from lambda_agent_api.check import ValidationResult, validate
from lambda_agent_api.protocol.messages import parse_server_message


def _stream(capture: Path | str) -> io.BytesIO:
    data = capture.read_bytes() if isinstance(capture, Path) else capture.encode("utf-8")
    return io.BytesIO(data)


def frames(capture: Path | str) -> list[Frame]:
    """Every frame of a capture (a file, or the text of one), in order."""
    return [i for i in read_capture(_stream(capture), "capture") if isinstance(i, Frame)]


def verdict(capture: Path | str) -> ValidationResult:
    """What the checker says about a capture."""
    return validate(read_capture(_stream(capture), "capture"))


def findings(capture: Path | str) -> list[str]:
    """The rule ids and messages of every finding, for an assert that shows them."""
    return [f"{d.rule.id}: {d.message}" for d in verdict(capture).diagnostics]


def received(capture: Path | str, conn: str | None = None) -> list[Any]:
    """The server messages a connection's client received, parsed: what the capture replays."""
    return [
        parse_server_message(f.data)
        for f in frames(capture)
        if f.direction == "recv" and (conn is None or f.connection.id == conn)
    ]


def records(capture: Path | str) -> list[dict[str, Any]]:
    """The raw JSON records, one per line."""
    text = capture.read_text("utf-8") if isinstance(capture, Path) else capture
    return [json.loads(line) for line in text.splitlines() if line.strip()]
