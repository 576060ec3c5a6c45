"""Fuzzing: the readers and the checker take any input without crashing or hanging.

Whatever the bytes, reading gives frames, bad records and connection ends, or
one CaptureError; checking what was read gives diagnostics of known rules.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.examples import TIMEOUT, examples
from support.strategies import json_values

from lambda_agent_api.capture import (
    BadRecord,
    CaptureFormat,
    CaptureItem,
    Connection,
    ConnectionEnd,
    Frame,
    read_capture,
)
from lambda_agent_api.check import Checker
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.protocol.messages import CLIENT_MESSAGE_CLASSES, SERVER_MESSAGE_CLASSES
from lambda_agent_api.protocol.rules import RULES

pytestmark = pytest.mark.timeout(TIMEOUT)  # many examples: see support.examples

SETTINGS = settings(max_examples=examples(300))
FORMATS = [None, *CaptureFormat]
TYPES = [*sorted({**SERVER_MESSAGE_CLASSES, **CLIENT_MESSAGE_CLASSES}), "UNKNOWN", ""]


def read_and_check(data: bytes, format: CaptureFormat | None, name: str = "fuzz") -> list[Any]:
    items: list[CaptureItem] = []
    problem = ""
    try:
        for item in read_capture(io.BytesIO(data), name, format, max_record_bytes=4096):
            assert isinstance(item, (Frame, BadRecord, ConnectionEnd))
            items.append(item)
    except CaptureError as error:
        problem = str(error)
    assert problem == "" or problem.startswith(f"{name}: ")
    checker = Checker()
    found = [d for item in items for d in checker.check(item)] + list(checker.finish())
    assert all(d.rule.id in RULES for d in found)
    assert checker.summary.frames == sum(isinstance(i, Frame) for i in items)
    return items


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(FORMATS))
def test_any_bytes(data: bytes, format: CaptureFormat | None) -> None:
    read_and_check(data, format)


message_like = st.builds(
    lambda type_, fields: {"type": type_, **fields},
    st.sampled_from(TYPES),
    st.dictionaries(
        st.sampled_from(
            [
                "text",
                "source",
                "tool_name",
                "args_chunk",
                "result",
                "payload",
                "path",
                "attachments",
                "tokens_used",
                "code",
                "details",
                "x",
            ]
        ),
        json_values,
        max_size=4,
    ),
)
frame_text = st.one_of(
    message_like.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=50),
    message_like.map(lambda m: json.dumps(m)[: len(json.dumps(m)) // 2]),
)
record_values = st.fixed_dictionaries(
    {
        "ts": st.one_of(st.floats(), st.integers(), json_values),
        "dir": st.sampled_from(["send", "recv", "x", None]),
        "data": frame_text,
    },
    optional={
        "conn": st.one_of(st.sampled_from(["a", "b", 1]), json_values),
        "binary": st.one_of(st.booleans(), json_values),
    },
)
lines = st.one_of(
    record_values.map(lambda r: json.dumps(r, allow_nan=True)),
    frame_text,
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.just(""),
)


@SETTINGS
@given(st.lists(lines, max_size=30), st.sampled_from(FORMATS), st.sampled_from(["\n", "\r\n"]))
def test_captures_of_half_valid_lines(
    body: list[str], format: CaptureFormat | None, end: str
) -> None:
    data = end.join(body).encode("utf-8", "surrogateescape")
    items = read_and_check(data, format, "fuzz.jsonl")
    if format in (None, CaptureFormat.JSONL, CaptureFormat.MESSAGES):
        positions = [i.position for i in items if isinstance(i, (Frame, BadRecord))]
        assert positions == sorted(positions)
        assert len(positions) <= data.count(b"\n") + 1


har_message = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["send", "receive", "error", "x"]), "data": frame_text},
        optional={"time": json_values, "opcode": st.sampled_from([1, 2, 8, 9, 3, True, "1"])},
    ),
    json_values,
)
har_entry = st.one_of(
    st.fixed_dictionaries(
        {"_webSocketMessages": st.lists(har_message, max_size=8)}, optional={"request": json_values}
    ),
    json_values,
)
har_document = st.one_of(
    st.builds(lambda entries: {"log": {"entries": entries}}, st.lists(har_entry, max_size=4)),
    st.builds(lambda log: {"log": log}, json_values),
    json_values,
)


@SETTINGS
@given(har_document, st.integers(min_value=0, max_value=10_000), st.booleans())
def test_har_documents(document: Any, cut: int, pretty: bool) -> None:
    text = json.dumps(document, indent=1 if pretty else None).encode()
    read_and_check(text, CaptureFormat.HAR, "fuzz.har")
    read_and_check(text[:cut], None, "fuzz.har")


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["send", "recv", None]),
            st.one_of(frame_text, frame_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_the_checker_takes_any_frames(frames: list[tuple[str, Any, Any, bool]]) -> None:
    connections = {name: Connection("fuzz", CaptureFormat.JSONL, name) for name in ("a", "b")}
    counts = dict.fromkeys(connections, 0)
    checker = Checker()
    found = []
    for name, direction, data, binary in frames:
        frame = Frame(connections[name], counts[name], direction, data, binary, None, 1)
        counts[name] += 1
        found += checker.check(frame)
    found += checker.finish()
    assert all(d.rule.id in RULES for d in found)
    assert checker.summary.frames == len(frames)
    assert sum(checker.summary.counts.values()) == len(found)
