"""The HAR reader and the streaming JSON reader under it."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from lambda_agent_api.capture import BadRecord, CaptureFormat, ConnectionEnd, Frame, read_capture
from lambda_agent_api.capture import json_stream as _json_stream
from lambda_agent_api.capture.json_stream import TOO_LONG, JsonStream, JsonStreamError
from lambda_agent_api.exceptions import CaptureError


def har(*entries: Any) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}}, indent=1).encode()


def ws(*messages: Any, url: str | None = "wss://agent/v1/agent_ws/0/") -> dict[str, Any]:
    entry: dict[str, Any] = {"_resourceType": "websocket"}
    if url:
        entry["request"] = {"method": "GET", "url": url}
    entry["_webSocketMessages"] = list(messages)
    return entry


def message(kind: str, data: str, opcode: int = 1, time: float = 1.0) -> dict[str, Any]:
    return {"type": kind, "time": time, "opcode": opcode, "data": data}


def read(data: bytes, name: str = "x.har", **kw: Any) -> list[Any]:
    return list(read_capture(io.BytesIO(data), name, **kw))


def test_frames_directions_and_connections() -> None:
    items = read(
        har(
            {"request": {"url": "https://site/"}, "response": {"content": {"text": "x" * 10}}},
            ws(message("receive", '{"type":"STATUS"}', time=5.5), message("send", "{}")),
            ws(message("receive", "{}"), url=None),
        ),
        name="capture",
    )
    got = [
        (type(i).__name__, i.connection.id, getattr(i, "seq", None), getattr(i, "direction", None))
        for i in items
    ]
    assert got == [
        ("Frame", "entries[1]", 0, "recv"),
        ("Frame", "entries[1]", 1, "send"),
        ("ConnectionEnd", "entries[1]", None, None),
        ("Frame", "entries[2]", 0, "recv"),
        ("ConnectionEnd", "entries[2]", None, None),
    ]
    first = items[0]
    assert first.ts == 5.5
    assert first.connection.url == "wss://agent/v1/agent_ws/0/"
    assert first.connection.format is CaptureFormat.HAR
    assert first.where == "entries[1]._webSocketMessages[0]"
    assert first.connection.label == "capture entries[1] wss://agent/v1/agent_ws/0/"


def test_binary_control_and_bad_messages() -> None:
    items = read(
        har(
            ws(
                message("receive", "AAEC", opcode=2),
                message("receive", "", opcode=9),
                message("receive", "!!", opcode=2),
                message("receive", "x", opcode=4),
                {"type": "error", "time": 1, "opcode": 1, "data": "net::ERR_FAILED"},
                {"type": "receive", "time": 1, "opcode": True, "data": "{}"},
                {"type": "receive", "time": 1, "opcode": 1, "data": {"nested": [1]}},
                [1, 2],
                message("receive", "{}"),
            )
        )
    )
    [binary, last] = [i for i in items if isinstance(i, Frame)]
    assert binary.binary
    assert binary.data == b"\x00\x01\x02"
    assert (last.seq, last.position) == (1, 8)
    problems = [(b.position, b.error_event, b.reason) for b in items if isinstance(b, BadRecord)]
    assert [p[:2] for p in problems] == [
        (2, False),
        (3, False),
        (4, True),
        (5, False),
        (6, False),
        (7, False),
    ]
    reasons = " | ".join(p[2] for p in problems)
    for part in [
        "not base64",
        '"opcode" is 4',
        "net::ERR_FAILED",
        '"opcode" is true',
        'no "data"',
        "an array",
    ]:
        assert part in reasons


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"[]", "does not start with a JSON object"),
        (b"", "does not start with a JSON object"),
        (b"\x00\x01binary", "does not start with a JSON object"),
        (b'{"foo": 1}', 'no "log" object'),
        (b'{"log": 3}', '"log" is not an object'),
        (b'{"log": {}}', 'no "entries"'),
        (b'{"log": {"entries": {}}}', '"log.entries" is not an array'),
        (b'{"log": {"entries": []}} {}', "after the end of the document"),
        (b'{"log": {"entries": [', "the end of the document"),
        (b'{"log" {"entries": []}}', "expected ':'"),
        (b'{"log": {"entries": [1 2]}}', "expected ',' or ']'"),
        (b'{"log": {"entries": []}, "x": tru}', "expected a value"),
        (b'{"log": {"entries": [{"_webSocketMessages": [{"data": "\x01"}]}]}}', "invalid string"),
    ],
)
def test_a_har_that_is_not_a_har(document: bytes, reason: str) -> None:
    with pytest.raises(CaptureError, match=r"^x\.har: ") as caught:
        read(document)
    assert reason in str(caught.value)


def test_frames_before_the_break_are_yielded() -> None:
    document = har(ws(message("receive", '{"type":"STATUS"}'), message("send", "{}")))
    cut = document[: document.rindex(b"send") + 10]
    reader = read_capture(io.BytesIO(cut), "x.har")
    first = next(reader)
    assert isinstance(first, Frame)
    with pytest.raises(CaptureError, match="broken JSON"):
        list(reader)


def test_deep_nesting_elsewhere_is_skipped_without_recursion() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    document = (
        b'{"log": {"pages": '
        + deep
        + b', "entries": [{"x": '
        + deep
        + b', "_webSocketMessages": [{"type": "receive", "opcode": 1, "data": "{}", "extra": '
        + deep
        + b"}, "
        + deep
        + b"]}]}}"
    )
    items = read(document)
    assert [type(i) for i in items] == [Frame, BadRecord, ConnectionEnd]


def test_a_data_string_longer_than_the_limit_is_skipped() -> None:
    items = read(
        har(ws(message("receive", "x" * 300_000), message("receive", "{}"))), max_record_bytes=1000
    )
    [problem] = [i for i in items if isinstance(i, BadRecord)]
    assert "longer than 1000" in problem.reason
    assert [i.position for i in items if isinstance(i, Frame)] == [1]


def stream(text: str | bytes, chunk: int = 3) -> JsonStream:
    data = text.encode() if isinstance(text, str) else text

    class Slow(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            return super().read(min(chunk, size if size and size > 0 else chunk))

    return JsonStream(Slow(data))


def test_json_stream_reads_across_tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_json_stream, "_CHUNK", 2)
    value = {"a": 'x\\"y\u00e9\U0001f600', "b": [1, -2.5e3, True, False, None, "s"], "c": {}}
    json_stream = stream(json.dumps(value, ensure_ascii=False))
    got: dict[str, Any] = {}
    for key in json_stream.object_keys():
        if key == "b":
            got[key] = [json_stream.read_scalar() for _ in json_stream.array_items()]
        elif key == "c":
            assert json_stream.skip() == "object"
        else:
            got[key] = json_stream.read_scalar()
    json_stream.end()
    assert got == {"a": value["a"], "b": value["b"]}


def test_json_stream_keeps_invalid_utf8_as_surrogates() -> None:
    assert stream(b'"caf\xe9"').read_scalar() == "caf\udce9"


def test_json_stream_read_scalar_refuses_containers_and_limits_strings() -> None:
    with pytest.raises(JsonStreamError, match="expected a string"):
        stream("[1]").read_scalar()
    assert stream('"' + "x" * 100 + '"').read_scalar(limit=10) is TOO_LONG
    assert stream("9" * 5000).read_scalar() is TOO_LONG  # more digits than the limit
    assert stream("9" * 4300).read_scalar() == int("9" * 4000) * 10**300 + int("9" * 300)
    wide = JsonStream(io.BytesIO(b"9" * 5000), max_number_digits=5000)
    assert wide.read_scalar() == int("9" * 4000) * 10**1000 + int("9" * 1000)


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, {"b": "]}"}]}', '"\\\\"', "  -0.5e-3 ", "null", "[[[[]]]]", '{"": ""}'],
)
def test_json_stream_skips_any_value(text: str) -> None:
    json_stream = stream(text)
    json_stream.skip()
    json_stream.end()


@pytest.mark.parametrize("text", ["[1, 2", '{"a": 1', '"abc', "[}", "{]"])
def test_json_stream_reports_broken_values(text: str) -> None:
    with pytest.raises(JsonStreamError):
        stream(text).skip()
