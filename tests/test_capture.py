"""The capture readers: format detection, the JSON Lines formats, the writer."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.examples import examples

from lambda_agent_api.capture import (
    BadRecord,
    CaptureFormat,
    CaptureItem,
    CaptureWriter,
    ConnectionEnd,
    Frame,
    capture_record,
    detect_format,
    read_capture,
)
from lambda_agent_api.exceptions import CaptureError

STATUS = '{"type":"STATUS"}'


def read(data: bytes, name: str = "x", format: CaptureFormat | None = None, **kw: Any) -> list[Any]:
    return list(read_capture(io.BytesIO(data), name, format, **kw))


def frames(items: list[CaptureItem]) -> list[Frame]:
    return [i for i in items if isinstance(i, Frame)]


def bad(items: list[CaptureItem]) -> list[BadRecord]:
    return [i for i in items if isinstance(i, BadRecord)]


def record(direction: str = "recv", data: str = STATUS, **extra: Any) -> bytes:
    return json.dumps({"ts": 1.5, "dir": direction, "data": data, **extra}).encode() + b"\n"


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b'{"ts": 1, "dir": "recv", "data": "{}"}\n', "a.jsonl", CaptureFormat.JSONL),
        (b'{"data": "{}", "dir": "send", "ts": 1}\n', "-", CaptureFormat.JSONL),
        (b'{"type": "STATUS"}\n', "a.jsonl", CaptureFormat.MESSAGES),
        (b'{"type": "USER_MESSAGE", "text": "cut sh', "", CaptureFormat.MESSAGES),
        (b'{"log": {"entries": []}}', "capture.json", CaptureFormat.HAR),
        (b"{\n", "export", CaptureFormat.HAR),
        (b'{\n  "log": {', "x.har", CaptureFormat.HAR),
        (b'{"type": "STATUS"}', "x.HAR", CaptureFormat.HAR),
        (b'{\n  "log": {', "x.jsonl", CaptureFormat.JSONL),  # a .jsonl name is never a HAR
        (b"\xef\xbb\xbf" + b'{"type": "STATUS"}\n', "", CaptureFormat.MESSAGES),
        (b"garbage\n", "", CaptureFormat.JSONL),
        (b"", "", CaptureFormat.JSONL),
        (b"[1, 2]\n", "", CaptureFormat.JSONL),
    ],
)
def test_detect_format(head: bytes, name: str, expected: CaptureFormat) -> None:
    assert detect_format(head, name) is expected


def test_detection_skips_blank_lines_and_reads_the_first_record() -> None:
    items = read(b"\n\n  \n" + record())
    [frame] = frames(items)
    assert frame.position == 4
    assert frame.connection.format is CaptureFormat.JSONL


def test_a_capture_record_becomes_a_frame() -> None:
    [frame, end] = read(record("send", '{"type":"USER_MESSAGE","text":"hi"}'))
    assert isinstance(frame, Frame)
    assert (frame.seq, frame.direction, frame.ts, frame.binary, frame.position) == (
        0,
        "send",
        1.5,
        False,
        1,
    )
    assert frame.data == '{"type":"USER_MESSAGE","text":"hi"}'
    assert frame.where == "line 1"
    assert end == ConnectionEnd(frame.connection)


def test_connections_by_conn_and_their_frame_indexes() -> None:
    data = record(conn="a") + record(conn=7) + record(conn="a") + record(conn="7") + record()
    items = read(data)
    got = [(f.connection.id, f.seq) for f in frames(items)]
    assert got == [("a", 0), ("7", 0), ("a", 1), ("7", 1), (None, 0)]
    ends = [i.connection.id for i in items if isinstance(i, ConnectionEnd)]
    assert sorted(ends, key=str) == sorted(["a", "7", None], key=str)
    assert frames(items)[0].connection.label == "x conn a"


def test_binary_record_is_decoded_from_base64() -> None:
    [frame, _] = read(record(data="AAEC", binary=True))
    assert frame.binary
    assert frame.data == b"\x00\x01\x02"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "holds an array"),
        (b'"text"', "holds a string"),
        (b'{"ts": 1, "data": "{}"}', 'no "dir"'),
        (b'{"ts": 1, "dir": "in", "data": "{}"}', '"dir" is "in"'),
        (b'{"ts": 1, "dir": "recv"}', 'no "data"'),
        (b'{"ts": 1, "dir": "recv", "data": {"type": "STATUS"}}', '"data" is an object'),
        (b'{"dir": "recv", "data": "{}"}', 'no "ts"'),
        (b'{"ts": "1", "dir": "recv", "data": "{}"}', '"ts" is a string'),
        (b'{"ts": true, "dir": "recv", "data": "{}"}', '"ts" is a boolean'),
        (b'{"ts": 1e400, "dir": "recv", "data": "{}"}', "not a finite number"),
        (b'{"ts": NaN, "dir": "recv", "data": "{}"}', "not a finite number"),
        (b'{"ts": 1, "dir": "recv", "data": "{}", "conn": 1.5}', '"conn" is a number'),
        (b'{"ts": 1, "dir": "recv", "data": "{}", "binary": 1}', '"binary" is an integer'),
        (b'{"ts": 1, "dir": "recv", "data": "$$", "binary": true}', "not base64"),
        (b'{"ts": 1, "dir": "recv", "da', "cut short"),
    ],
)
def test_a_bad_record_is_reported_and_skipped(line: bytes, reason: str) -> None:
    items = read(record() + line + b"\n" + record() if reason != "cut short" else record() + line)
    [problem] = bad(items)
    assert problem.position == 2
    assert reason in problem.reason
    assert len(frames(items)) == (2 if reason != "cut short" else 1)


def test_huge_integer_timestamp_is_a_bad_record_not_a_crash() -> None:
    [problem] = bad(read(b'{"ts": ' + b"9" * 5000 + b', "dir": "recv", "data": "{}"}\n'))
    assert "an integer of 5000 digits" in problem.reason  # never converted
    [problem] = bad(read(b'{"ts": ' + b"9" * 4300 + b', "dir": "recv", "data": "{}"}\n'))
    assert "finite" in problem.reason


def test_crlf_bom_and_blank_lines() -> None:
    data = b"\xef\xbb\xbf" + record().replace(b"\n", b"\r\n") + b"\r\n\n" + record()
    items = read(data)
    assert [f.position for f in frames(items)] == [1, 4]
    assert bad(items) == []


def test_invalid_utf8_in_a_record_reaches_the_frame() -> None:
    line = b'{"ts": 1, "dir": "recv", "data": "caf\xe9"}\n'
    [frame] = frames(read(line))
    assert frame.data == "caf\udce9"  # kept, so that the checker can say which byte


def test_a_line_longer_than_the_limit_is_skipped_in_flat_memory() -> None:
    long = record(data="x" * 5000)
    items = read(record() + long + record(), max_record_bytes=1000)
    [problem] = bad(items)
    assert problem.position == 2
    assert "longer than 1000 bytes" in problem.reason
    assert [f.position for f in frames(items)] == [1, 3]


def test_a_long_last_line_without_newline_is_skipped() -> None:
    items = read(record() + b"y" * 5000, max_record_bytes=1000)
    assert [b.position for b in bad(items)] == [2]


def test_lines_split_across_read_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_agent_api.capture import jsonl as capture

    monkeypatch.setattr(capture, "_BLOCK", 7)
    data = b"".join(record(data=f'{{"n": {i}}}') for i in range(20))
    got = [json.loads(f.data)["n"] for f in frames(read(data))]
    assert got == list(range(20))


def test_bare_messages_have_no_direction() -> None:
    items = read(b'{"type":"STATUS"}\r\n\n[1]\n', format=CaptureFormat.MESSAGES)
    got = [(f.seq, f.direction, f.data, f.position) for f in frames(items)]
    assert got == [(0, None, b'{"type":"STATUS"}', 1), (1, None, b"[1]", 3)]


def test_an_empty_capture_yields_nothing() -> None:
    assert read(b"") == []
    assert read(b"\n \n") == []


def test_read_errors_are_capture_errors() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise OSError(5, "Input/output error")

    with pytest.raises(CaptureError, match="cannot read: Input/output error"):
        list(read_capture(io.BufferedReader(Broken()), "disk"))


def test_writer_round_trip() -> None:
    out = io.StringIO()
    writer = CaptureWriter(out, conn="c1")
    writer.write("recv", STATUS, ts=10.0)
    writer.write("send", "é ünïcode", ts=11.0)
    writer.write("recv", b"\x00\xff", ts=12.0)
    items = frames(read(out.getvalue().encode()))
    got = [(f.direction, f.data, f.binary, f.ts, f.connection.id) for f in items]
    assert got == [
        ("recv", STATUS, False, 10.0, "c1"),
        ("send", "é ünïcode", False, 11.0, "c1"),
        ("recv", b"\x00\xff", True, 12.0, "c1"),
    ]


def test_writer_conn_can_be_named_per_line_and_lines_flushed() -> None:
    class Counting(io.StringIO):
        flushes = 0

        def flush(self) -> None:
            self.flushes += 1
            super().flush()

    out = Counting()
    writer = CaptureWriter(out, conn="a", flush=True)
    assert writer.conn == "a"
    writer.write("recv", STATUS, ts=1.0)
    writer.write("recv", STATUS, ts=2.0, conn="b")
    assert out.flushes == 2
    items = frames(read(out.getvalue().encode()))
    assert [f.connection.id for f in items] == ["a", "b"]
    unflushed = Counting()
    CaptureWriter(unflushed).write("send", "x", ts=1.0)
    assert unflushed.flushes == 0


@settings(max_examples=examples(500))
@given(
    direction=st.sampled_from(["send", "recv"]),
    data=st.text() | st.binary(),
    ts=st.floats(allow_nan=False, allow_infinity=False) | st.integers(0, 2**40),
    conn=st.none() | st.text() | st.integers(-(2**70), 2**70),
)
def test_capture_record_is_json_dumps_of_the_record(
    direction: str, data: str | bytes, ts: float, conn: str | int | None
) -> None:
    # capture_record builds the common line by hand, for speed: it must be byte for byte
    # what encoding the record as a dict gives.
    record: dict[str, Any] = {"ts": ts, "dir": direction}
    if conn is not None:
        record["conn"] = conn
    if isinstance(data, bytes):
        record["binary"] = True
        record["data"] = base64.b64encode(data).decode("ascii")
    else:
        record["data"] = data
    line = capture_record(direction, data, ts=ts, conn=conn)  # type: ignore[arg-type]
    assert line == json.dumps(record, ensure_ascii=False)


def test_capture_record_defaults_to_now() -> None:
    line = json.loads(capture_record("send", "x"))
    assert line["dir"] == "send"
    assert line["ts"] > 1_700_000_000
