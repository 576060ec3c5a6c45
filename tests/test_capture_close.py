"""The capture format's close record: written after a connection's last frame, read as its end."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_agent_api.capture import (
    BadRecord,
    CaptureWriter,
    ConnectionEnd,
    Frame,
    close_record,
    read_capture,
)
from lambda_agent_api.check import validate
from lambda_agent_api.protocol.limits import MAX_OPEN_CONNECTIONS

STATUS = '{"type":"STATUS"}'
ASK = '{"type":"USER_MESSAGE","text":"hi"}'


def read(text: str, **limits: int) -> list[object]:
    return list(read_capture(io.BytesIO(text.encode()), "c.jsonl", **limits))  # type: ignore[arg-type]


def test_the_close_record_has_its_documented_shape() -> None:
    line = close_record(ts=1.5, conn="3", code=1000, reason="bye")
    assert json.loads(line) == {
        "ts": 1.5,
        "conn": "3",
        "event": "close",
        "code": 1000,
        "reason": "bye",
    }
    out = io.StringIO()
    CaptureWriter(out, conn=7).write_close(code=None, ts=2.0)
    assert json.loads(out.getvalue()) == {
        "ts": 2.0,
        "conn": 7,
        "event": "close",
        "code": None,
        "reason": "",
    }


def test_a_close_record_ends_its_connection_and_a_later_frame_starts_a_new_one() -> None:
    out = io.StringIO()
    writer = CaptureWriter(out)
    writer.write("recv", STATUS, ts=1.0, conn="a")
    writer.write("recv", STATUS, ts=1.1, conn="b")
    writer.write_close(code=1000, ts=1.2, conn="a")
    writer.write("recv", STATUS, ts=1.3, conn="a")  # the id used again: a new connection
    items = read(out.getvalue())
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Frame", "Frame", "ConnectionEnd", "Frame", "ConnectionEnd", "ConnectionEnd"]
    first, _, end, again = items[:4]
    assert isinstance(first, Frame)
    assert isinstance(end, ConnectionEnd)
    assert isinstance(again, Frame)
    assert end.connection is first.connection
    assert again.connection is not first.connection
    assert again.seq == 0


def test_end_of_connection_findings_come_at_the_close_record() -> None:
    text = "\n".join(
        [
            json.dumps({"ts": 1.0, "dir": "recv", "conn": "1", "data": STATUS}),
            json.dumps({"ts": 1.1, "dir": "send", "conn": "1", "data": ASK}),
            close_record(ts=1.2, conn="1", code=1006),
        ]
    )
    result = validate(read_capture(io.BytesIO(text.encode()), "c.jsonl"))
    assert [(d.rule.id, d.position) for d in result.diagnostics] == [("P007", None)]


def test_other_events_are_ignored_and_a_bad_conn_is_a_bad_record() -> None:
    text = "\n".join(
        [
            json.dumps({"ts": 1.0, "dir": "recv", "data": STATUS}),
            json.dumps({"ts": 1.1, "event": "something-new"}),
            json.dumps({"ts": 1.2, "event": "close", "conn": [1]}),
            json.dumps({"ts": 1.3, "event": "close"}),  # the file's only connection
        ]
    )
    items = read(text)
    assert [type(i).__name__ for i in items] == ["Frame", "BadRecord", "ConnectionEnd"]
    assert isinstance(items[1], BadRecord)
    assert items[1].position == 3


def test_without_close_records_the_idlest_connections_end_past_the_limit() -> None:
    lines = [
        json.dumps({"ts": 1.0, "dir": "recv", "conn": str(n), "data": STATUS}) for n in range(5)
    ]
    lines.append(json.dumps({"ts": 1.0, "dir": "send", "conn": "4", "data": ASK}))
    items = read("\n".join(lines), max_open_connections=4)
    ends = [i.connection.id for i in items if isinstance(i, ConnectionEnd)]
    assert ends == ["0", "1", "2", "3", "4"]  # 0 and 1 first, when the fifth opened
    assert [type(i).__name__ for i in items[:6]] == ["Frame"] * 4 + ["ConnectionEnd"] * 2


@pytest.mark.timeout(600)  # a soak test: many lines, checked in a child process
def test_many_one_frame_connections_in_bounded_memory(tmp_path: Path) -> None:
    # Three times the open-connection limit: the reader ends the idlest half of the open
    # connections again and again, and the peak is that of the limit's worth open
    # (bench/bench_hostile.py runs validate over a million). Measured in a child process,
    # so that the peak is this check's alone.
    lines = 3 * MAX_OPEN_CONNECTIONS
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as file:
        record = '{"ts": 1.5, "dir": "recv", "conn": "%d", "data": "{\\"type\\":\\"STATUS\\"}"}\n'
        file.writelines(record % n for n in range(lines))
    script = (
        "import sys\n"
        # VmHWM: this child's own peak; ru_maxrss carries over the forking pytest's size.
        "def peak():\n"
        "    with open('/proc/self/status') as status:\n"
        "        return next(int(l.split()[1]) for l in status if l.startswith('VmHWM:'))\n"
        "from lambda_agent_api.capture import read_capture\n"
        "from lambda_agent_api.check import Checker\n"
        "before = peak()\n"
        "checker = Checker()\n"
        "with open(sys.argv[1], 'rb') as file:\n"
        "    found = sum(1 for _ in checker.check_all(read_capture(file, 'x')))\n"
        "found += len(checker.finish())\n"
        "grown = peak() - before\n"
        "print(found, checker.summary.connections, grown // 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    found, connections, grown_mib = map(int, done.stdout.split())
    assert (found, connections) == (0, lines)
    assert grown_mib < 150, f"{grown_mib} MiB for {lines} connections"
